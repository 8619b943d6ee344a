"""Settings from ``GESTLY_*`` variables: defaults, and errors that say what to fix."""

import pytest

from gestly.config import ConfigError, Settings, load_settings

SECRET_KEY = "k" * 32
PRODUCTION_ENV = {"GESTLY_SECRET_KEY": SECRET_KEY}


def test_production_defaults_apply_when_only_the_secret_key_is_set() -> None:
    settings = load_settings(PRODUCTION_ENV)

    assert settings == Settings(
        database_url="sqlite:///data/gestly.db",
        environment="production",
        secret_key=SECRET_KEY,
        host="127.0.0.1",
        port=8000,
        run_worker=True,
        worker_concurrency=500,
        endpoint_concurrency=20,
        poll_interval_s=1.0,
        request_timeout_s=15.0,
        log_retention_days=30,
        log_level="INFO",
    )


def test_development_without_a_secret_key_gets_a_random_long_one() -> None:
    settings = load_settings({"GESTLY_ENV": "development"})

    assert len(settings.secret_key) >= 32


def test_development_secret_keys_differ_between_loads() -> None:
    first = load_settings({"GESTLY_ENV": "development"})

    second = load_settings({"GESTLY_ENV": "development"})

    assert first.secret_key != second.secret_key


@pytest.mark.parametrize(
    ("name", "value", "field", "expected"),
    [
        ("GESTLY_DATABASE_URL", "sqlite:///tmp/x.db", "database_url", None),
        ("GESTLY_DATABASE_URL", "postgresql://u@db/gestly", "database_url", None),
        ("GESTLY_DATABASE_URL", "postgres://u@db/gestly", "database_url", None),
        ("GESTLY_HOST", "0.0.0.0", "host", None),  # noqa: S104 - a value under test
        ("GESTLY_PORT", "1", "port", 1),
        ("GESTLY_PORT", "65535", "port", 65535),
        ("GESTLY_RUN_WORKER", "false", "run_worker", False),
        ("GESTLY_WORKER_CONCURRENCY", "10000", "worker_concurrency", 10000),
        ("GESTLY_ENDPOINT_CONCURRENCY", "1", "endpoint_concurrency", 1),
        ("GESTLY_POLL_INTERVAL_S", "0.05", "poll_interval_s", 0.05),
        ("GESTLY_REQUEST_TIMEOUT_S", "120", "request_timeout_s", 120.0),
        ("GESTLY_LOG_RETENTION_DAYS", "3650", "log_retention_days", 3650),
        ("GESTLY_LOG_LEVEL", "DEBUG", "log_level", "DEBUG"),
    ],
)
def test_valid_value_is_read_into_its_setting(
    name: str, value: str, field: str, expected: object
) -> None:
    settings = load_settings({**PRODUCTION_ENV, name: value})

    assert getattr(settings, field) == (value if expected is None else expected)


@pytest.mark.parametrize(
    "name",
    ["GESTLY_DATABASE_URL", "GESTLY_PORT", "GESTLY_ENV", "GESTLY_POLL_INTERVAL_S"],
)
def test_empty_value_means_the_default(name: str) -> None:
    settings = load_settings({**PRODUCTION_ENV, name: ""})

    assert settings == load_settings(PRODUCTION_ENV)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("GESTLY_DATABASE_URL", "mysql://x"),
        ("GESTLY_DATABASE_URL", "sqlite:///"),
        ("GESTLY_DATABASE_URL", "sqlite://relative.db"),
        ("GESTLY_DATABASE_URL", "gestly.db"),
        ("GESTLY_PORT", "abc"),
        ("GESTLY_PORT", "0"),
        ("GESTLY_PORT", "70000"),
        ("GESTLY_PORT", "-1"),
        ("GESTLY_PORT", "80.5"),
        ("GESTLY_ENV", "staging"),
        ("GESTLY_ENV", "Production"),
        ("GESTLY_POLL_INTERVAL_S", "-1"),
        ("GESTLY_POLL_INTERVAL_S", "0"),
        ("GESTLY_POLL_INTERVAL_S", "nan"),
        ("GESTLY_POLL_INTERVAL_S", "soon"),
        ("GESTLY_REQUEST_TIMEOUT_S", "inf"),
        ("GESTLY_WORKER_CONCURRENCY", "0"),
        ("GESTLY_ENDPOINT_CONCURRENCY", "1001"),
        ("GESTLY_LOG_RETENTION_DAYS", "0"),
        ("GESTLY_LOG_LEVEL", "TRACE"),
        ("GESTLY_RUN_WORKER", "yes"),
    ],
)
def test_bad_value_raises_config_error_naming_variable_and_value(
    name: str, value: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({**PRODUCTION_ENV, name: value})

    assert f"{name}={value!r}" in str(caught.value)


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("GESTLY_PORT", "0", "from 1 to 65535"),
        ("GESTLY_ENV", "staging", "one of development, production"),
        ("GESTLY_DATABASE_URL", "mysql://x", "postgresql://"),
    ],
)
def test_config_error_says_what_is_expected(
    name: str, value: str, expected: str
) -> None:
    with pytest.raises(ConfigError, match=expected):
        load_settings({**PRODUCTION_ENV, name: value})


def test_missing_secret_key_in_production_is_refused_naming_the_variable() -> None:
    with pytest.raises(ConfigError, match="GESTLY_SECRET_KEY") as caught:
        load_settings({})

    assert caught.value.variable == "GESTLY_SECRET_KEY"


@pytest.mark.parametrize("environment", ["production", "development"])
def test_short_secret_key_is_refused_without_showing_it(environment: str) -> None:
    short_key = "s3cr3t-" * 4 + "xyz"  # 31 characters

    with pytest.raises(ConfigError) as caught:
        load_settings({"GESTLY_ENV": environment, "GESTLY_SECRET_KEY": short_key})

    assert short_key not in str(caught.value)


def test_short_secret_key_message_names_the_variable_and_minimum_length() -> None:
    with pytest.raises(
        ConfigError, match=r"GESTLY_SECRET_KEY=.*at least 32 characters"
    ):
        load_settings({"GESTLY_SECRET_KEY": "short"})


def test_settings_repr_never_shows_the_secret_key() -> None:
    settings = load_settings(PRODUCTION_ENV)

    assert SECRET_KEY not in repr(settings)
