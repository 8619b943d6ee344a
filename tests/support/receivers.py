"""Real HTTP receivers on loopback that play a customer's webhook endpoint."""

import asyncio
import json
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

NODE_RECEIVER_DIR = Path(__file__).parent.parent / "receivers" / "node"


@dataclass
class ReceivedRequest:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Behaviour:
    """What the receiver answers next; tests change it between steps."""

    status: int = 200
    body: bytes = b'{"received": true}'
    headers: dict[str, str] = field(default_factory=dict)
    hang: bool = False


class PythonReceiver:
    """An aiohttp server on 127.0.0.1 that records every request it gets."""

    def __init__(self) -> None:
        self.requests: list[ReceivedRequest] = []
        self.behaviour = Behaviour()
        self.arrived = asyncio.Condition()
        self.release_hung = asyncio.Event()
        self.runner: web.AppRunner | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/webhooks"

    async def start(self) -> "PythonReceiver":
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self.handle)
        self.runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        self.release_hung.set()
        if self.runner is not None:
            await self.runner.cleanup()

    async def handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        behaviour = self.behaviour
        async with self.arrived:
            self.requests.append(
                ReceivedRequest(
                    request.path,
                    {name.lower(): value for name, value in request.headers.items()},
                    body,
                )
            )
            self.arrived.notify_all()
        if behaviour.hang:
            await self.release_hung.wait()
        return web.Response(
            status=behaviour.status, body=behaviour.body, headers=behaviour.headers
        )

    async def wait_for(
        self,
        count: int,
        timeout: float = 10.0,  # noqa: ASYNC109 - the test's deadline
    ) -> list[ReceivedRequest]:
        """Wait until ``count`` requests have arrived; fail after ``timeout`` s."""
        async with self.arrived:
            await asyncio.wait_for(
                self.arrived.wait_for(lambda: len(self.requests) >= count), timeout
            )
        return list(self.requests)


class NodeReceiver:
    """The docs' Express receiver, run with node; it verifies x-webhook-signature."""

    def __init__(self, secret: str) -> None:
        self.secret = secret
        self.process: subprocess.Popen[str] | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/webhooks"

    def start(self) -> "NodeReceiver":
        self.process = subprocess.Popen(
            ["node", "receiver.js"],
            cwd=NODE_RECEIVER_DIR,
            env={**os.environ, "WEBHOOK_SECRET": self.secret, "PORT": "0"},
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        self.port = json.loads(self.process.stdout.readline())["port"]
        return self

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            if self.process.stdout is not None:
                self.process.stdout.close()
