"""``/v1/listen``: the WebSocket behind ``gestly listen``.

A developer's machine cannot be reached from the server, so the CLI connects here
instead. The account gets one ``listen`` endpoint; its deliveries are not sent by the
worker but claimed by this session, signed exactly as a real attempt, and pushed down
the socket. The CLI forwards each to the local URL and sends back what happened,
which is recorded as the attempt, so it shows in the delivery log like any other.

Messages are JSON. Server to CLI: ``ready`` (endpoint id and secret) and
``delivery``; CLI to server: ``result``.
"""

import asyncio
import contextlib
import logging
import random
from datetime import timedelta
from typing import Any, Final

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from sqlalchemy import select

from gestly.api.dependencies import Services, authenticate
from gestly.api.errors import ApiError
from gestly.delivery.policy import next_state
from gestly.delivery.sender import AttemptResult, ErrorKind, clean_text
from gestly.delivery.worker import attempt_record, delivery_headers
from gestly.storage.database import Database
from gestly.storage.deliveries import (
    ClaimedDelivery,
    claim_due_deliveries,
    record_attempts,
    release_claims,
)
from gestly.storage.endpoints import (
    LISTEN_MODE,
    Endpoint,
    create_endpoint,
    endpoint_from_row,
)
from gestly.storage.schema import endpoints
from gestly.webhooks.catalog import EVENT_TYPES

logger = logging.getLogger(__name__)

router = APIRouter(tags=["listen"])

LISTEN_URL: Final = "gestly-listen://local"
LISTEN_LEASE: Final = timedelta(seconds=60)
LISTEN_BATCH: Final = 20
POLL_INTERVAL_S: Final = 0.5


async def listen_endpoint(
    database: Database,
    account_id: str,
    event_types: list[str] | None,
    services: Services,
) -> Endpoint:
    """The account's listen endpoint, made on first use; its events follow the CLI."""
    now = services.clock.now()
    async with database.transaction() as tx:
        row = (
            await tx.connection.execute(
                select(endpoints).where(
                    endpoints.c.account_id == account_id,
                    endpoints.c.mode == LISTEN_MODE,
                    endpoints.c.deleted_at.is_(None),
                )
            )
        ).first()
        if row is None:
            return await create_endpoint(
                tx,
                account_id=account_id,
                url=LISTEN_URL,
                description="gestly listen",
                event_types=event_types,
                enabled=True,
                now=now,
                mode=LISTEN_MODE,
            )
        await tx.connection.execute(
            endpoints.update()
            .where(endpoints.c.id == row.id)
            .values(event_types=event_types or ["*"], enabled=True, updated_at=now)
        )
        return endpoint_from_row(row)


def result_from_message(message: dict[str, Any]) -> AttemptResult:
    """What the CLI reports, checked and cleaned like a real response."""
    status = message.get("status_code")
    kind = message.get("error_kind")
    error_kind = ErrorKind(kind) if kind in set(ErrorKind) else None
    if not isinstance(status, int) or isinstance(status, bool):
        status = None
        error_kind = error_kind or ErrorKind.CONNECTION_ERROR
    elif not 200 <= status < 300:
        error_kind = error_kind or (
            ErrorKind.REDIRECT if 300 <= status < 400 else ErrorKind.HTTP_STATUS
        )
    headers = message.get("headers")
    body = message.get("body")
    duration = message.get("duration_ms")
    return AttemptResult(
        succeeded=error_kind is None,
        duration_ms=duration if isinstance(duration, int) else 0,
        status_code=status,
        response_headers={
            clean_text(str(name).encode())[:200]: clean_text(str(value).encode())[:1000]
            for name, value in headers.items()
        }
        if isinstance(headers, dict)
        else None,
        response_body=clean_text(str(body).encode())[:16384]
        if body is not None
        else None,
        error_kind=error_kind,
        error_message=clean_text(str(message.get("error_message") or "").encode())[:500]
        or (None if error_kind is None else f"local receiver: {error_kind.value}"),
    )


class ListenSession:
    def __init__(
        self, websocket: WebSocket, services: Services, endpoint: Endpoint
    ) -> None:
        self.websocket = websocket
        self.services = services
        self.endpoint_id: str = endpoint.id
        self.waiting: dict[str, tuple[ClaimedDelivery, dict[str, str], Any]] = {}
        self.wakeup = asyncio.Event()
        self.rng = random.Random()  # noqa: S311 - jitter, not cryptography

    async def push_deliveries(self) -> None:
        while True:
            async with self.services.database.transaction() as tx:
                claimed = await claim_due_deliveries(
                    tx,
                    now=self.services.clock.now(),
                    limit=LISTEN_BATCH,
                    lease=LISTEN_LEASE,
                    per_endpoint_room={},
                    endpoint_cap=LISTEN_BATCH,
                    only_endpoint_id=self.endpoint_id,
                )
            for delivery in claimed:
                started_at = self.services.clock.now()
                headers = delivery_headers(delivery, started_at)
                self.waiting[delivery.id] = (delivery, headers, started_at)
                await self.websocket.send_json(
                    {
                        "type": "delivery",
                        "delivery_id": delivery.id,
                        "event_id": delivery.event_id,
                        "event_type": delivery.event_type,
                        "headers": headers,
                        "body": delivery.body.decode("utf-8"),
                    }
                )
            if not claimed:
                self.wakeup.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.wakeup.wait(), POLL_INTERVAL_S)

    async def record_results(self) -> None:
        while True:
            message = await self.websocket.receive_json()
            if not isinstance(message, dict) or message.get("type") != "result":
                continue
            waiting = self.waiting.pop(str(message.get("delivery_id")), None)
            if waiting is None:
                continue
            delivery, headers, started_at = waiting
            result = result_from_message(message)
            outcome = next_state(delivery, result, self.services.clock.now(), self.rng)
            async with self.services.database.transaction() as tx:
                await record_attempts(
                    tx,
                    [(attempt_record(delivery, started_at, headers, result), outcome)],
                    self.services.clock.now(),
                )

    async def release(self) -> None:
        if self.waiting:
            async with self.services.database.transaction() as tx:
                await release_claims(
                    tx,
                    [delivery for delivery, _, _ in self.waiting.values()],
                    self.services.clock.now(),
                )


@router.websocket("/v1/listen")
async def listen(websocket: WebSocket) -> None:
    services: Services = websocket.app.state.services
    try:
        account_id = await authenticate(
            services, websocket.headers.get("authorization", "")
        )
    except ApiError as exc:
        await websocket.close(code=4401, reason=exc.message)
        return
    requested = [
        name
        for name in websocket.query_params.get("events", "").split(",")
        if name in EVENT_TYPES
    ]
    endpoint = await listen_endpoint(
        services.database, account_id, requested or None, services
    )
    await websocket.accept()
    await websocket.send_json(
        {"type": "ready", "endpoint_id": endpoint.id, "secret": endpoint.secret}
    )
    logger.info(
        "listen session started account_id=%s endpoint_id=%s",
        account_id,
        endpoint.id,
        extra={"action": "listen.started"},
    )

    session = ListenSession(websocket, services, endpoint)
    services.database.add_wakeup_listener(session.wakeup.set)
    tasks = [
        asyncio.create_task(session.push_deliveries()),
        asyncio.create_task(session.record_results()),
    ]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
    except WebSocketDisconnect:
        pass
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        services.database.wakeup_listeners.remove(session.wakeup.set)
        await session.release()
        logger.info(
            "listen session ended endpoint_id=%s",
            endpoint.id,
            extra={"action": "listen.ended"},
        )
