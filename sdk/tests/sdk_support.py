"""Secrets, payloads and builders shared by the SDK's tests."""

import json
import time
from pathlib import Path
from typing import Any

from gestly_sdk import Webhook

EVENT_ID = "evt_01JD3Z8X5RM0QF2W6YH8TKC4NB"
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
OTHER_SECRET = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"
VECTORS: list[dict[str, Any]] = json.loads(
    (Path(__file__).parent / "vectors.json").read_text("utf-8")
)

CUSTOMER_REFERENCE = {"id": "cus_01", "name": "João Silva"}
APPOINTMENT: dict[str, Any] = {
    "id": "apt_01",
    "customer": CUSTOMER_REFERENCE,
    "service": {"id": "srv_01", "name": "Corte"},
    "professional": {"id": "stf_01", "name": "Marta"},
    "start_time": "2026-01-02T14:00:00Z",
    "end_time": "2026-01-02T14:30:00Z",
    "status": "scheduled",
    "notes": None,
    "created_at": "2026-01-01T10:00:00Z",
    "updated_at": "2026-01-01T10:00:00Z",
    "cancelled_at": None,
    "cancellation_reason": None,
}
CUSTOMER: dict[str, Any] = {
    "id": "cus_01",
    "name": "João Silva",
    "email": "joao@example.com",
    "phone": "+5511987654321",
    "created_at": "2026-01-01T10:00:00Z",
    "updated_at": "2026-01-01T10:00:00Z",
}
REVIEW: dict[str, Any] = {
    "id": "rev_01",
    "rating": 5,
    "comment": "Ótimo! 💈",
    "customer": CUSTOMER_REFERENCE,
    "appointment_id": "apt_01",
    "created_at": "2026-01-03T09:00:00Z",
    "response": None,
}
# One documented payload per event type, as the server sends it.
PAYLOADS: dict[str, dict[str, Any]] = {
    "appointment.create": APPOINTMENT,
    "appointment.update": {
        **APPOINTMENT,
        "status": "confirmed",
        "previous_attributes": {"status": "scheduled"},
    },
    "appointment.cancel": {
        **APPOINTMENT,
        "status": "cancelled",
        "cancelled_at": "2026-01-01T12:00:00Z",
        "cancellation_reason": "Cliente desmarcou",
    },
    "appointment.reminder": {**APPOINTMENT, "reminder": {"lead_time_minutes": 1440}},
    "customer.create": CUSTOMER,
    "customer.update": {**CUSTOMER, "previous_attributes": {"email": None}},
    "review.create": REVIEW,
    "review.response": {
        **REVIEW,
        "response": {"text": "Obrigado!", "created_at": "2026-01-03T10:00:00Z"},
    },
    "loyalty.points_earned": {
        "customer": CUSTOMER_REFERENCE,
        "points": 10,
        "balance": 130,
        "reason": "appointment_completed",
        "appointment_id": "apt_01",
        "created_at": "2026-01-02T15:00:00Z",
    },
    "loyalty.reward_redeemed": {
        "id": "red_01",
        "customer": CUSTOMER_REFERENCE,
        "reward": {"id": "rwd_01", "name": "Corte grátis", "points_cost": 100},
        "balance": 30,
        "created_at": "2026-01-04T10:00:00Z",
    },
}


def envelope(
    event_type: str = "customer.create",
    data: dict[str, Any] | None = None,
    event_id: str = EVENT_ID,
) -> bytes:
    """The body exactly as Gestly serializes it."""
    body = {
        "id": event_id,
        "type": event_type,
        "created_at": "2026-01-01T10:00:00Z",
        "data": PAYLOADS[event_type] if data is None else data,
    }
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def signed_now(
    body: bytes, secret: str = SECRET, event_id: str = EVENT_ID
) -> dict[str, str]:
    return Webhook(secret).sign(event_id, int(time.time()), body)
