"""Delivery throughput and publish-to-receipt latency, receiver included.

    .venv/bin/python bench/deliveries.py                       # SQLite
    .venv/bin/python bench/deliveries.py --database postgresql://postgres@127.0.0.1/test

Three processes share the machine: this script, ``gestly serve`` (API and worker in
one process, the embedded default) and a receiver (``bench/receiver.py``). It prints:

1. throughput: N events of about 1 KB for ``--endpoints`` endpoints are stored while
   no server runs; then ``gestly serve`` starts, and the time from the first to the
   last arrival at the receiver gives deliveries per second;
2. latency: API calls (``POST /v1/webhook_endpoints/{id}/test``, which stores an
   event and its delivery) at a steady rate; the time from sending each call to the
   event's arrival at the receiver gives p50 / p99;
3. fan-out: the time to store one event for 1,000 endpoints.

PostgreSQL runs use a fresh database that is dropped afterwards.
"""

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import aiohttp
import asyncpg
import httpx

from gestly.storage.accounts import create_account, create_token
from gestly.storage.database import Database
from gestly.storage.endpoints import create_endpoint
from gestly.storage.events import publish_event
from gestly.storage.migrate import upgrade_database

ROOT = Path(__file__).resolve().parent.parent
GESTLY = str(Path(sys.executable).parent / "gestly")
PAYLOAD_NOTES = "Cliente prefere horário da manhã; trazer cartão fidelidade. " * 14


def event_data(index: int) -> dict[str, object]:
    """An ``appointment.create`` payload of about 1 KB once enveloped."""
    return {
        "id": f"apt_{index:026d}",
        "customer": {"id": "cus_01JD3Z7P2K9V4S6XTQ3MRA1BCE", "name": "João Silva"},
        "service": {"id": "srv_01JD3Z6A1F7H2N8C5DWEKG0P3Q", "name": "Corte"},
        "professional": None,
        "start_time": "2026-01-02T14:00:00Z",
        "end_time": "2026-01-02T14:30:00Z",
        "status": "scheduled",
        "notes": PAYLOAD_NOTES,
        "created_at": "2026-01-01T10:00:00Z",
        "updated_at": "2026-01-01T10:00:00Z",
        "cancelled_at": None,
        "cancellation_reason": None,
    }


async def prepare_postgres(admin_url: str) -> str:
    name = f"gestly_bench_{uuid.uuid4().hex[:8]}"
    connection = await asyncpg.connect(admin_url)
    await connection.execute(f'CREATE DATABASE "{name}"')
    await connection.close()
    return urlunsplit(urlsplit(admin_url)._replace(path="/" + name))


async def drop_postgres(admin_url: str, url: str) -> None:
    connection = await asyncpg.connect(admin_url)
    name = urlsplit(url).path.lstrip("/")
    await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await connection.close()


async def publish_many(
    database: Database, account_id: str, start: int, count: int, batch: int
) -> dict[str, float]:
    """Publish ``count`` events, ``batch`` per transaction; return commit times."""
    committed: dict[str, float] = {}
    for offset in range(0, count, batch):
        ids = []
        async with database.transaction() as tx:
            for index in range(start + offset, start + min(offset + batch, count)):
                published = await publish_event(
                    tx,
                    account_id=account_id,
                    event_type="appointment.create",
                    data=event_data(index),
                    now=datetime.now(UTC),
                )
                ids.append(published.id)
        now = time.time()
        committed.update(dict.fromkeys(ids, now))
    return committed


def wait_for_receipts(
    receiver_url: str, count: int, timeout_s: float
) -> dict[str, float]:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            receipts: dict[str, float] | None = httpx.get(
                f"{receiver_url}/receipts"
            ).json()
        except httpx.ConnectError:
            receipts = None
        if receipts is not None and (
            len(receipts) >= count or time.monotonic() > deadline
        ):
            return receipts
        time.sleep(0.05)


def start_process(arguments: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(arguments, env=env, stdout=subprocess.DEVNULL)


async def test_call(
    client: aiohttp.ClientSession, endpoint_id: str, sent_at: dict[str, float]
) -> None:
    started = time.time()
    async with client.post(
        f"/v1/webhook_endpoints/{endpoint_id}/test", json={"type": "appointment.create"}
    ) as response:
        sent_at[(await response.json())["delivery_id"]] = started


async def run(database_url: str, events: int, endpoints: int, rate: int) -> None:
    database = Database(database_url)
    await upgrade_database(database)
    port = 18000 + os.getpid() % 1000
    receiver_url = f"http://127.0.0.1:{port}"
    receiver = start_process(
        [sys.executable, str(ROOT / "bench" / "receiver.py"), str(port)],
        dict(os.environ),
    )
    env = {
        **os.environ,
        "GESTLY_DATABASE_URL": database_url,
        "GESTLY_ENV": "development",
        "GESTLY_LOG_LEVEL": "WARNING",
        "GESTLY_POLL_INTERVAL_S": "0.5",
        "GESTLY_SECRET_KEY": "bench-secret-key-bench-secret-key-0123",
        **{
            name: value
            for name, value in os.environ.items()
            if name.startswith("GESTLY_")
        },
    }
    worker: subprocess.Popen[bytes] | None = None
    try:
        async with database.transaction() as tx:
            account = await create_account(
                tx,
                name="Bench",
                email=f"bench-{uuid.uuid4().hex[:8]}@example.com",
                password_hash=None,
                now=datetime.now(UTC),
            )
            endpoint_ids = [
                (
                    await create_endpoint(
                        tx,
                        account_id=account.id,
                        url=f"{receiver_url}/webhooks?endpoint={index}",
                        description="bench",
                        event_types=None,
                        enabled=True,
                        now=datetime.now(UTC),
                    )
                ).id
                for index in range(endpoints)
            ]
            token = await create_token(
                tx, account_id=account.id, name="bench", now=datetime.now(UTC)
            )
        await asyncio.to_thread(wait_for_receipts, receiver_url, 0, 5)

        # 1. Throughput: a backlog of `events`, then one worker drains it.
        await publish_many(database, account.id, 0, events // endpoints, batch=100)
        worker = start_process([GESTLY, "serve", "--port", str(port + 1)], env)
        received = await asyncio.to_thread(wait_for_receipts, receiver_url, events, 600)
        first, last = min(received.values()), max(received.values())
        print(
            f"throughput: {len(received)} deliveries to {endpoints} endpoints in "
            f"{last - first:.2f} s = {len(received) / (last - first):,.0f} deliveries/s"
        )

        # 2. Latency of API calls at a steady rate.
        await asyncio.to_thread(httpx.delete, f"{receiver_url}/receipts")
        sent_at: dict[str, float] = {}
        interval = 1 / rate
        total = rate * 5
        async with aiohttp.ClientSession(
            base_url=f"http://127.0.0.1:{port + 1}",
            headers={"Authorization": f"Bearer {token.token}"},
        ) as client:
            next_at = time.monotonic()
            calls = []
            for _ in range(total):
                calls.append(
                    asyncio.create_task(test_call(client, endpoint_ids[0], sent_at))
                )
                next_at += interval
                await asyncio.sleep(max(0.0, next_at - time.monotonic()))
            await asyncio.gather(*calls)
        receipts = await asyncio.to_thread(wait_for_receipts, receiver_url, total, 60)
        latencies = sorted(
            (receipts[delivery_id] - started) * 1000
            for delivery_id, started in sent_at.items()
            if delivery_id in receipts
        )
        p50 = statistics.median(latencies)
        p99 = latencies[int(len(latencies) * 0.99) - 1]
        print(
            f"latency at {rate}/s for 5 s: {len(latencies)}/{total} received, "
            f"p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {latencies[-1]:.1f} ms"
        )
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait()
        receiver.terminate()
        receiver.wait()

    # 3. Fan-out: one event to 1,000 endpoints (no worker running).
    async with database.transaction() as tx:
        for index in range(1000):
            await create_endpoint(
                tx,
                account_id=account.id,
                url=f"https://hook{index}.example.com/gestly",
                description="",
                event_types=None,
                enabled=index != 0,
                now=datetime.now(UTC),
            )
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        await publish_many(database, account.id, 0, 1, 1)
        timings.append((time.perf_counter() - started) * 1000)
    print(
        f"fan-out: one event stored for 1,000 endpoints in "
        f"{statistics.median(timings):.1f} ms (median of 5)"
    )
    await database.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--database", default="sqlite", help="sqlite or a postgresql:// URL"
    )
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--endpoints", type=int, default=10)
    parser.add_argument("--rate", type=int, default=500, help="events/s for latency")
    arguments = parser.parse_args()

    if arguments.database == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            asyncio.run(
                run(
                    f"sqlite:///{folder}/bench.db",
                    arguments.events,
                    arguments.endpoints,
                    arguments.rate,
                )
            )
        return
    url = asyncio.run(prepare_postgres(arguments.database))
    try:
        asyncio.run(run(url, arguments.events, arguments.endpoints, arguments.rate))
    finally:
        asyncio.run(drop_postgres(arguments.database, url))


if __name__ == "__main__":
    main()
