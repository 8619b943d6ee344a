"""The tables, as SQLAlchemy Core metadata for queries.

The migrations under ``migrations/versions`` create exactly these tables; a test
compares the two so they cannot drift apart.
"""

from datetime import timedelta

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    text,
)

from gestly.storage.types import UtcDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

accounts = Table(
    "accounts",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("email", String(320), nullable=False, unique=True),
    Column("password_hash", String(200)),
    Column("created_at", UtcDateTime, nullable=False),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("account_id", ForeignKey("accounts.id"), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("token_hint", String(16), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("last_used_at", UtcDateTime),
    Column("revoked_at", UtcDateTime),
)

endpoints = Table(
    "endpoints",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("account_id", ForeignKey("accounts.id"), nullable=False),
    Column("url", String(2048), nullable=False),
    Column("description", String(500), nullable=False),
    Column("event_types", JSON, nullable=False),
    Column("enabled", Boolean, nullable=False),
    Column("disabled_reason", String(500)),
    Column("secret", String(100), nullable=False),
    Column("previous_secret", String(100)),
    Column("previous_secret_expires_at", UtcDateTime),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("deleted_at", UtcDateTime),
    # "http": the worker POSTs to ``url``; "listen": a ``gestly listen`` session
    # fetches the deliveries and forwards them on the developer's machine.
    Column("mode", String(10), nullable=False, server_default="http"),
    Index("ix_endpoints_account_id_id", "account_id", "id"),
)

events = Table(
    "events",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("account_id", ForeignKey("accounts.id"), nullable=False),
    Column("type", String(100), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("body", LargeBinary, nullable=False),
    Index("ix_events_account_id_id", "account_id", "id"),
    Index("ix_events_created_at", "created_at"),
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("account_id", ForeignKey("accounts.id"), nullable=False),
    Column("event_id", ForeignKey("events.id"), nullable=False, index=True),
    Column("endpoint_id", ForeignKey("endpoints.id"), nullable=False),
    Column("event_type", String(100), nullable=False),
    Column("status", String(20), nullable=False),
    Column("attempt_count", Integer, nullable=False),
    Column("manual_attempt_count", Integer, nullable=False),
    Column("next_attempt_at", UtcDateTime),
    Column("scheduled_attempt_at", UtcDateTime),
    Column("manual_pending", Boolean, nullable=False),
    Column("claim_token", String(40)),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("last_status_code", Integer),
    Column("last_error", String(500)),
    Index(
        "ix_deliveries_due",
        "next_attempt_at",
        sqlite_where=text("next_attempt_at IS NOT NULL"),
        postgresql_where=text("next_attempt_at IS NOT NULL"),
    ),
    Index("ix_deliveries_account_id_id", "account_id", "id"),
    Index("ix_deliveries_endpoint_id_id", "endpoint_id", "id"),
)

attempts = Table(
    "attempts",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("delivery_id", ForeignKey("deliveries.id"), nullable=False, index=True),
    Column("number", Integer, nullable=False),
    Column("trigger", String(20), nullable=False),
    Column("started_at", UtcDateTime, nullable=False),
    Column("duration_ms", Integer, nullable=False),
    Column("request_headers", JSON, nullable=False),
    Column("succeeded", Boolean, nullable=False),
    Column("status_code", Integer),
    Column("response_headers", JSON),
    Column("response_body", Text),
    Column("response_truncated", Boolean, nullable=False),
    Column("error_kind", String(40)),
    Column("error_message", String(500)),
)

# How long an Idempotency-Key's answer is kept and replayed.
IDEMPOTENCY_TTL = timedelta(hours=24)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("account_id", ForeignKey("accounts.id"), primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("request_fingerprint", String(64), nullable=False),
    Column("status_code", Integer, nullable=False),
    Column("response_body", LargeBinary, nullable=False),
    Column("created_at", UtcDateTime, nullable=False, index=True),
)

# The scheduling core. Times are UTC; local wall times (opening and working hours)
# are "HH:MM" text interpreted in the business's time zone.

business_settings = Table(
    "business_settings",
    metadata,
    Column("account_id", ForeignKey("accounts.id"), primary_key=True),
    Column("time_zone", String(64), nullable=False),
    Column("opening_hours", JSON, nullable=False),
    Column("slot_interval_minutes", Integer, nullable=False),
    Column("reminder_lead_minutes", Integer, nullable=False),
    Column("points_per_appointment", Integer, nullable=False),
    Column("points_per_100_cents", Integer, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

services = Table(
    "services",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("account_id", ForeignKey("accounts.id"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("duration_minutes", Integer, nullable=False),
    Column("price_cents", Integer, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_services_account_id_id", "account_id", "id"),
)

professionals = Table(
    "professionals",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("account_id", ForeignKey("accounts.id"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("service_ids", JSON, nullable=False),
    Column("working_hours", JSON, nullable=False),
    Column("days_off", JSON, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_professionals_account_id_id", "account_id", "id"),
)

customers = Table(
    "customers",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("account_id", ForeignKey("accounts.id"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("email", String(320)),
    Column("phone", String(20)),
    Column("loyalty_balance", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_customers_account_id_id", "account_id", "id"),
)

appointments = Table(
    "appointments",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("account_id", ForeignKey("accounts.id"), nullable=False),
    Column("customer_id", ForeignKey("customers.id"), nullable=False),
    Column("service_id", ForeignKey("services.id"), nullable=False),
    Column("professional_id", ForeignKey("professionals.id"), nullable=False),
    Column("start_time", UtcDateTime, nullable=False),
    Column("end_time", UtcDateTime, nullable=False),
    Column("status", String(20), nullable=False),
    Column("notes", String(2000)),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("cancelled_at", UtcDateTime),
    Column("cancellation_reason", String(500)),
    Column("reminder_due_at", UtcDateTime),
    Column("reminder_lead_minutes", Integer, nullable=False),
    Index("ix_appointments_account_id_id", "account_id", "id"),
    Index(
        "ix_appointments_professional_id_start_time", "professional_id", "start_time"
    ),
    Index(
        "ix_appointments_reminder_due_at",
        "reminder_due_at",
        sqlite_where=text("reminder_due_at IS NOT NULL"),
        postgresql_where=text("reminder_due_at IS NOT NULL"),
    ),
)

reviews = Table(
    "reviews",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("account_id", ForeignKey("accounts.id"), nullable=False),
    Column(
        "appointment_id", ForeignKey("appointments.id"), nullable=False, unique=True
    ),
    Column("customer_id", ForeignKey("customers.id"), nullable=False),
    Column("rating", Integer, nullable=False),
    Column("comment", String(2000)),
    Column("created_at", UtcDateTime, nullable=False),
    Column("response_text", String(2000)),
    Column("response_created_at", UtcDateTime),
    Index("ix_reviews_account_id_id", "account_id", "id"),
)

rewards = Table(
    "rewards",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("account_id", ForeignKey("accounts.id"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("points_cost", Integer, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Index("ix_rewards_account_id_id", "account_id", "id"),
)

redemptions = Table(
    "redemptions",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("account_id", ForeignKey("accounts.id"), nullable=False),
    Column("customer_id", ForeignKey("customers.id"), nullable=False),
    Column("reward_id", ForeignKey("rewards.id"), nullable=False),
    Column("points_cost", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Index("ix_redemptions_customer_id_id", "customer_id", "id"),
)

loyalty_entries = Table(
    "loyalty_entries",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("account_id", ForeignKey("accounts.id"), nullable=False),
    Column("customer_id", ForeignKey("customers.id"), nullable=False),
    Column("points", Integer, nullable=False),
    Column("balance_after", Integer, nullable=False),
    Column("reason", String(100), nullable=False),
    Column("appointment_id", ForeignKey("appointments.id")),
    Column("redemption_id", ForeignKey("redemptions.id")),
    Column("created_at", UtcDateTime, nullable=False),
    Index("ix_loyalty_entries_customer_id_id", "customer_id", "id"),
)
