"""The "API e Webhooks" screen: endpoints and tokens, as the panel shows them."""

import re
from typing import Any

import pytest

from tests.panel.conftest import SETTINGS, Owner, endpoint_path
from tests.support.harness import Gestly
from tests.support.receivers import PythonReceiver

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("", "Informe a URL"),
        ("ftp://receptor.exemplo/webhooks", "precisa começar com https://"),
        ("https://ana:segredo@receptor.exemplo/webhooks", "Tire o usuário e a senha"),
        ("https://receptor.exemplo/webhooks#topo", "parte que começa com #"),
        ("http://10.1.2.3/webhooks", "um endereço de rede privada"),
        ("https://interno.exemplo/webhooks", "um endereço de rede privada"),
        ("http://169.254.169.254/latest", "rede local (link-local)"),
        ("https://nao-existe.exemplo/webhooks", "Não encontramos o servidor"),
        ("https://meu_sistema!/webhooks", "não é um nome de servidor válido"),
        ("https://receptor.exemplo:99999/webhooks", "mal formada"),
    ],
)
async def test_a_refused_url_is_explained_next_to_the_field(
    make_owner: Any, url: str, said: str
) -> None:
    owner = await make_owner()
    await owner.visitor.get(f"{SETTINGS}/endpoints/novo")

    answer = await owner.visitor.post(
        f"{SETTINGS}/endpoints", {"url": url, "events": "*"}
    )

    assert answer.status_code == 422
    error = re.search(
        r'<p class="field-error" id="erro-url">(.*?)</p>', answer.text, re.S
    )
    assert error is not None
    assert said in error.group(1)
    assert 'aria-invalid="true"' in answer.text
    assert (await owner.api.get("/v1/webhook_endpoints")).json()["data"] == []


async def test_the_chosen_events_are_saved(make_owner: Any) -> None:
    owner = await make_owner()
    await owner.visitor.get(f"{SETTINGS}/endpoints/novo")

    answer = await owner.visitor.post(
        f"{SETTINGS}/endpoints",
        {
            "url": "https://receptor.exemplo/webhooks",
            "description": "Financeiro",
            "events": ["review.create", "loyalty.points_earned"],
        },
    )
    saved = (await owner.api.get("/v1/webhook_endpoints")).json()["data"][0]

    assert answer.status_code == 303
    assert answer.headers["location"] == (
        f"{endpoint_path(saved['id'])}?feito=endpoint-criado"
    )
    assert saved["events"] == ["loyalty.points_earned", "review.create"]
    assert saved["description"] == "Financeiro"


async def test_a_nul_in_the_description_is_refused_not_stored(make_owner: Any) -> None:
    owner = await make_owner()
    await owner.visitor.get(f"{SETTINGS}/endpoints/novo")

    answer = await owner.visitor.post(
        f"{SETTINGS}/endpoints",
        {
            "url": "https://receptor.exemplo/webhooks",
            "description": "Finan\x00ceiro",
            "events": "*",
        },
    )

    assert answer.status_code == 422
    assert "caractere invisível inválido" in answer.text
    assert (await owner.api.get("/v1/webhook_endpoints")).json()["data"] == []


async def test_an_endpoint_needs_at_least_one_event(make_owner: Any) -> None:
    owner = await make_owner()
    await owner.visitor.get(f"{SETTINGS}/endpoints/novo")

    answer = await owner.visitor.post(
        f"{SETTINGS}/endpoints", {"url": "https://receptor.exemplo/webhooks"}
    )

    assert answer.status_code == 422
    assert "Escolha pelo menos um evento" in answer.text
    assert 'value="https://receptor.exemplo/webhooks"' in answer.text  # kept


async def send_test(owner: Owner, endpoint_id: str, event_type: str) -> str:
    answer = await owner.visitor.post(
        f"{endpoint_path(endpoint_id)}/teste",
        {"type": event_type},
        headers={"HX-Request": "true"},
    )
    assert answer.status_code == 200, answer.text
    found = re.search(r"teste/(del_\w+)", answer.text)
    assert found is not None
    return found.group(1)


async def test_a_test_event_reports_success_then_stops_polling(
    make_owner: Any, panel: Gestly, receiver: PythonReceiver
) -> None:
    owner = await make_owner()
    endpoint = await owner.api.create_endpoint(receiver.url)
    await owner.visitor.get(endpoint_path(endpoint["id"]))

    delivery_id = await send_test(owner, endpoint["id"], "review.create")
    await panel.settle()
    result = await owner.visitor.get(
        f"{endpoint_path(endpoint['id'])}/teste/{delivery_id}?vez=1"
    )

    assert receiver.requests[0].json()["type"] == "review.create"
    assert "Entregue." in result.text
    assert "respondeu 200" in result.text
    assert "hx-get" not in result.text
    assert result.headers["hx-trigger"] == "entrega-concluida"


async def test_a_failed_test_event_says_why_in_plain_words(
    make_owner: Any, panel: Gestly, receiver: PythonReceiver
) -> None:
    owner = await make_owner()
    receiver.behaviour.status = 500
    endpoint = await owner.api.create_endpoint(receiver.url)
    await owner.visitor.get(endpoint_path(endpoint["id"]))

    delivery_id = await send_test(owner, endpoint["id"], "appointment.cancel")
    await panel.settle()
    result = await owner.visitor.get(
        f"{endpoint_path(endpoint['id'])}/teste/{delivery_id}"
    )
    listing = await owner.visitor.get(SETTINGS)

    assert "Não entregue: o receptor respondeu com erro HTTP 500" in result.text
    assert "Nova tentativa automática em 5 minutos" in result.text
    assert "Com falhas" in listing.text
    assert "1 entrega falhou nas últimas 24 horas" in listing.text


async def test_a_test_event_still_on_its_way_asks_to_be_polled(
    make_owner: Any, receiver: PythonReceiver, panel: Gestly
) -> None:
    owner = await make_owner()
    receiver.behaviour.hang = True
    endpoint = await owner.api.create_endpoint(receiver.url)
    await owner.visitor.get(endpoint_path(endpoint["id"]))

    delivery_id = await send_test(owner, endpoint["id"], "appointment.create")
    await receiver.wait_for(1)
    result = await owner.visitor.get(
        f"{endpoint_path(endpoint['id'])}/teste/{delivery_id}?vez=3"
    )
    receiver.release_hung.set()
    await panel.settle()

    assert "Enviando o evento de teste" in result.text
    assert f"teste/{delivery_id}?vez=4" in result.text
    assert 'hx-trigger="load delay:1s"' in result.text


async def test_an_endpoint_gone_410_is_shown_disabled_with_the_reason(
    make_owner: Any, panel: Gestly, receiver: PythonReceiver
) -> None:
    owner = await make_owner()
    receiver.behaviour.status = 410
    endpoint = await owner.api.create_endpoint(receiver.url)
    await owner.visitor.get(endpoint_path(endpoint["id"]))
    await send_test(owner, endpoint["id"], "appointment.create")
    await panel.settle()

    listing = await owner.visitor.get(SETTINGS)
    page = await owner.visitor.get(endpoint_path(endpoint["id"]))

    assert "Desativado" in listing.text
    assert "o seu sistema respondeu 410 (não existe mais)" in listing.text
    assert "Ativar endpoint" in page.text
    assert "Ative o endpoint para enviar um teste." in page.text


async def test_disable_enable_and_delete_change_the_endpoint(make_owner: Any) -> None:
    owner = await make_owner()
    endpoint = await owner.api.create_endpoint("https://receptor.exemplo/webhooks")
    path = endpoint_path(endpoint["id"])
    await owner.visitor.get(path)

    await owner.visitor.post(f"{path}/desativar")
    disabled = (await owner.api.get(f"/v1/webhook_endpoints/{endpoint['id']}")).json()
    shown = await owner.visitor.get(path)
    await owner.visitor.post(f"{path}/ativar")
    enabled = (await owner.api.get(f"/v1/webhook_endpoints/{endpoint['id']}")).json()
    confirm = await owner.visitor.get(f"{path}/excluir")
    deleted = await owner.visitor.post(f"{path}/excluir")
    gone = await owner.api.get(f"/v1/webhook_endpoints/{endpoint['id']}")

    assert disabled["enabled"] is False
    assert "Desativado por você" in shown.text
    assert enabled["enabled"] is True
    assert "Excluir este endpoint?" in confirm.text
    assert deleted.headers["location"] == f"{SETTINGS}?feito=endpoint-excluido"
    assert gone.status_code == 404


async def test_editing_changes_url_and_events(make_owner: Any) -> None:
    owner = await make_owner()
    endpoint = await owner.api.create_endpoint("https://receptor.exemplo/webhooks")
    path = endpoint_path(endpoint["id"])
    form = await owner.visitor.get(f"{path}/editar")

    await owner.visitor.post(
        f"{path}/editar",
        {"url": "https://receptor.exemplo/novo", "events": ["customer.update"]},
    )
    after = (await owner.api.get(f"/v1/webhook_endpoints/{endpoint['id']}")).json()

    assert 'value="https://receptor.exemplo/webhooks"' in form.text
    assert after["url"] == "https://receptor.exemplo/novo"
    assert after["events"] == ["customer.update"]


@pytest.mark.parametrize(("hours", "keeps_previous"), [("0", False), ("24", True)])
async def test_rotating_shows_the_new_secret_and_keeps_the_old_as_chosen(
    make_owner: Any, hours: str, keeps_previous: bool
) -> None:
    owner = await make_owner()
    endpoint = await owner.api.create_endpoint("https://receptor.exemplo/webhooks")
    path = endpoint_path(endpoint["id"])
    await owner.visitor.get(path)

    answer = await owner.visitor.post(
        f"{path}/trocar-segredo", {"grace_period_hours": hours}
    )
    after = (await owner.api.get(f"/v1/webhook_endpoints/{endpoint['id']}")).json()

    assert after["secret"] != endpoint["secret"]
    assert after["secret"] in answer.text
    assert "Novo segredo criado." in answer.text
    assert (after["previous_secret_expires_at"] is not None) is keeps_previous
    assert ("O segredo anterior continua valendo até" in answer.text) is keeps_previous


async def test_rotating_with_an_unoffered_grace_period_is_refused(
    make_owner: Any,
) -> None:
    owner = await make_owner()
    endpoint = await owner.api.create_endpoint("https://receptor.exemplo/webhooks")
    path = endpoint_path(endpoint["id"])
    await owner.visitor.get(path)

    answer = await owner.visitor.post(
        f"{path}/trocar-segredo", {"grace_period_hours": "9999"}
    )
    after = (await owner.api.get(f"/v1/webhook_endpoints/{endpoint['id']}")).json()

    assert answer.status_code == 422
    assert after["secret"] == endpoint["secret"]


async def test_a_new_token_is_shown_once_and_works_until_revoked(
    make_owner: Any, panel: Gestly
) -> None:
    owner = await make_owner()
    await owner.visitor.get(SETTINGS)

    created = await owner.visitor.post(f"{SETTINGS}/tokens", {"name": "Recepção"})
    token = re.search(r'id="novo-token"[^>]*value="(gst_[^"]+)"', created.text)
    assert token is not None
    listing = await owner.visitor.get(SETTINGS)
    works = await owner.api.http.get(
        "/v1/webhook_endpoints", headers={"Authorization": f"Bearer {token.group(1)}"}
    )
    ids = re.findall(r"/tokens/(tok_\w+)/revogar", listing.text)
    names = re.findall(r'<td data-label="Nome">(.*?)</td>', listing.text)
    chosen = ids[names.index("Recepção")]
    await owner.visitor.post(f"{SETTINGS}/tokens/{chosen}/revogar")
    refused = await owner.api.http.get(
        "/v1/webhook_endpoints", headers={"Authorization": f"Bearer {token.group(1)}"}
    )

    assert created.status_code == 201
    assert token.group(1) not in listing.text  # shown once
    assert works.status_code == 200
    assert refused.status_code == 401


async def test_a_token_needs_a_name(make_owner: Any) -> None:
    owner = await make_owner()
    await owner.visitor.get(SETTINGS)

    answer = await owner.visitor.post(f"{SETTINGS}/tokens", {"name": "  "})

    assert answer.status_code == 422
    assert "Dê um nome ao token" in answer.text
    assert 'id="novo-token"' not in answer.text
