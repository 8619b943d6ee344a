"""The event envelope and its one and only serialization.

A body is serialized once, when the event is stored, and those bytes are sent on every
attempt. The format is what the docs' Node.js receiver gets back from
``JSON.stringify(req.body)`` after ``express.json()``: no spaces, non-ASCII text as
UTF-8 rather than ``\\u`` escapes, and the same escapes for control characters. Two
things JavaScript would change are ruled out here: floats (payloads carry integer
cents) and object keys that look like array indexes (JavaScript moves those first).
"""

import json
from datetime import datetime
from typing import Any, Final

from gestly.clock import format_timestamp

MAX_SAFE_INTEGER: Final = 2**53 - 1


class PayloadError(ValueError):
    """A payload that would not survive a round trip through a JavaScript receiver."""


def check_portable(value: Any, path: str = "data") -> None:
    """Refuse what ``JSON.parse`` followed by ``JSON.stringify`` would not reproduce."""
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, float):
        raise PayloadError(f"{path} is a float; payloads carry integers only")
    if isinstance(value, int):
        if abs(value) > MAX_SAFE_INTEGER:
            raise PayloadError(f"{path} is larger than JavaScript integers allow")
        return
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise PayloadError(f"{path} holds text that is not valid Unicode") from exc
        return
    if isinstance(value, list):
        for index, item in enumerate(value):
            check_portable(item, f"{path}[{index}]")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str) or key.isdigit():
                raise PayloadError(f"{path} has the key {key!r}; keys are names")
            check_portable(key, f"{path} key {key!r}")
            check_portable(item, f"{path}.{key}")
        return
    raise PayloadError(f"{path} is a {type(value).__name__}, not a JSON value")


def build_envelope(
    event_id: str, event_type: str, created_at: datetime, data: dict[str, Any]
) -> dict[str, Any]:
    return {
        "id": event_id,
        "type": event_type,
        "created_at": format_timestamp(created_at),
        "data": data,
    }


def serialize(envelope: dict[str, Any]) -> bytes:
    """Return the UTF-8 body that every attempt of this event sends."""
    check_portable(envelope, "event")
    text = json.dumps(envelope, ensure_ascii=False, separators=(",", ":"))
    return text.encode("utf-8")
