"""The event catalog: the ten documented event types, each with a JSON Schema of its
``data`` and an example, grouped as in the public docs.

``GET /v1/event_types`` serves this catalog, ``/test`` sends its examples, and the tests
check that every event Gestly emits validates against its schema.
"""

from dataclasses import dataclass
from typing import Any, Final

JsonObject = dict[str, Any]

TIMESTAMP: Final[JsonObject] = {
    "type": "string",
    "format": "date-time",
    "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$",
}
NULLABLE_TIMESTAMP: Final[JsonObject] = {"anyOf": [TIMESTAMP, {"type": "null"}]}
NULLABLE_STRING: Final[JsonObject] = {"type": ["string", "null"]}


def id_schema(prefix: str) -> JsonObject:
    return {"type": "string", "pattern": f"^{prefix}_[0-9A-Za-z]+$"}


def reference_schema(prefix: str) -> JsonObject:
    """``{"id": …, "name": …}``: how one object names another inside a payload."""
    return closed_object({"id": id_schema(prefix), "name": {"type": "string"}})


def closed_object(properties: JsonObject, optional: tuple[str, ...] = ()) -> JsonObject:
    return {
        "type": "object",
        "properties": properties,
        "required": [name for name in properties if name not in optional],
        "additionalProperties": False,
    }


APPOINTMENT_STATUSES: Final = [
    "scheduled",
    "confirmed",
    "completed",
    "no_show",
    "cancelled",
]

APPOINTMENT_PROPERTIES: Final[JsonObject] = {
    "id": id_schema("apt"),
    "customer": reference_schema("cus"),
    "service": reference_schema("srv"),
    "professional": {"anyOf": [reference_schema("stf"), {"type": "null"}]},
    "start_time": TIMESTAMP,
    "end_time": TIMESTAMP,
    "status": {"enum": APPOINTMENT_STATUSES},
    "notes": NULLABLE_STRING,
    "created_at": TIMESTAMP,
    "updated_at": TIMESTAMP,
    "cancelled_at": NULLABLE_TIMESTAMP,
    "cancellation_reason": NULLABLE_STRING,
}

CUSTOMER_PROPERTIES: Final[JsonObject] = {
    "id": id_schema("cus"),
    "name": {"type": "string"},
    "email": NULLABLE_STRING,
    "phone": {"type": ["string", "null"], "pattern": r"^\+[1-9]\d{6,14}$"},
    "created_at": TIMESTAMP,
    "updated_at": TIMESTAMP,
}

REVIEW_RESPONSE: Final[JsonObject] = closed_object(
    {"text": {"type": "string"}, "created_at": TIMESTAMP}
)

REVIEW_PROPERTIES: Final[JsonObject] = {
    "id": id_schema("rev"),
    "rating": {"type": "integer", "minimum": 1, "maximum": 5},
    "comment": NULLABLE_STRING,
    "customer": reference_schema("cus"),
    "appointment_id": id_schema("apt"),
    "created_at": TIMESTAMP,
    "response": {"anyOf": [REVIEW_RESPONSE, {"type": "null"}]},
}

PREVIOUS_ATTRIBUTES: Final[JsonObject] = {
    "type": "object",
    "description": "The old value of every field that changed, and only those.",
}


@dataclass(frozen=True, slots=True)
class EventType:
    name: str
    group: str
    description: str
    schema: JsonObject
    example: JsonObject

    def as_json(self) -> JsonObject:
        return {
            "name": self.name,
            "group": self.group,
            "description": self.description,
            "schema": self.schema,
            "example": self.example,
        }


EXAMPLE_APPOINTMENT: Final[JsonObject] = {
    "id": "apt_01JD3Z8X5RM0QF2W6YH8TKC4NB",
    "customer": {"id": "cus_01JD3Z7P2K9V4S6XTQ3MRA1BCE", "name": "João Silva"},
    "service": {"id": "srv_01JD3Z6A1F7H2N8C5DWEKG0P3Q", "name": "Corte"},
    "professional": {"id": "stf_01JD3Z5M4T8R1X6B9VPCQH2JWA", "name": "Ana Souza"},
    "start_time": "2026-01-02T14:00:00Z",
    "end_time": "2026-01-02T14:30:00Z",
    "status": "scheduled",
    "notes": "Prefere máquina 2 nas laterais",
    "created_at": "2026-01-01T10:00:00Z",
    "updated_at": "2026-01-01T10:00:00Z",
    "cancelled_at": None,
    "cancellation_reason": None,
}

EXAMPLE_CUSTOMER: Final[JsonObject] = {
    "id": "cus_01JD3Z7P2K9V4S6XTQ3MRA1BCE",
    "name": "João Silva",
    "email": "joao.silva@example.com",
    "phone": "+5511987654321",
    "created_at": "2026-01-01T10:00:00Z",
    "updated_at": "2026-01-01T10:00:00Z",
}

EXAMPLE_REVIEW: Final[JsonObject] = {
    "id": "rev_01JD40A2C6E8G0J2M4P6R8T0V2",
    "rating": 5,
    "comment": "Atendimento excelente! 💈",
    "customer": {"id": "cus_01JD3Z7P2K9V4S6XTQ3MRA1BCE", "name": "João Silva"},
    "appointment_id": "apt_01JD3Z8X5RM0QF2W6YH8TKC4NB",
    "created_at": "2026-01-02T16:00:00Z",
    "response": None,
}

CATALOG: Final = (
    EventType(
        name="appointment.create",
        group="Agendamentos",
        description="Novo agendamento criado",
        schema=closed_object(APPOINTMENT_PROPERTIES),
        example=EXAMPLE_APPOINTMENT,
    ),
    EventType(
        name="appointment.update",
        group="Agendamentos",
        description="Agendamento atualizado (horário, status ou observações)",
        schema=closed_object(
            {**APPOINTMENT_PROPERTIES, "previous_attributes": PREVIOUS_ATTRIBUTES}
        ),
        example={
            **EXAMPLE_APPOINTMENT,
            "start_time": "2026-01-02T15:00:00Z",
            "end_time": "2026-01-02T15:30:00Z",
            "updated_at": "2026-01-01T12:00:00Z",
            "previous_attributes": {
                "start_time": "2026-01-02T14:00:00Z",
                "end_time": "2026-01-02T14:30:00Z",
                "updated_at": "2026-01-01T10:00:00Z",
            },
        },
    ),
    EventType(
        name="appointment.cancel",
        group="Agendamentos",
        description="Agendamento cancelado",
        schema=closed_object(APPOINTMENT_PROPERTIES),
        example={
            **EXAMPLE_APPOINTMENT,
            "status": "cancelled",
            "updated_at": "2026-01-01T18:00:00Z",
            "cancelled_at": "2026-01-01T18:00:00Z",
            "cancellation_reason": "Cliente pediu para remarcar",
        },
    ),
    EventType(
        name="appointment.reminder",
        group="Agendamentos",
        description="Lembrete de agendamento",
        schema=closed_object(
            {
                **APPOINTMENT_PROPERTIES,
                "reminder": closed_object(
                    {"lead_time_minutes": {"type": "integer", "minimum": 0}}
                ),
            }
        ),
        example={**EXAMPLE_APPOINTMENT, "reminder": {"lead_time_minutes": 1440}},
    ),
    EventType(
        name="customer.create",
        group="Clientes",
        description="Novo cliente cadastrado",
        schema=closed_object(CUSTOMER_PROPERTIES),
        example=EXAMPLE_CUSTOMER,
    ),
    EventType(
        name="customer.update",
        group="Clientes",
        description="Dados do cliente atualizados",
        schema=closed_object(
            {**CUSTOMER_PROPERTIES, "previous_attributes": PREVIOUS_ATTRIBUTES}
        ),
        example={
            **EXAMPLE_CUSTOMER,
            "phone": "+5511912345678",
            "updated_at": "2026-01-03T09:00:00Z",
            "previous_attributes": {
                "phone": "+5511987654321",
                "updated_at": "2026-01-01T10:00:00Z",
            },
        },
    ),
    EventType(
        name="review.create",
        group="Avaliações",
        description="Nova avaliação recebida",
        schema=closed_object(REVIEW_PROPERTIES),
        example=EXAMPLE_REVIEW,
    ),
    EventType(
        name="review.response",
        group="Avaliações",
        description="Resposta à avaliação",
        schema=closed_object(REVIEW_PROPERTIES),
        example={
            **EXAMPLE_REVIEW,
            "response": {
                "text": "Obrigado, João! Até a próxima.",
                "created_at": "2026-01-02T18:30:00Z",
            },
        },
    ),
    EventType(
        name="loyalty.points_earned",
        group="Fidelidade",
        description="Pontos creditados",
        schema=closed_object(
            {
                "customer": reference_schema("cus"),
                "points": {"type": "integer", "minimum": 1},
                "balance": {"type": "integer", "minimum": 0},
                "reason": {"type": "string"},
                "appointment_id": {"anyOf": [id_schema("apt"), {"type": "null"}]},
                "created_at": TIMESTAMP,
            }
        ),
        example={
            "customer": {"id": "cus_01JD3Z7P2K9V4S6XTQ3MRA1BCE", "name": "João Silva"},
            "points": 15,
            "balance": 120,
            "reason": "appointment_completed",
            "appointment_id": "apt_01JD3Z8X5RM0QF2W6YH8TKC4NB",
            "created_at": "2026-01-02T15:00:00Z",
        },
    ),
    EventType(
        name="loyalty.reward_redeemed",
        group="Fidelidade",
        description="Recompensa resgatada",
        schema=closed_object(
            {
                "id": id_schema("red"),
                "customer": reference_schema("cus"),
                "reward": closed_object(
                    {
                        "id": id_schema("rwd"),
                        "name": {"type": "string"},
                        "points_cost": {"type": "integer", "minimum": 1},
                    }
                ),
                "balance": {"type": "integer", "minimum": 0},
                "created_at": TIMESTAMP,
            }
        ),
        example={
            "id": "red_01JD41B3D7F9H1K3N5Q7S9U1W3",
            "customer": {"id": "cus_01JD3Z7P2K9V4S6XTQ3MRA1BCE", "name": "João Silva"},
            "reward": {
                "id": "rwd_01JD41A0B2C4D6E8F0G2H4J6K8",
                "name": "Hidratação grátis",
                "points_cost": 100,
            },
            "balance": 20,
            "created_at": "2026-01-05T11:00:00Z",
        },
    ),
)

EVENT_TYPES: Final = {event_type.name: event_type for event_type in CATALOG}
GROUPS: Final = ("Agendamentos", "Clientes", "Avaliações", "Fidelidade")
ALL_EVENTS: Final = "*"


def unknown_event_types(names: list[str]) -> list[str]:
    """Return the names that are neither a catalog type nor ``*``."""
    return [name for name in names if name != ALL_EVENTS and name not in EVENT_TYPES]
