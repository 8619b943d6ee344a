"""The panel's Portuguese for the engine's English: every wording the engine can
produce has a translation, so a change on either side shows up here."""

import ipaddress
from datetime import UTC, datetime, timedelta

import pytest

from gestly.delivery.sender import ErrorKind
from gestly.panel.security import LoginThrottle
from gestly.panel.sessions import decode_session, encode_session, new_session
from gestly.panel.texts import (
    ADDRESS_REASONS,
    describe_failure,
    translate_disabled_reason,
    translate_retry_refusal,
    translate_url_problem,
)
from gestly.webhooks.destinations import (
    DestinationError,
    DestinationPolicy,
    check_address,
    describe_refusal,
    parse_url,
)

PRODUCTION = DestinationPolicy.for_environment(False)
FALLBACK = "O Gestly não pode enviar eventos para essa URL"
NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
KEY = "a-test-key-with-at-least-32-characters!"


@pytest.mark.parametrize(
    "url",
    [
        "https://exemplo.com.br/" + "a" * 2100,
        "https://exemplo.com.br/ webhooks",
        "https://exemplo.com.br:porta/webhooks",
        "ftp://exemplo.com.br/webhooks",
        "http://exemplo.com.br/webhooks",
        "https://ana:senha@exemplo.com.br/webhooks",
        "https:///webhooks",
        "https://exemplo.com.br:0/webhooks",
        "https://exemplo.com.br/webhooks#x",
        "https://exemplo_com!/webhooks",
    ],
)
def test_every_url_shape_refusal_has_its_own_portuguese(url: str) -> None:
    with pytest.raises(DestinationError) as refused:
        parse_url(url, PRODUCTION)

    said = translate_url_problem(str(refused.value))

    assert not said.startswith(FALLBACK), str(refused.value)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "0.0.0.0",  # noqa: S104 - an address under test, nothing binds to it
        "169.254.169.254",
        "224.0.0.1",
        "10.0.0.1",
        "240.0.0.1",
    ],
)
def test_every_address_refusal_names_the_kind_of_address(address: str) -> None:
    ip = ipaddress.ip_address(address)
    reason = describe_refusal(ip, PRODUCTION)
    with pytest.raises(DestinationError) as refused:
        check_address(ip, PRODUCTION)

    said = translate_url_problem(str(refused.value))

    assert reason in ADDRESS_REASONS
    assert ADDRESS_REASONS[reason] in said
    assert address in said


def test_every_failure_kind_has_a_title_and_advice() -> None:
    for kind in ErrorKind:
        failure = describe_failure(kind.value, 500)

        assert failure is not None
        assert failure.title
        assert failure.advice


@pytest.mark.parametrize(
    ("kind", "title"),
    [
        ("timeout", "tempo esgotado"),
        ("connection_refused", "conexão recusada"),
        ("tls_error", "falha de TLS (certificado inválido)"),
        ("redirect_not_followed", "redirecionamento não seguido"),
        ("blocked_destination", "endereço não permitido"),
        ("dns_failure", "nome do servidor não encontrado"),
        ("response_too_large", "resposta grande demais"),
        ("invalid_response", "resposta inválida"),
    ],
)
def test_failures_read_as_the_issue_asks(kind: str, title: str) -> None:
    failure = describe_failure(kind, None)

    assert failure is not None
    assert failure.title == title


def test_an_http_error_names_its_status() -> None:
    failure = describe_failure("http_status", 500)

    assert failure is not None
    assert failure.title == "o receptor respondeu com erro HTTP 500"


@pytest.mark.parametrize(
    ("message", "said"),
    [
        (
            "the endpoint is disabled (the receiver answered 410 Gone); "
            "enable it first",
            "respondeu 410",
        ),
        (
            "the endpoint is disabled (disabled by the account); enable it first",
            "desativado por você",
        ),
        ("an attempt is in progress; try again in a moment", "acontecendo agora"),
        ("a retry is already waiting to be sent", "já está na fila"),
    ],
)
def test_retry_refusals_are_translated(message: str, said: str) -> None:
    assert said in translate_retry_refusal(message)


def test_the_410_reason_the_worker_stores_is_translated() -> None:
    said = translate_disabled_reason("the receiver answered 410 Gone")

    assert said.startswith("desativado automaticamente")


def test_a_session_survives_its_round_trip_and_nothing_else_does() -> None:
    session = new_session("acc_01", NOW)
    cookie = encode_session(session, KEY)

    assert decode_session(cookie, KEY, NOW) == session
    assert decode_session(cookie, KEY + "x", NOW) is None
    assert decode_session(cookie[:-2], KEY, NOW) is None
    assert decode_session("x.y", KEY, NOW) is None
    assert decode_session(cookie, KEY, NOW + timedelta(hours=12)) is None


def test_throttle_counts_only_failures_inside_the_window() -> None:
    throttle = LoginThrottle()
    for minute in range(5):
        throttle.record_failure("a@b.c", "1.2.3.4", NOW + timedelta(minutes=minute))

    locked = throttle.wait_needed("A@B.C", "5.6.7.8", NOW + timedelta(minutes=5))
    freed = throttle.wait_needed("a@b.c", "5.6.7.8", NOW + timedelta(minutes=15))

    assert locked == timedelta(minutes=10)
    assert freed is None
