"""A worker's memory with a large backlog and many requests in flight.

    .venv/bin/python bench/worker_memory.py [--pending 1000000] [--seconds 30]

Stores ``--pending`` due deliveries (one event, fanned out over 25 endpoints) in a
fresh SQLite file, starts ``gestly worker`` against a receiver that takes
``--answer-after`` seconds per request, so the worker keeps its 500 slots full, and
samples the worker's resident memory (VmRSS) once a second. Flat memory means
the backlog stays in the database and only claimed batches live in the worker.
"""

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from aiohttp import web
from sqlalchemy import text

from gestly.storage.accounts import create_account
from gestly.storage.database import Database
from gestly.storage.endpoints import create_endpoint
from gestly.storage.events import publish_event
from gestly.storage.migrate import upgrade_database

GESTLY = str(Path(sys.executable).parent / "gestly")
ENDPOINTS = 25

BACKLOG_SQL = """
WITH RECURSIVE sequence(n) AS (
    SELECT 1 UNION ALL SELECT n + 1 FROM sequence WHERE n < :count
)
INSERT INTO deliveries (
    id, account_id, event_id, endpoint_id, event_type, status, attempt_count,
    manual_attempt_count, next_attempt_at, manual_pending, created_at, updated_at
)
SELECT
    'del_' || printf('%026d', n), :account_id, :event_id, numbered.id,
    'appointment.create', 'pending', 0, 0, :now, 0, :now, :now
FROM sequence
JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM endpoints) AS numbered
    ON numbered.k = n % :endpoints
"""


def resident_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS line")


async def prepare(url: str, receiver_url: str, pending: int) -> None:
    database = Database(url)
    await upgrade_database(database)
    now = datetime.now(UTC)
    async with database.transaction() as tx:
        account = await create_account(
            tx, name="Memory", email="memory@example.com", password_hash=None, now=now
        )
        for index in range(ENDPOINTS):
            await create_endpoint(
                tx,
                account_id=account.id,
                url=f"{receiver_url}?endpoint={index}",
                description="",
                event_types=["customer.create"],
                enabled=True,
                now=now,
            )
        published = await publish_event(
            tx,
            account_id=account.id,
            event_type="appointment.create",
            data={"id": "apt_1", "notes": "x" * 900},
            now=now,
        )
        await tx.connection.execute(
            text(BACKLOG_SQL),
            {
                "count": pending,
                "account_id": account.id,
                "event_id": published.id,
                "endpoints": ENDPOINTS,
                "now": now.replace(tzinfo=None).isoformat(sep=" "),
            },
        )
    await database.close()


async def run(pending: int, seconds: int, answer_after_s: float) -> None:
    in_flight = 0
    peak_in_flight = 0
    answered = 0

    async def slow(request: web.Request) -> web.Response:
        nonlocal in_flight, peak_in_flight, answered
        in_flight += 1
        peak_in_flight = max(peak_in_flight, in_flight)
        await request.read()
        await asyncio.sleep(answer_after_s)
        in_flight -= 1
        answered += 1
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/webhooks", slow)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/memory.db"
        started = time.monotonic()
        await prepare(url, f"http://127.0.0.1:{port}/webhooks", pending)
        stored_in = time.monotonic() - started
        print(f"stored {pending:,} pending deliveries in {stored_in:.1f} s")
        env = {
            **os.environ,
            "GESTLY_DATABASE_URL": url,
            "GESTLY_ENV": "development",
            "GESTLY_LOG_LEVEL": "WARNING",
        }
        worker = subprocess.Popen([GESTLY, "worker"], env=env)
        samples = []
        try:
            for _ in range(seconds):
                await asyncio.sleep(1)
                samples.append((resident_mib(worker.pid), in_flight))
        finally:
            worker.terminate()
            worker.wait()
    await runner.cleanup()

    steady = samples[len(samples) // 3 :]
    memory = [mib for mib, _ in steady]
    flights = sorted(count for _, count in steady)
    print(
        f"worker RSS over {seconds} s: first {samples[0][0]:.0f} MiB, steady "
        f"{min(memory):.0f} to {max(memory):.0f} MiB; in flight at the receiver: "
        f"peak {peak_in_flight}, median {flights[len(flights) // 2]}; "
        f"answered {answered:,}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pending", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--answer-after", type=float, default=2.0)
    arguments = parser.parse_args()
    asyncio.run(run(arguments.pending, arguments.seconds, arguments.answer_after))


if __name__ == "__main__":
    main()
