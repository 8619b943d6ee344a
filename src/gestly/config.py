"""Settings, read once from ``GESTLY_*`` environment variables at start-up.

Every variable has a safe default. A value that cannot be used stops start-up with a
``ConfigError`` that names the variable and the value, never a traceback from deep
inside.
"""

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

DEFAULT_DATA_DIR: Final = Path("data")
ENVIRONMENTS: Final = ("development", "production")


class ConfigError(ValueError):
    """An environment variable holds a value Gestly cannot use."""

    def __init__(self, variable: str, value: str, expected: str) -> None:
        super().__init__(f"{variable}={value!r} is not valid: {expected}")
        self.variable = variable
        self.value = value


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str
    environment: str = "production"
    secret_key: str = field(default="", repr=False)
    host: str = "127.0.0.1"
    port: int = 8000
    run_worker: bool = True
    worker_concurrency: int = 500
    endpoint_concurrency: int = 20
    poll_interval_s: float = 1.0
    request_timeout_s: float = 15.0
    log_retention_days: int = 30
    log_level: str = "INFO"

    @property
    def development(self) -> bool:
        return self.environment == "development"


def read_int(
    env: Mapping[str, str], name: str, default: int, low: int, high: int
) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(name, raw, f"a whole number from {low} to {high}") from None
    if not low <= value <= high:
        raise ConfigError(name, raw, f"a whole number from {low} to {high}")
    return value


def read_float(
    env: Mapping[str, str], name: str, default: float, low: float, high: float
) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(name, raw, f"a number from {low} to {high}") from None
    if not low <= value <= high:
        raise ConfigError(name, raw, f"a number from {low} to {high}")
    return value


def read_choice(
    env: Mapping[str, str], name: str, default: str, choices: tuple[str, ...]
) -> str:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    if raw not in choices:
        raise ConfigError(name, raw, "one of " + ", ".join(choices))
    return raw


def read_database_url(env: Mapping[str, str]) -> str:
    name = "GESTLY_DATABASE_URL"
    raw = env.get(name)
    if raw is None or raw == "":
        return f"sqlite:///{DEFAULT_DATA_DIR / 'gestly.db'}"
    if raw.startswith("sqlite:///") and len(raw) > len("sqlite:///"):
        return raw
    if raw.startswith(("postgresql://", "postgres://")):
        return raw
    raise ConfigError(
        name, raw, "sqlite:///path/to/file.db or postgresql://user@host/database"
    )


def read_secret_key(env: Mapping[str, str], development: bool) -> str:
    """The key that signs panel sessions; random per process in development."""
    name = "GESTLY_SECRET_KEY"
    raw = env.get(name, "")
    if raw == "":
        if development:
            return secrets.token_urlsafe(32)
        raise ConfigError(
            name,
            raw,
            "set it to a long random string in production "
            "(python -c 'import secrets; print(secrets.token_urlsafe(32))')",
        )
    if len(raw) < 32:
        raise ConfigError(name, "<hidden>", "at least 32 characters")
    return raw


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read the settings from ``env`` (the process environment by default)."""
    source = os.environ if env is None else env
    environment = read_choice(source, "GESTLY_ENV", "production", ENVIRONMENTS)
    development = environment == "development"
    return Settings(
        database_url=read_database_url(source),
        environment=environment,
        secret_key=read_secret_key(source, development),
        host=source.get("GESTLY_HOST") or "127.0.0.1",
        port=read_int(source, "GESTLY_PORT", 8000, 1, 65535),
        run_worker=read_choice(source, "GESTLY_RUN_WORKER", "true", ("true", "false"))
        == "true",
        worker_concurrency=read_int(source, "GESTLY_WORKER_CONCURRENCY", 500, 1, 10000),
        endpoint_concurrency=read_int(
            source, "GESTLY_ENDPOINT_CONCURRENCY", 20, 1, 1000
        ),
        poll_interval_s=read_float(source, "GESTLY_POLL_INTERVAL_S", 1.0, 0.05, 60.0),
        request_timeout_s=read_float(
            source, "GESTLY_REQUEST_TIMEOUT_S", 15.0, 0.1, 120.0
        ),
        log_retention_days=read_int(source, "GESTLY_LOG_RETENTION_DAYS", 30, 1, 3650),
        log_level=read_choice(
            source, "GESTLY_LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR")
        ),
    )
