"""Gestly running inside the test's event loop: a real uvicorn server on a free
loopback port, a real delivery worker, and a clock the test moves by hand."""

import asyncio
import random
from dataclasses import replace
from typing import Any

import httpx
import uvicorn

from gestly.api.app import create_app
from gestly.api.dependencies import Services
from gestly.api.server import QuietSignalsServer
from gestly.clock import ManualClock
from gestly.config import Settings
from gestly.delivery.resolver import LookupHost, lookup_host
from gestly.delivery.sender import Sender
from gestly.delivery.worker import USER_AGENT, DeliveryWorker, WorkerOptions
from gestly.storage.accounts import create_account, create_token
from gestly.storage.database import Database
from gestly.webhooks.destinations import DestinationPolicy

TEST_SETTINGS = Settings(
    database_url="",
    environment="development",
    secret_key="test-secret-key-with-at-least-32-characters",
    request_timeout_s=2.0,
    poll_interval_s=0.05,
)


class Gestly:
    def __init__(
        self,
        database_url: str,
        clock: ManualClock,
        *,
        settings: Settings = TEST_SETTINGS,
        lookup: LookupHost = lookup_host,
        with_worker: bool = True,
    ) -> None:
        self.settings = replace(settings, database_url=database_url)
        self.clock = clock
        self.lookup = lookup
        self.with_worker = with_worker
        self.database = Database(database_url)
        self.policy = DestinationPolicy.for_environment(self.settings.development)
        self.stop_event = asyncio.Event()
        self.tasks: list[asyncio.Task[Any]] = []
        self.sender: Sender | None = None
        self.worker: DeliveryWorker | None = None
        self.server: QuietSignalsServer | None = None
        self.base_url = ""

    async def start(self) -> "Gestly":
        services = Services(
            self.settings, self.database, self.clock, self.policy, self.lookup
        )
        config = uvicorn.Config(
            create_app(services),
            host="127.0.0.1",
            port=0,
            log_config=None,
            lifespan="off",
        )
        self.server = QuietSignalsServer(config)
        self.tasks.append(asyncio.create_task(self.server.serve()))
        while not self.server.started:  # noqa: ASYNC110 - uvicorn offers no event
            await asyncio.sleep(0.01)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}"
        if self.with_worker:
            await self.start_worker()
        return self

    async def start_worker(self, rng: random.Random | None = None) -> None:
        self.sender = await Sender(
            self.policy,
            timeout_s=self.settings.request_timeout_s,
            max_connections=self.settings.worker_concurrency,
            user_agent=USER_AGENT,
            lookup=self.lookup,
        ).__aenter__()
        self.worker = DeliveryWorker(
            self.database,
            self.sender,
            self.clock,
            WorkerOptions(
                concurrency=self.settings.worker_concurrency,
                endpoint_concurrency=self.settings.endpoint_concurrency,
                poll_interval_s=self.settings.poll_interval_s,
                request_timeout_s=self.settings.request_timeout_s,
                shutdown_grace_s=1.0,
            ),
            rng=rng or random.Random(7),
        )
        self.tasks.append(asyncio.create_task(self.worker.run(self.stop_event)))

    async def stop(self) -> None:
        self.stop_event.set()
        if self.server is not None:
            self.server.should_exit = True
        await asyncio.gather(*self.tasks, return_exceptions=True)
        if self.sender is not None:
            await self.sender.__aexit__(None, None, None)
        await self.database.close()

    async def settle(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wake the worker and wait until everything due now is sent and recorded."""
        assert self.worker is not None, "settle needs the worker"
        worker = self.worker

        async def quiet() -> None:
            while True:
                worker.wake()
                await asyncio.sleep(0.02)
                # Three conditions, no single event to wait on: poll them.
                while not worker.idle.is_set() or worker.in_flight or worker.finished:  # noqa: ASYNC110
                    await asyncio.sleep(0.01)
                await asyncio.sleep(0.02)
                if (
                    worker.idle.is_set()
                    and not worker.in_flight
                    and not worker.finished
                ):
                    return

        await asyncio.wait_for(quiet(), timeout)

    async def new_account(self, name: str = "Barbearia do Zé") -> "Client":
        now = self.clock.now()
        email = f"owner-{random.getrandbits(40):x}@example.com"
        async with self.database.transaction() as tx:
            account = await create_account(
                tx, name=name, email=email, password_hash=None, now=now
            )
            token = await create_token(tx, account_id=account.id, name="test", now=now)
        return Client(self.base_url, token.token, account.id)


class Client:
    """An API caller with its account's token."""

    def __init__(self, base_url: str, token: str, account_id: str) -> None:
        self.account_id = account_id
        self.token = token
        self.http = httpx.AsyncClient(
            base_url=base_url,
            headers={"Authorization": f"Bearer {token}"},
            timeout=10.0,
        )

    async def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return await self.http.request(method, path, **kwargs)

    async def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.http.get(path, **kwargs)

    async def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.http.post(path, **kwargs)

    async def patch(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.http.patch(path, **kwargs)

    async def delete(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.http.delete(path, **kwargs)

    async def create_endpoint(self, url: str, **fields: Any) -> dict[str, Any]:
        response = await self.post("/v1/webhook_endpoints", json={"url": url, **fields})
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    async def close(self) -> None:
        await self.http.aclose()
