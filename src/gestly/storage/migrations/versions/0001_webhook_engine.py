"""Accounts, API tokens, endpoints, events, deliveries, attempts, idempotency keys.

Revision ID: 0001
Revises:
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

from gestly.storage.types import UtcDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(320), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(200)),
        sa.Column("created_at", UtcDateTime, nullable=False),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column(
            "account_id", sa.String(40), sa.ForeignKey("accounts.id"), nullable=False
        ),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("token_hint", sa.String(16), nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("last_used_at", UtcDateTime),
        sa.Column("revoked_at", UtcDateTime),
    )
    op.create_index("ix_api_tokens_account_id", "api_tokens", ["account_id"])
    op.create_table(
        "endpoints",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column(
            "account_id", sa.String(40), sa.ForeignKey("accounts.id"), nullable=False
        ),
        sa.Column("url", sa.String(2048), nullable=False),
        sa.Column("description", sa.String(500), nullable=False),
        sa.Column("event_types", sa.JSON, nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("disabled_reason", sa.String(500)),
        sa.Column("secret", sa.String(100), nullable=False),
        sa.Column("previous_secret", sa.String(100)),
        sa.Column("previous_secret_expires_at", UtcDateTime),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
        sa.Column("deleted_at", UtcDateTime),
    )
    op.create_index("ix_endpoints_account_id_id", "endpoints", ["account_id", "id"])
    op.create_table(
        "events",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column(
            "account_id", sa.String(40), sa.ForeignKey("accounts.id"), nullable=False
        ),
        sa.Column("type", sa.String(100), nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("body", sa.LargeBinary, nullable=False),
    )
    op.create_index("ix_events_account_id_id", "events", ["account_id", "id"])
    op.create_index("ix_events_created_at", "events", ["created_at"])
    op.create_table(
        "deliveries",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column(
            "account_id", sa.String(40), sa.ForeignKey("accounts.id"), nullable=False
        ),
        sa.Column(
            "event_id", sa.String(40), sa.ForeignKey("events.id"), nullable=False
        ),
        sa.Column(
            "endpoint_id", sa.String(40), sa.ForeignKey("endpoints.id"), nullable=False
        ),
        sa.Column("event_type", sa.String(100), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempt_count", sa.Integer, nullable=False),
        sa.Column("manual_attempt_count", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", UtcDateTime),
        sa.Column("scheduled_attempt_at", UtcDateTime),
        sa.Column("manual_pending", sa.Boolean, nullable=False),
        sa.Column("claim_token", sa.String(40)),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
        sa.Column("last_status_code", sa.Integer),
        sa.Column("last_error", sa.String(500)),
    )
    op.create_index("ix_deliveries_event_id", "deliveries", ["event_id"])
    op.create_index(
        "ix_deliveries_due",
        "deliveries",
        ["next_attempt_at"],
        sqlite_where=sa.text("next_attempt_at IS NOT NULL"),
        postgresql_where=sa.text("next_attempt_at IS NOT NULL"),
    )
    op.create_index("ix_deliveries_account_id_id", "deliveries", ["account_id", "id"])
    op.create_index("ix_deliveries_endpoint_id_id", "deliveries", ["endpoint_id", "id"])
    op.create_table(
        "attempts",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column(
            "delivery_id",
            sa.String(40),
            sa.ForeignKey("deliveries.id"),
            nullable=False,
        ),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("trigger", sa.String(20), nullable=False),
        sa.Column("started_at", UtcDateTime, nullable=False),
        sa.Column("duration_ms", sa.Integer, nullable=False),
        sa.Column("request_headers", sa.JSON, nullable=False),
        sa.Column("succeeded", sa.Boolean, nullable=False),
        sa.Column("status_code", sa.Integer),
        sa.Column("response_headers", sa.JSON),
        sa.Column("response_body", sa.Text),
        sa.Column("response_truncated", sa.Boolean, nullable=False),
        sa.Column("error_kind", sa.String(40)),
        sa.Column("error_message", sa.String(500)),
    )
    op.create_index("ix_attempts_delivery_id", "attempts", ["delivery_id"])
    op.create_table(
        "idempotency_keys",
        sa.Column(
            "account_id", sa.String(40), sa.ForeignKey("accounts.id"), primary_key=True
        ),
        sa.Column("key", sa.String(255), primary_key=True),
        sa.Column("request_fingerprint", sa.String(64), nullable=False),
        sa.Column("status_code", sa.Integer, nullable=False),
        sa.Column("response_body", sa.LargeBinary, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
    )
    op.create_index(
        "ix_idempotency_keys_created_at", "idempotency_keys", ["created_at"]
    )


def downgrade() -> None:
    for table in (
        "idempotency_keys",
        "attempts",
        "deliveries",
        "events",
        "endpoints",
        "api_tokens",
        "accounts",
    ):
        op.drop_table(table)
