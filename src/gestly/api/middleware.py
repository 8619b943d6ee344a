"""Request-level rules that hold for every route: a body size cap and
``Idempotency-Key`` replays.

A POST carrying ``Idempotency-Key`` is carried out once; the same key with the same
request within ``IDEMPOTENCY_TTL`` gets the stored answer again (marked with
``Idempotent-Replayed: true``), the same key with a different request is refused, and
a request whose twin is still running is told to retry in a moment.
"""

import hashlib
import json
from datetime import datetime
from typing import Any, Final

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gestly.api.errors import error_body
from gestly.storage.accounts import find_token_account
from gestly.storage.database import Database
from gestly.storage.schema import IDEMPOTENCY_TTL, idempotency_keys

MAX_BODY_BYTES: Final = 1024 * 1024
MAX_IDEMPOTENCY_KEY_CHARS: Final = 255
BODY_METHODS: Final = frozenset({"POST", "PUT", "PATCH"})
PENDING_STATUS: Final = 0  # stored while the request with the key still runs


class BodyTooLargeError(Exception):
    pass


async def send_json(send: Send, status: int, body: dict[str, Any]) -> None:
    payload = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


async def read_body(receive: Receive, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLargeError
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


class RequestRulesMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if "\x00" in scope["path"] or b"%00" in scope.get("query_string", b""):
            # No id, filter or name holds NUL; PostgreSQL could not even compare it.
            await send_json(
                send,
                400,
                error_body("bad_request", "the URL contains a NUL character", None),
            )
            return
        if scope["method"] not in BODY_METHODS:
            await self.app(scope, receive, send)
            return

        declared = header(scope, b"content-length")
        if (
            declared is not None
            and declared.isdigit()
            and int(declared) > MAX_BODY_BYTES
        ):
            await self.refuse_large(send)
            return
        try:
            body = await read_body(receive, MAX_BODY_BYTES)
        except BodyTooLargeError:
            await self.refuse_large(send)
            return

        replayed = False

        async def replay_receive() -> Message:
            nonlocal replayed
            if replayed:
                return {"type": "http.disconnect"}
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        key = header(scope, b"idempotency-key")
        if scope["method"] == "POST" and key is not None:
            await self.answer_once(scope, replay_receive, send, key, body)
            return
        await self.app(scope, replay_receive, send)

    async def refuse_large(self, send: Send) -> None:
        await send_json(
            send,
            413,
            error_body(
                "payload_too_large",
                f"the request body is larger than {MAX_BODY_BYTES} bytes",
                None,
            ),
        )

    async def answer_once(
        self, scope: Scope, receive: Receive, send: Send, key: str, body: bytes
    ) -> None:
        """Reserve the key, run the request, store its answer, then send it.

        The answer is stored before the client sees it, so a retry that follows at
        once is a replay; a concurrent request with the same key finds the
        reservation and is told to wait. An answer of 5xx frees the key for a retry.
        """
        if not key or len(key) > MAX_IDEMPOTENCY_KEY_CHARS or "\x00" in key:
            await send_json(
                send,
                400,
                error_body(
                    "invalid_idempotency_key",
                    f"Idempotency-Key must be 1 to {MAX_IDEMPOTENCY_KEY_CHARS} "
                    "characters",
                    "Idempotency-Key",
                ),
            )
            return
        services = scope["app"].state.services
        authorization = header(scope, b"authorization") or ""
        token = authorization.partition(" ")[2].strip()
        async with services.database.read() as connection:
            found = await find_token_account(connection, token) if token else None
        if found is None:
            await self.app(scope, receive, send)
            return
        account_id = found[1]
        fingerprint = hashlib.sha256(
            scope["method"].encode() + b" " + scope["path"].encode() + b"\n" + body
        ).hexdigest()
        now: datetime = services.clock.now()

        stored = await reserve_key(services.database, account_id, key, fingerprint, now)
        if stored is not None:
            await self.answer_from_store(send, stored, fingerprint)
            return

        where = (idempotency_keys.c.account_id == account_id) & (
            idempotency_keys.c.key == key
        )
        try:
            status, headers, answer = await run_buffered(self.app, scope, receive)
        except BaseException:
            # The request died without an answer: free the key for a retry.
            async with services.database.transaction() as tx:
                await tx.connection.execute(delete(idempotency_keys).where(where))
            raise
        async with services.database.transaction() as tx:
            if status >= 500:
                await tx.connection.execute(delete(idempotency_keys).where(where))
            else:
                await tx.connection.execute(
                    update(idempotency_keys)
                    .where(where)
                    .values(status_code=status, response_body=answer)
                )
        await send(
            {"type": "http.response.start", "status": status, "headers": headers}
        )
        await send({"type": "http.response.body", "body": answer})

    async def answer_from_store(
        self, send: Send, stored: Any, fingerprint: str
    ) -> None:
        if stored.request_fingerprint != fingerprint:
            await send_json(
                send,
                422,
                error_body(
                    "idempotency_key_reused",
                    "this Idempotency-Key was used with a different request; "
                    "use a new key for a new request",
                    "Idempotency-Key",
                ),
            )
        elif stored.status_code == PENDING_STATUS:
            await send_json(
                send,
                409,
                error_body(
                    "idempotency_key_in_use",
                    "a request with this Idempotency-Key is still running; retry "
                    "in a moment to get its answer",
                    "Idempotency-Key",
                ),
            )
        else:
            await self.replay(send, stored.status_code, stored.response_body)

    async def replay(self, send: Send, status: int, body: bytes) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"idempotent-replayed", b"true"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


async def reserve_key(
    database: Database, account_id: str, key: str, fingerprint: str, now: datetime
) -> Any:
    """Insert a pending row for the key; return the existing row if there is one.

    An expired row is replaced. The unique (account, key) pair settles races: of
    two requests inserting at once, one gets the row and the other sees it.
    """
    async with database.transaction() as tx:
        await tx.connection.execute(
            delete(idempotency_keys).where(
                idempotency_keys.c.account_id == account_id,
                idempotency_keys.c.key == key,
                idempotency_keys.c.created_at <= now - IDEMPOTENCY_TTL,
            )
        )
        try:
            async with tx.connection.begin_nested():
                await tx.connection.execute(
                    insert(idempotency_keys).values(
                        account_id=account_id,
                        key=key,
                        request_fingerprint=fingerprint,
                        status_code=PENDING_STATUS,
                        response_body=b"",
                        created_at=now,
                    )
                )
        except IntegrityError:
            return (
                await tx.connection.execute(
                    select(idempotency_keys).where(
                        idempotency_keys.c.account_id == account_id,
                        idempotency_keys.c.key == key,
                    )
                )
            ).first()
    return None


async def run_buffered(
    app: ASGIApp, scope: Scope, receive: Receive
) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """Run the request and keep its whole answer instead of sending it."""
    start: dict[str, Any] = {"status": 500, "headers": []}
    chunks: list[bytes] = []

    async def keep(message: Message) -> None:
        if message["type"] == "http.response.start":
            start.update(status=message["status"], headers=message.get("headers", []))
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, keep)
    return int(start["status"]), list(start["headers"]), b"".join(chunks)
