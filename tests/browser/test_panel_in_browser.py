"""The panel as a business owner uses it, in headless Chromium against ``gestly serve``.

Each step waits on what the page shows (Playwright's ``expect``), never on a sleep.
"""

import hashlib
import hmac
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import PASSWORD, Server, SwitchableReceiver

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
BRAZIL = {"locale": "pt-BR", "timezone_id": "America/Sao_Paulo"}
DELIVERY_TIMEOUT_MS = 20_000


def sign_in(page: Page, server: Server, email: str) -> None:
    page.goto(f"{server.url}/painel")
    expect(page).to_have_url(re.compile(r"/painel/entrar"))
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Senha").fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    expect(page.get_by_role("heading", name="API e Webhooks", level=1)).to_be_visible()


def shoot(page: Page, directory: Path, name: str) -> None:
    page.screenshot(path=str(directory / f"{name}.png"), full_page=True)


def test_owner_connects_a_receiver_follows_a_failure_and_resends(
    browser: Browser,
    server: Server,
    receiver: SwitchableReceiver,
    screenshots: Path,
) -> None:
    server.create_account("Salão Aurora", "aurora@example.com")
    context = browser.new_context(viewport=DESKTOP, **BRAZIL)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    # Content-Security-Policy violations and script errors land in the console.
    console_errors: list[str] = []
    page.on(
        "console",
        lambda message: (
            console_errors.append(message.text) if message.type == "error" else None
        ),
    )

    # Sign in.
    page.goto(f"{server.url}/painel/entrar")
    expect(page.get_by_role("heading", name="Entrar no Gestly")).to_be_visible()
    shoot(page, screenshots, "01-entrar")
    sign_in(page, server, "aurora@example.com")
    expect(page.get_by_text("Nenhum endpoint ainda.")).to_be_visible()

    # A URL the panel refuses, explained next to the field.
    page.get_by_role("link", name="Adicionar endpoint").click()
    page.get_by_label("URL do endpoint").fill("http://10.0.0.5/webhooks")
    page.get_by_role("button", name="Adicionar endpoint").click()
    url_error = page.locator("#erro-url")
    expect(url_error).to_contain_text("endereço de rede privada")
    expect(page.get_by_label("URL do endpoint")).to_have_attribute(
        "aria-invalid", "true"
    )
    shoot(page, screenshots, "03-novo-endpoint-erro-url")

    # Add the endpoint for two events only.
    page.get_by_label("URL do endpoint").fill(receiver.url)
    page.get_by_label("Descrição").fill("Sistema da recepção")
    page.get_by_label("Todos os eventos").uncheck()
    page.get_by_label("Novo agendamento criado").check()
    page.get_by_label("Novo cliente cadastrado").check()
    page.get_by_role("button", name="Adicionar endpoint").click()
    expect(page.get_by_text("Endpoint adicionado.")).to_be_visible()
    expect(page.locator(".tag-list")).to_contain_text("appointment.create")
    expect(page.locator(".tag-list")).to_contain_text("customer.create")
    expect(page.locator(".tag-list")).not_to_contain_text("review.create")
    endpoint_page = page.url.split("?")[0]

    # Copy the URL and the secret, which stays hidden until asked for.
    assert page.locator("#endpoint-secret").count() == 0
    page.get_by_role("button", name="Mostrar segredo").click()
    secret_field = page.locator("#endpoint-secret")
    expect(secret_field).to_have_value(re.compile(r"^whsec_"))
    expect(secret_field).to_be_focused()
    secret = secret_field.input_value()
    page.locator("[data-copy='endpoint-secret']").click()
    expect(page.locator("[data-copy='endpoint-secret']")).to_have_text("Copiado ✓")
    assert page.evaluate("navigator.clipboard.readText()") == secret
    page.locator("[data-copy='endpoint-url']").click()
    expect(page.locator("[data-copy='endpoint-url']")).to_have_text("Copiado ✓")
    assert page.evaluate("navigator.clipboard.readText()") == receiver.url

    # A test event arrives, signed with that secret, and the page says so.
    page.get_by_label("Tipo de evento").select_option("appointment.create")
    page.get_by_role("button", name="Enviar teste").click()
    result = page.locator("#resultado-teste")
    expect(result).to_contain_text("Entregue.", timeout=DELIVERY_TIMEOUT_MS)
    expect(result).to_contain_text("respondeu 200")
    headers, body = receiver.requests[-1]
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    assert headers["x-webhook-signature"] == expected
    assert page.url.split("?")[0] == endpoint_page  # the result came in place
    expect(page.locator("#entregas-recentes")).to_contain_text("Entregue")
    shoot(page, screenshots, "04-endpoint")

    # The receiver breaks: the failure is explained in plain words.
    receiver.status = 500
    page.get_by_label("Tipo de evento").select_option("customer.create")
    page.get_by_role("button", name="Enviar teste").click()
    expect(result).to_contain_text(
        "Não entregue: o receptor respondeu com erro HTTP 500",
        timeout=DELIVERY_TIMEOUT_MS,
    )
    expect(result).to_contain_text("Nova tentativa automática em 5 minutos")
    result.get_by_role("link", name="Ver os detalhes desta entrega no log").click()
    expect(page.get_by_role("heading", name="Novo cliente cadastrado")).to_be_visible()
    attempt = page.locator("article.attempt").first
    expect(attempt).to_contain_text("Falhou")
    expect(attempt).to_contain_text("Motivo: o receptor respondeu com erro HTTP 500")
    expect(attempt).to_contain_text('"error": "falhou"')
    expect(page.locator(".code").last).to_contain_text('"type": "customer.create"')
    delivery_page = page.url.split("?")[0]
    shoot(page, screenshots, "06-entrega")

    # The log, filtered by event and status; the filters stay in the URL.
    page.get_by_role("link", name="Logs de Webhook").first.click()
    expect(page.locator("table.table-logs tbody tr")).to_have_count(2)
    page.get_by_label("Evento").select_option("customer.create")
    page.get_by_label("Situação").select_option("retrying")
    page.get_by_role("button", name="Filtrar").click()
    query = parse_qs(urlsplit(page.url).query)
    assert query["evento"] == ["customer.create"]
    assert query["status"] == ["retrying"]
    rows = page.locator("table.table-logs tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Tentando de novo")
    shoot(page, screenshots, "05-logs")
    page.get_by_label("Situação").select_option("succeeded")
    page.get_by_role("button", name="Filtrar").click()
    expect(page.get_by_text("Nenhuma entrega com esses filtros.")).to_be_visible()

    # Fixed receiver, resend by hand: the page follows the new attempt.
    receiver.status = 200
    page.goto(delivery_page)
    page.get_by_role("button", name="Reenviar").click()
    expect(page.get_by_text("Reenvio pedido")).to_be_visible()
    expect(page.locator("article.attempt")).to_have_count(
        2, timeout=DELIVERY_TIMEOUT_MS
    )
    expect(page.locator("#atividade .badge").first).to_contain_text("Entregue")
    expect(page.locator("article.attempt").first).to_contain_text("reenviada por você")

    # Rotate the secret at once: a new one is shown, the old one stops.
    page.goto(endpoint_page)
    page.get_by_label("O segredo atual continua valendo por").select_option("0")
    page.get_by_role("button", name="Trocar segredo").click()
    expect(page.get_by_text("Novo segredo criado.")).to_be_visible()
    rotated = page.locator("#endpoint-secret").input_value()
    assert rotated.startswith("whsec_")
    assert rotated != secret

    # An API token, shown once.
    page.get_by_role("link", name="API e Webhooks").first.click()
    page.get_by_label("Nome do novo token").fill("Sistema da recepção")
    page.get_by_role("button", name="Criar token").click()
    expect(page.locator("#novo-token")).to_have_value(re.compile(r"^gst_"))
    endpoint_row = page.locator(".endpoint-item")
    expect(endpoint_row).to_contain_text("Ativo")
    expect(endpoint_row).to_contain_text("100% entregues nas últimas 24 horas (2 de 2)")
    shoot(page, screenshots, "02-api-e-webhooks")

    # Sign out: the panel asks to sign in again.
    page.get_by_role("button", name="Sair").click()
    expect(page.get_by_text("Você saiu do painel.")).to_be_visible()
    page.goto(f"{server.url}/painel/logs-de-webhook")
    expect(page).to_have_url(re.compile(r"/painel/entrar"))
    context.close()
    # The refused URL form answers 422 on purpose; nothing else may fail.
    assert [error for error in console_errors if "422" not in error] == []

    # The same screens at phone width.
    phone = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, **BRAZIL
    )
    small = phone.new_page()
    sign_in(small, server, "aurora@example.com")
    shoot(small, screenshots, "phone-02-api-e-webhooks")
    small.goto(endpoint_page)
    shoot(small, screenshots, "phone-04-endpoint")
    small.goto(f"{server.url}/painel/logs-de-webhook")
    expect(small.locator("table.table-logs tbody tr")).to_have_count(2)
    width = small.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the log is {width} px wide on a phone"
    shoot(small, screenshots, "phone-05-logs")
    small.goto(delivery_page)
    shoot(small, screenshots, "phone-06-entrega")
    phone.close()


def test_another_account_sees_none_of_it_and_forged_forms_are_refused(
    browser: Browser, server: Server, receiver: SwitchableReceiver
) -> None:
    server.create_account("Barbearia Norte", "norte@example.com")
    server.create_account("Clínica Sul", "sul@example.com")
    owner = browser.new_context(viewport=DESKTOP, **BRAZIL)
    page = owner.new_page()
    sign_in(page, server, "norte@example.com")
    page.get_by_role("link", name="Adicionar endpoint").click()
    page.get_by_label("URL do endpoint").fill(receiver.url)
    page.get_by_role("button", name="Adicionar endpoint").click()
    endpoint_page = page.url.split("?")[0]
    page.get_by_role("button", name="Enviar teste").click()
    page.locator("#resultado-teste").get_by_role("link").click()
    delivery_page = page.url.split("?")[0]
    owner.close()

    other = browser.new_context(viewport=DESKTOP, **BRAZIL)
    intruder = other.new_page()
    sign_in(intruder, server, "sul@example.com")
    for address in (
        endpoint_page,
        f"{endpoint_page}/editar",
        f"{endpoint_page}/excluir",
        delivery_page,
    ):
        response = intruder.goto(address)
        assert response is not None
        assert response.status == 404
        expect(
            intruder.get_by_role("heading", name="Página não encontrada")
        ).to_be_visible()
    intruder.goto(f"{server.url}/painel/configuracoes/api-e-webhooks")
    expect(intruder.get_by_text("Nenhum endpoint ainda.")).to_be_visible()
    intruder.goto(f"{server.url}/painel/logs-de-webhook")
    expect(intruder.get_by_text("Nenhuma entrega ainda.")).to_be_visible()

    # A form whose CSRF token was tampered with is refused, and nothing is made.
    intruder.goto(f"{server.url}/painel/configuracoes/api-e-webhooks/endpoints/novo")
    intruder.get_by_label("URL do endpoint").fill(receiver.url)
    intruder.locator("form.card input[name=csrf_token]").evaluate(
        "field => { field.value = 'forjado'; }"
    )
    with intruder.expect_response(re.compile(r"/endpoints$")) as refused:
        intruder.locator("form.card").get_by_role(
            "button", name="Adicionar endpoint"
        ).click()
    assert refused.value.status == 403
    expect(intruder.get_by_role("heading", name="Ação recusada")).to_be_visible()
    intruder.goto(f"{server.url}/painel/configuracoes/api-e-webhooks")
    expect(intruder.get_by_text("Nenhum endpoint ainda.")).to_be_visible()
    other.close()
