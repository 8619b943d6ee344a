"""Constants and builders shared by the SDK's tests."""

import json
from pathlib import Path
from typing import Any

EVENT_ID = "evt_01JD3Z8X5RM0QF2W6YH8TKC4NB"
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
OTHER_SECRET = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"
VECTORS = json.loads((Path(__file__).parent / "vectors.json").read_text("utf-8"))


def envelope(event_type: str = "customer.create", **data: Any) -> bytes:
    body = {
        "id": EVENT_ID,
        "type": event_type,
        "created_at": "2026-01-01T10:00:00Z",
        "data": data
        or {
            "id": "cus_01",
            "name": "João Silva",
            "email": None,
            "phone": "+5511987654321",
            "created_at": "2026-01-01T10:00:00Z",
            "updated_at": "2026-01-01T10:00:00Z",
        },
    }
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
