"""Signing in and out: the session cookie, throttling, expiry and redirects."""

from dataclasses import replace
from datetime import timedelta
from typing import Any

import httpx
import pytest

from gestly.api.app import create_app
from gestly.api.dependencies import Services
from gestly.clock import ManualClock
from gestly.storage.database import Database
from gestly.webhooks.destinations import DestinationPolicy
from tests.panel.conftest import SETTINGS, Visitor, stand_in_lookup
from tests.support.harness import TEST_SETTINGS, Gestly

pytestmark = pytest.mark.anyio


async def test_right_password_signs_in_with_an_httponly_lax_cookie(
    make_owner: Any,
) -> None:
    owner = await make_owner(sign_in=False)

    answer = await owner.visitor.sign_in(owner.email)
    page = await owner.visitor.get(SETTINGS)

    assert answer.status_code == 303
    assert answer.headers["location"] == SETTINGS
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert "path=/painel" in cookie
    assert "secure" not in cookie  # development mode serves plain http
    assert page.status_code == 200
    assert "Salão Aurora" in page.text


async def test_session_cookie_holds_no_password_and_no_token(make_owner: Any) -> None:
    owner = await make_owner(sign_in=False)

    answer = await owner.visitor.sign_in(owner.email)

    cookie = answer.headers["set-cookie"]
    assert "senha" not in cookie
    assert owner.api.token not in cookie
    assert "argon2" not in cookie


async def test_wrong_password_is_refused_in_portuguese(make_owner: Any) -> None:
    owner = await make_owner(sign_in=False)

    answer = await owner.visitor.sign_in(owner.email, "senha-errada")
    page = await owner.visitor.get(SETTINGS)

    assert answer.status_code == 401
    assert "E-mail ou senha incorretos" in answer.text
    assert page.status_code == 303
    assert page.headers["location"].startswith("/painel/entrar")


async def test_unknown_email_gets_the_same_answer_as_a_wrong_password(
    panel: Gestly,
) -> None:
    visitor = Visitor(panel.base_url)

    answer = await visitor.sign_in("ninguem@salao.example")
    await visitor.close()

    assert answer.status_code == 401
    assert "E-mail ou senha incorretos" in answer.text


async def test_five_failures_lock_an_email_for_fifteen_minutes(
    make_owner: Any, clock: ManualClock
) -> None:
    owner = await make_owner(sign_in=False)
    for _ in range(5):
        await owner.visitor.sign_in(owner.email, "senha-errada")

    locked = await owner.visitor.sign_in(owner.email)
    clock.advance(timedelta(minutes=15))
    unlocked = await owner.visitor.sign_in(owner.email)

    assert locked.status_code == 429
    assert "espere 15 minutos" in locked.text
    assert unlocked.status_code == 303


async def test_twenty_failures_from_one_address_lock_every_email_from_it(
    make_owner: Any,
) -> None:
    owner = await make_owner(sign_in=False)
    for number in range(20):
        await owner.visitor.sign_in(f"tentativa{number}@salao.example", "x")

    answer = await owner.visitor.sign_in(owner.email)

    assert answer.status_code == 429
    assert "Muitas tentativas" in answer.text


async def test_a_page_without_a_session_sends_to_sign_in_and_back(
    make_owner: Any,
) -> None:
    owner = await make_owner(sign_in=False)

    bounced = await owner.visitor.get("/painel/logs-de-webhook?status=failed")
    await owner.visitor.get(bounced.headers["location"])
    answer = await owner.visitor.post(
        "/painel/entrar",
        {
            "email": owner.email,
            "password": "senha-do-salao-1",
            "proximo": "/painel/logs-de-webhook?status=failed",
        },
    )

    assert bounced.status_code == 303
    assert bounced.headers["location"] == (
        "/painel/entrar?proximo=/painel/logs-de-webhook%3Fstatus%3Dfailed"
    )
    assert answer.headers["location"] == "/painel/logs-de-webhook?status=failed"


@pytest.mark.parametrize(
    "target", ["https://phishing.example/painel", "//phishing.example/painel", "/v1/x"]
)
async def test_sign_in_never_sends_the_visitor_off_the_panel(
    make_owner: Any, target: str
) -> None:
    owner = await make_owner(sign_in=False)
    await owner.visitor.get("/painel/entrar")

    answer = await owner.visitor.post(
        "/painel/entrar",
        {"email": owner.email, "password": "senha-do-salao-1", "proximo": target},
    )

    assert answer.headers["location"] == SETTINGS


async def test_signing_out_ends_the_session(make_owner: Any) -> None:
    owner = await make_owner()
    await owner.visitor.get(SETTINGS)

    answer = await owner.visitor.post("/painel/sair")
    after = await owner.visitor.get(SETTINGS)

    assert answer.status_code == 303
    assert answer.headers["location"] == "/painel/entrar?feito=saiu"
    assert after.status_code == 303


async def test_a_tampered_cookie_is_no_session(make_owner: Any) -> None:
    owner = await make_owner()
    jar = owner.visitor.http.cookies
    value = jar.get("gestly_painel")
    assert value is not None
    payload, _, signature = value.partition(".")
    jar.clear()
    jar.set("gestly_painel", payload + "." + signature[::-1], path="/painel")

    answer = await owner.visitor.get(SETTINGS)

    assert answer.status_code == 303


async def test_a_session_ends_twelve_hours_after_sign_in(
    make_owner: Any, clock: ManualClock
) -> None:
    owner = await make_owner()

    clock.advance(timedelta(hours=12))
    answer = await owner.visitor.get(SETTINGS)

    assert answer.status_code == 303
    assert "feito=sessao-expirada" in answer.headers["location"]


async def test_outside_development_the_cookie_is_secure(database_url: str) -> None:
    settings = replace(
        TEST_SETTINGS, database_url=database_url, environment="production"
    )
    database = Database(database_url)
    services = Services(
        settings,
        database,
        ManualClock(),
        DestinationPolicy.for_environment(False),
        stand_in_lookup,
    )
    transport = httpx.ASGITransport(app=create_app(services))
    async with httpx.AsyncClient(transport=transport, base_url="https://x") as client:
        answer = await client.get("/painel/entrar")
    await database.close()

    assert "secure" in answer.headers["set-cookie"].lower()
