"""Forms need the session's CSRF token and the panel's origin; one account never
reaches another's endpoints, deliveries or tokens, whatever URL it types."""

from typing import Any

import pytest

from tests.panel.conftest import SETTINGS, Owner, endpoint_path
from tests.support.harness import Gestly
from tests.support.receivers import PythonReceiver

pytestmark = pytest.mark.anyio

NEW_ENDPOINT = {"url": "https://receptor.exemplo/webhooks", "events": "*"}


async def endpoint_count(owner: Owner) -> int:
    return len((await owner.api.get("/v1/webhook_endpoints")).json()["data"])


async def test_a_form_without_the_csrf_token_is_refused(make_owner: Any) -> None:
    owner = await make_owner()
    await owner.visitor.get(SETTINGS)

    answer = await owner.visitor.post(f"{SETTINGS}/endpoints", NEW_ENDPOINT, csrf=False)

    assert answer.status_code == 403
    assert "Ação recusada" in answer.text
    assert await endpoint_count(owner) == 0


async def test_a_form_with_another_token_is_refused(make_owner: Any) -> None:
    owner = await make_owner()

    answer = await owner.visitor.post(
        f"{SETTINGS}/endpoints", {**NEW_ENDPOINT, "csrf_token": "forjado"}
    )

    assert answer.status_code == 403
    assert await endpoint_count(owner) == 0


async def test_a_form_posted_from_another_site_is_refused(make_owner: Any) -> None:
    owner = await make_owner()
    await owner.visitor.get(SETTINGS)

    answer = await owner.visitor.post(
        f"{SETTINGS}/endpoints", NEW_ENDPOINT, origin="https://phishing.example"
    )

    assert answer.status_code == 403
    assert await endpoint_count(owner) == 0


async def test_a_form_with_neither_origin_nor_referer_is_refused(
    make_owner: Any,
) -> None:
    owner = await make_owner()
    await owner.visitor.get(SETTINGS)

    answer = await owner.visitor.post(
        f"{SETTINGS}/endpoints", NEW_ENDPOINT, origin=None
    )

    assert answer.status_code == 403
    assert await endpoint_count(owner) == 0


async def test_a_same_origin_referer_stands_in_for_a_missing_origin(
    make_owner: Any, panel: Gestly
) -> None:
    owner = await make_owner()
    await owner.visitor.get(SETTINGS)

    answer = await owner.visitor.post(
        f"{SETTINGS}/endpoints",
        NEW_ENDPOINT,
        origin=None,
        headers={"Referer": f"{panel.base_url}{SETTINGS}/endpoints/novo"},
    )

    assert answer.status_code == 303
    assert await endpoint_count(owner) == 1


async def test_htmx_requests_may_carry_the_token_in_a_header(make_owner: Any) -> None:
    owner = await make_owner()
    endpoint = await owner.api.create_endpoint("https://receptor.exemplo/webhooks")
    await owner.visitor.get(endpoint_path(endpoint["id"]))

    answer = await owner.visitor.post(
        f"{endpoint_path(endpoint['id'])}/segredo",
        csrf=False,
        headers={"HX-Request": "true", "X-CSRF-Token": owner.visitor.csrf_token},
    )

    assert answer.status_code == 200
    assert endpoint["secret"] in answer.text


async def test_the_sign_in_form_needs_its_token_too(make_owner: Any) -> None:
    owner = await make_owner(sign_in=False)
    await owner.visitor.get("/painel/entrar")

    answer = await owner.visitor.post(
        "/painel/entrar",
        {"email": owner.email, "password": "senha-do-salao-1"},
        csrf=False,
    )

    assert answer.status_code == 403


async def test_the_secret_is_not_in_the_endpoint_page_until_asked_for(
    make_owner: Any,
) -> None:
    owner = await make_owner()
    endpoint = await owner.api.create_endpoint("https://receptor.exemplo/webhooks")

    page = await owner.visitor.get(endpoint_path(endpoint["id"]))

    assert page.status_code == 200
    assert endpoint["secret"] not in page.text
    assert "Mostrar segredo" in page.text


@pytest.fixture
async def two_owners(
    make_owner: Any, panel: Gestly, receiver: PythonReceiver
) -> tuple[Owner, Owner, dict[str, Any], str]:
    """An owner with an endpoint, a delivery and a token, and a stranger."""
    owner = await make_owner("dona@salao.example")
    stranger = await make_owner("outro@barbearia.example")
    endpoint = await owner.api.create_endpoint(receiver.url)
    sent = await owner.api.post(f"/v1/webhook_endpoints/{endpoint['id']}/test")
    await panel.settle()
    return owner, stranger, endpoint, sent.json()["delivery_id"]


async def test_another_accounts_pages_answer_not_found(
    two_owners: tuple[Owner, Owner, dict[str, Any], str],
) -> None:
    _, stranger, endpoint, delivery_id = two_owners
    path = endpoint_path(endpoint["id"])
    pages = [
        path,
        f"{path}/editar",
        f"{path}/excluir",
        f"{path}/entregas-recentes",
        f"{path}/teste/{delivery_id}",
        f"/painel/logs-de-webhook/{delivery_id}",
        f"/painel/logs-de-webhook/{delivery_id}/situacao",
    ]

    answers = [await stranger.visitor.get(page) for page in pages]

    for page, answer in zip(pages, answers, strict=True):
        assert answer.status_code == 404, page
        assert "Página não encontrada" in answer.text, page
        assert endpoint["url"] not in answer.text, page


async def test_another_accounts_endpoint_cannot_be_changed(
    two_owners: tuple[Owner, Owner, dict[str, Any], str],
) -> None:
    owner, stranger, endpoint, _ = two_owners
    path = endpoint_path(endpoint["id"])
    await stranger.visitor.get(SETTINGS)
    forms: list[tuple[str, dict[str, str]]] = [
        (f"{path}/segredo", {}),
        (f"{path}/trocar-segredo", {"grace_period_hours": "0"}),
        (f"{path}/desativar", {}),
        (f"{path}/editar", {"url": "https://receptor.exemplo/roubado", "events": "*"}),
        (f"{path}/teste", {"type": "appointment.create"}),
        (f"{path}/excluir", {}),
    ]

    answers = [await stranger.visitor.post(target, data) for target, data in forms]
    after = (await owner.api.get(f"/v1/webhook_endpoints/{endpoint['id']}")).json()

    assert [answer.status_code for answer in answers] == [404] * len(forms)
    assert all(endpoint["secret"] not in answer.text for answer in answers)
    assert after["secret"] == endpoint["secret"]
    assert after["enabled"] is True
    assert after["url"] == endpoint["url"]


async def test_another_accounts_delivery_cannot_be_resent(
    two_owners: tuple[Owner, Owner, dict[str, Any], str],
    receiver: PythonReceiver,
    panel: Gestly,
) -> None:
    _, stranger, _, delivery_id = two_owners
    await stranger.visitor.get(SETTINGS)

    answer = await stranger.visitor.post(
        f"/painel/logs-de-webhook/{delivery_id}/reenviar"
    )
    await panel.settle()

    assert answer.status_code == 404
    assert len(receiver.requests) == 1


async def test_another_accounts_logs_stay_hidden_even_filtered_by_its_endpoint(
    two_owners: tuple[Owner, Owner, dict[str, Any], str],
) -> None:
    owner, stranger, endpoint, delivery_id = two_owners

    own = await owner.visitor.get("/painel/logs-de-webhook")
    theirs = await stranger.visitor.get(
        f"/painel/logs-de-webhook?endpoint={endpoint['id']}"
    )
    listing = await stranger.visitor.get(SETTINGS)

    assert delivery_id in own.text
    assert delivery_id not in theirs.text
    assert "Nenhuma entrega com esses filtros." in theirs.text
    assert endpoint["url"] not in listing.text


async def test_another_accounts_token_cannot_be_revoked(
    two_owners: tuple[Owner, Owner, dict[str, Any], str],
) -> None:
    owner, stranger, _, _ = two_owners
    tokens = await owner.visitor.get(SETTINGS)
    token_id = tokens.text.split("/tokens/")[1].split("/revogar")[0]
    await stranger.visitor.get(SETTINGS)

    answer = await stranger.visitor.post(f"{SETTINGS}/tokens/{token_id}/revogar")
    still = await owner.api.get("/v1/webhook_endpoints")

    assert answer.status_code == 404
    assert still.status_code == 200
