"""Publish-to-receipt latency of single API calls on an idle server.

    .venv/bin/python -m bench.latency                    # SQLite
    .venv/bin/python -m bench.latency --database postgresql://postgres@127.0.0.1/test

Starts ``gestly serve`` on a fresh database and an aiohttp receiver in this process,
then makes ``--calls`` API calls one after another
(``POST /v1/webhook_endpoints/{id}/test``, which commits an event and its delivery)
and times each from sending the call to the receiver having the delivery. It prints
the API call's own time and the end-to-end time, p50 and p99.
"""

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import aiohttp
from aiohttp import web

from bench.deliveries import drop_postgres, prepare_postgres

GESTLY = str(Path(sys.executable).parent / "gestly")
API_PORT = 18778


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * fraction) - 1)]


async def measure(database_url: str, calls: int) -> None:
    arrivals: dict[str, float] = {}

    async def receive(request: web.Request) -> web.Response:
        await request.read()
        arrivals[request.headers["x-webhook-delivery"]] = time.perf_counter()
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/webhooks", receive)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    receiver_port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    env = {
        **os.environ,
        "GESTLY_ENV": "development",
        "GESTLY_DATABASE_URL": database_url,
        "GESTLY_PORT": str(API_PORT),
        "GESTLY_LOG_LEVEL": "WARNING",
    }
    run = [GESTLY]
    subprocess.run([*run, "db", "upgrade"], env=env, check=True, capture_output=True)
    created = subprocess.run(
        [
            *run,
            "accounts",
            "create",
            "--name",
            "Bench",
            "--email",
            f"bench-{uuid.uuid4().hex[:8]}@example.com",
            "--no-password",
        ],
        env=env,
        check=True,
        capture_output=True,
    )
    token = json.loads(created.stdout)["api_token"]
    server = subprocess.Popen([*run, "serve"], env=env)
    try:
        async with aiohttp.ClientSession(
            base_url=f"http://127.0.0.1:{API_PORT}",
            headers={"Authorization": f"Bearer {token}"},
        ) as client:
            for _ in range(100):
                try:
                    async with client.get("/healthz"):
                        break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.1)
            async with client.post(
                "/v1/webhook_endpoints",
                json={"url": f"http://127.0.0.1:{receiver_port}/webhooks"},
            ) as response:
                endpoint_id = (await response.json())["id"]
            api_ms: list[float] = []
            end_to_end_ms: list[float] = []
            for _ in range(calls):
                started = time.perf_counter()
                async with client.post(
                    f"/v1/webhook_endpoints/{endpoint_id}/test"
                ) as response:
                    delivery_id = (await response.json())["delivery_id"]
                api_ms.append((time.perf_counter() - started) * 1000)
                while delivery_id not in arrivals:
                    await asyncio.sleep(0.0005)
                end_to_end_ms.append((arrivals[delivery_id] - started) * 1000)
                await asyncio.sleep(0.01)
    finally:
        server.terminate()
        server.wait()
        await runner.cleanup()

    print(
        f"{calls} calls, one at a time: API call p50 {statistics.median(api_ms):.1f} "
        f"ms; call → receiver p50 {statistics.median(end_to_end_ms):.1f} ms, "
        f"p99 {percentile(end_to_end_ms, 0.99):.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", default="sqlite")
    parser.add_argument("--calls", type=int, default=300)
    arguments = parser.parse_args()
    if arguments.database == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            asyncio.run(measure(f"sqlite:///{folder}/latency.db", arguments.calls))
        return
    url = asyncio.run(prepare_postgres(arguments.database))
    try:
        asyncio.run(measure(url, arguments.calls))
    finally:
        asyncio.run(drop_postgres(arguments.database, url))


if __name__ == "__main__":
    main()
