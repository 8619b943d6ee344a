"""Why the worker sends with aiohttp: the same load through httpx and aiohttp.

    .venv/bin/python -m bench.http_clients [--requests 5000] [--concurrency 500]

A receiver runs in its own process (``bench/receiver.py``); each client POSTs a
1 KB body ``--requests`` times with ``--concurrency`` requests in flight, from one
event loop, and the script prints requests per second for each.
"""

import argparse
import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp
import httpx

BODY = (
    b'{"id":"evt_1","type":"appointment.create","data":{"notes":"' + b"x" * 950 + b'"}}'
)


async def run_load(
    send: Callable[[int], Awaitable[None]], requests: int, concurrency: int
) -> float:
    gate = asyncio.Semaphore(concurrency)

    async def one(index: int) -> None:
        async with gate:
            await send(index)

    started = time.perf_counter()
    await asyncio.gather(*(one(index) for index in range(requests)))
    return requests / (time.perf_counter() - started)


async def measure(url: str, requests: int, concurrency: int) -> None:
    headers = {"content-type": "application/json"}

    limits = httpx.Limits(
        max_connections=concurrency, max_keepalive_connections=concurrency
    )
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:

        async def with_httpx(index: int) -> None:
            response = await client.post(
                url,
                content=BODY,
                headers={**headers, "x-webhook-delivery": f"h{index}"},
            )
            response.raise_for_status()

        httpx_rate = await run_load(with_httpx, requests, concurrency)

    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def with_aiohttp(index: int) -> None:
            async with session.post(
                url, data=BODY, headers={**headers, "x-webhook-delivery": f"a{index}"}
            ) as response:
                await response.read()
                response.raise_for_status()

        aiohttp_rate = await run_load(with_aiohttp, requests, concurrency)

    print(
        f"{requests} POSTs, {concurrency} in flight: httpx {httpx_rate:,.0f}/s, "
        f"aiohttp {aiohttp_rate:,.0f}/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=500)
    arguments = parser.parse_args()
    port = 19000 + os.getpid() % 500
    receiver = subprocess.Popen(
        [sys.executable, str(Path(__file__).parent / "receiver.py"), str(port)]
    )
    try:
        time.sleep(1.5)
        asyncio.run(
            measure(
                f"http://127.0.0.1:{port}/webhooks",
                arguments.requests,
                arguments.concurrency,
            )
        )
    finally:
        receiver.terminate()
        receiver.wait()


if __name__ == "__main__":
    main()
