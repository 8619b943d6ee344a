"""Domain objects as the JSON the API returns. Times are ISO 8601 UTC with ``Z``."""

import json
from datetime import datetime
from typing import Any

from gestly.clock import format_precise_timestamp, format_timestamp
from gestly.delivery.sender import ERROR_DESCRIPTIONS, ErrorKind
from gestly.storage.deliveries import DeliverySummary
from gestly.storage.endpoints import Endpoint
from gestly.storage.events import StoredEvent


def timestamp_or_none(moment: datetime | None) -> str | None:
    return None if moment is None else format_timestamp(moment)


def endpoint_json(
    endpoint: Endpoint, now: datetime, *, with_secret: bool
) -> dict[str, Any]:
    rotating = len(endpoint.active_secrets(now)) > 1
    body: dict[str, Any] = {
        "id": endpoint.id,
        "url": endpoint.url,
        "description": endpoint.description,
        "events": endpoint.event_types,
        "enabled": endpoint.enabled,
        "mode": endpoint.mode,
        "disabled_reason": endpoint.disabled_reason,
        "created_at": format_timestamp(endpoint.created_at),
        "updated_at": format_timestamp(endpoint.updated_at),
        "previous_secret_expires_at": timestamp_or_none(
            endpoint.previous_secret_expires_at if rotating else None
        ),
    }
    if with_secret:
        body["secret"] = endpoint.secret
    return body


def event_json(event: StoredEvent) -> dict[str, Any]:
    """The event exactly as delivered: the stored body, parsed."""
    envelope: dict[str, Any] = json.loads(event.body)
    return envelope


def delivery_json(delivery: DeliverySummary) -> dict[str, Any]:
    return {
        "id": delivery.id,
        "event_id": delivery.event_id,
        "endpoint_id": delivery.endpoint_id,
        "event_type": delivery.event_type,
        "status": delivery.status.value,
        "attempt_count": delivery.attempt_count,
        "next_attempt_at": timestamp_or_none(delivery.next_attempt_at),
        "attempt_in_progress": delivery.in_progress,
        "last_status_code": delivery.last_status_code,
        "last_error": delivery.last_error,
        "created_at": format_timestamp(delivery.created_at),
        "updated_at": format_timestamp(delivery.updated_at),
    }


def attempt_json(attempt: dict[str, Any], request_body: str) -> dict[str, Any]:
    kind = attempt["error_kind"]
    return {
        "id": attempt["id"],
        "number": attempt["number"],
        "trigger": attempt["trigger"],
        "started_at": format_precise_timestamp(attempt["started_at"]),
        "duration_ms": attempt["duration_ms"],
        "succeeded": attempt["succeeded"],
        "request": {"headers": attempt["request_headers"], "body": request_body},
        "response": None
        if attempt["status_code"] is None
        else {
            "status_code": attempt["status_code"],
            "headers": attempt["response_headers"],
            "body": attempt["response_body"],
            "body_truncated": attempt["response_truncated"],
        },
        "error": None
        if kind is None
        else {
            "kind": kind,
            "description": ERROR_DESCRIPTIONS[ErrorKind(kind)],
            "message": attempt["error_message"],
        },
    }
