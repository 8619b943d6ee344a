"""Running Gestly: the API server, the delivery worker and the scheduler, together
(``gestly serve``) or the worker and scheduler without the API (``gestly worker``), in
one event loop.

SIGTERM and SIGINT stop the API from taking requests, then let in-flight attempts
finish for a grace period and hand back the rest, so another worker takes them over.
"""

import asyncio
import logging
import signal
from datetime import timedelta
from typing import TYPE_CHECKING

from gestly.clock import Clock, SystemClock
from gestly.config import Settings
from gestly.delivery.resolver import LookupHost, lookup_host
from gestly.delivery.sender import Sender
from gestly.delivery.worker import USER_AGENT, DeliveryWorker, WorkerOptions
from gestly.scheduler import run_scheduler
from gestly.storage.database import Database
from gestly.storage.migrate import check_database_current
from gestly.webhooks.destinations import DestinationPolicy

if TYPE_CHECKING:
    from gestly.api.server import QuietSignalsServer

logger = logging.getLogger(__name__)


def worker_options(settings: Settings) -> WorkerOptions:
    return WorkerOptions(
        concurrency=settings.worker_concurrency,
        endpoint_concurrency=settings.endpoint_concurrency,
        poll_interval_s=settings.poll_interval_s,
        request_timeout_s=settings.request_timeout_s,
    )


async def run(
    settings: Settings,
    *,
    serve_api: bool,
    run_worker: bool,
    clock: Clock | None = None,
    lookup: LookupHost = lookup_host,
) -> None:
    clock = clock or SystemClock()
    policy = DestinationPolicy.for_environment(settings.development)
    database = Database(settings.database_url)
    await check_database_current(database)
    stop = asyncio.Event()

    server: QuietSignalsServer | None = None
    if serve_api:
        # Imported here so that `gestly worker` never loads the web stack: the
        # worker's resident memory is about 34 MiB smaller without it.
        from gestly.api.dependencies import Services
        from gestly.api.server import build_server

        services = Services(settings, database, clock, policy, lookup)
        server = build_server(services, settings.host, settings.port)

    def request_stop() -> None:
        logger.info("stop requested", extra={"action": "process.stopping"})
        stop.set()
        if server is not None:
            server.should_exit = True

    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, request_stop)

    if settings.development:
        logger.warning(
            "development mode: deliveries may go to loopback addresses and plain "
            "http; never use it in production",
            extra={"action": "process.development_mode"},
        )

    tasks: list[asyncio.Task[None]] = []
    try:
        async with Sender(
            policy,
            timeout_s=settings.request_timeout_s,
            max_connections=settings.worker_concurrency,
            user_agent=USER_AGENT,
            lookup=lookup,
        ) as sender:
            if run_worker:
                worker = DeliveryWorker(
                    database, sender, clock, worker_options(settings)
                )
                tasks.append(asyncio.create_task(worker.run(stop)))
            retention = timedelta(days=settings.log_retention_days)
            tasks.append(
                asyncio.create_task(run_scheduler(database, clock, retention, stop))
            )
            if serve_api:
                assert server is not None
                await server.serve()
                stop.set()
            await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await database.close()
