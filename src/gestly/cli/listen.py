"""``gestly listen``: receive an account's deliveries on a developer's machine.

The CLI opens a WebSocket to the server (``/v1/listen``, authenticated with the API
token), receives each delivery of the account's ``listen`` endpoint as it happens,
forwards it to a local URL with exactly the headers and body of a real attempt,
prints one line for it, and reports the local answer back, so the delivery log shows
it. When the connection drops it reconnects, and deliveries missed meanwhile arrive
then.
"""

import asyncio
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Final
from urllib.parse import urlencode, urlsplit, urlunsplit

import aiohttp

FORWARD_TIMEOUT_S: Final = 15.0
RESPONSE_CAP_BYTES: Final = 16 * 1024
MAX_BACKOFF_S: Final = 30.0
REFUSAL_MESSAGE: Final = "the API token was refused; check --token or GESTLY_API_TOKEN"


def websocket_url(api_url: str, events: list[str]) -> str:
    parts = urlsplit(api_url.rstrip("/"))
    scheme = {"http": "ws", "https": "wss"}.get(parts.scheme)
    if scheme is None:
        raise ValueError(f"--api-url {api_url!r} must start with http:// or https://")
    path = parts.path.removesuffix("/v1") + "/v1/listen"
    query = urlencode({"events": ",".join(events)}) if events else ""
    return urlunsplit((scheme, parts.netloc, path, query, ""))


async def forward(
    session: aiohttp.ClientSession, url: str, delivery: dict[str, Any]
) -> dict[str, Any]:
    """POST one delivery to the local URL; describe the answer as a ``result``."""
    started = time.perf_counter()
    result: dict[str, Any] = {"type": "result", "delivery_id": delivery["delivery_id"]}
    try:
        async with session.post(
            url,
            data=delivery["body"].encode("utf-8"),
            headers={**delivery["headers"], "content-type": "application/json"},
            allow_redirects=False,
            timeout=aiohttp.ClientTimeout(total=FORWARD_TIMEOUT_S),
        ) as response:
            body = await response.content.read(RESPONSE_CAP_BYTES)
            result.update(
                status_code=response.status,
                headers=dict(response.headers),
                body=body.decode("utf-8", errors="replace"),
            )
    except TimeoutError:
        result.update(
            error_kind="timeout", error_message="the local receiver timed out"
        )
    except aiohttp.ClientConnectorError as exc:
        if isinstance(exc.os_error, ConnectionRefusedError):
            result.update(
                error_kind="connection_refused",
                error_message="the local receiver refused the connection",
            )
        else:
            result.update(error_kind="connection_error", error_message=str(exc))
    except aiohttp.ClientError as exc:
        result.update(error_kind="connection_error", error_message=str(exc))
    result["duration_ms"] = round((time.perf_counter() - started) * 1000)
    return result


def describe(delivery: dict[str, Any], result: dict[str, Any]) -> str:
    """One line per event: time, type, id, local status, duration."""
    moment = datetime.now(UTC).strftime("%H:%M:%S")
    outcome = result.get("status_code") or result.get("error_kind", "error")
    return (
        f"{moment}  {delivery['event_type']:<24} {delivery['event_id']}  "
        f"→ {outcome} ({result['duration_ms']} ms)"
    )


async def listen(
    api_url: str,
    token: str,
    forward_to: str,
    events: list[str],
    *,
    show: Callable[[str], None] = print,
    stop: asyncio.Event | None = None,
) -> None:
    """Forward deliveries until ``stop`` is set (or forever), reconnecting as needed."""
    stop = stop or asyncio.Event()
    url = websocket_url(api_url, events)
    backoff = 1.0
    async with aiohttp.ClientSession() as session:
        while not stop.is_set():
            try:
                await relay(session, url, token, forward_to, show, stop)
                backoff = 1.0
            except PermissionError as exc:
                show(f"gestly listen: {exc}")
                return
            except aiohttp.WSServerHandshakeError as exc:
                if exc.status in {401, 403}:
                    show(f"gestly listen: {REFUSAL_MESSAGE}")
                    return
                show(f"connection refused by the server ({exc.status}); retrying")
            except (aiohttp.ClientError, OSError) as exc:
                show(f"connection lost ({exc}); reconnecting in {backoff:g} s")
            if stop.is_set():
                return
            try:
                await asyncio.wait_for(stop.wait(), backoff)
            except TimeoutError:
                backoff = min(backoff * 2, MAX_BACKOFF_S)


async def relay(
    session: aiohttp.ClientSession,
    url: str,
    token: str,
    forward_to: str,
    show: Callable[[str], None],
    stop: asyncio.Event,
) -> None:
    async with session.ws_connect(
        url, headers={"Authorization": f"Bearer {token}"}, heartbeat=20
    ) as socket:
        stop_waiter = asyncio.ensure_future(stop.wait())
        try:
            while not stop.is_set():
                receiving = asyncio.ensure_future(socket.receive())
                await asyncio.wait(
                    {receiving, stop_waiter}, return_when=asyncio.FIRST_COMPLETED
                )
                if not receiving.done():
                    receiving.cancel()
                    return
                message = receiving.result()
                if message.type != aiohttp.WSMsgType.TEXT:
                    if socket.close_code == 4401:
                        raise PermissionError(REFUSAL_MESSAGE)
                    raise aiohttp.ClientConnectionError("the server closed the socket")
                data = json.loads(message.data)
                if data["type"] == "ready":
                    show(
                        f"Ready. Forwarding to {forward_to}. Endpoint "
                        f"{data['endpoint_id']}; its secret, for your receiver: "
                        f"{data['secret']}"
                    )
                elif data["type"] == "delivery":
                    result = await forward(session, forward_to, data)
                    await socket.send_json(result)
                    show(describe(data, result))
        finally:
            stop_waiter.cancel()
