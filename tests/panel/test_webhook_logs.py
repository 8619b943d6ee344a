"""The webhook log: filters in the URL, keyset pages, a delivery's attempts, resend."""

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from gestly.clock import ManualClock
from tests.panel.conftest import Owner
from tests.support.harness import Gestly
from tests.support.receivers import PythonReceiver

pytestmark = pytest.mark.anyio

LOGS = "/painel/logs-de-webhook"
DELIVERY_LINK = re.compile(r'href="/painel/logs-de-webhook/(del_\w+)"')


async def send(owner: Owner, endpoint_id: str, event_type: str) -> str:
    answer = await owner.api.post(
        f"/v1/webhook_endpoints/{endpoint_id}/test", json={"type": event_type}
    )
    assert answer.status_code == 202, answer.text
    delivery_id: str = answer.json()["delivery_id"]
    return delivery_id


def listed(html: str) -> list[str]:
    return list(dict.fromkeys(DELIVERY_LINK.findall(html)))


async def test_filters_by_event_and_status_are_kept_in_the_url(
    make_owner: Any, panel: Gestly, receiver: PythonReceiver
) -> None:
    owner = await make_owner()
    endpoint = await owner.api.create_endpoint(receiver.url)
    delivered = await send(owner, endpoint["id"], "customer.create")
    await panel.settle()
    receiver.behaviour.status = 503
    failing = await send(owner, endpoint["id"], "customer.create")
    other_type = await send(owner, endpoint["id"], "review.create")
    await panel.settle()

    page = await owner.visitor.get(f"{LOGS}?evento=customer.create&status=retrying")

    assert listed(page.text) == [failing]
    assert delivered not in page.text
    assert other_type not in page.text
    assert '<option value="customer.create" selected>' in page.text
    assert '<option value="retrying" selected>' in page.text


async def test_a_date_range_counts_whole_days_in_the_business_time_zone(
    make_owner: Any, panel: Gestly, clock: ManualClock
) -> None:
    owner = await make_owner()
    endpoint = await owner.api.create_endpoint("https://receptor.exemplo/webhooks")
    # 02:30 UTC on 10 March is still 9 March in São Paulo (UTC-3).
    clock.set(datetime(2026, 3, 10, 2, 30, tzinfo=UTC))
    late_on_ninth = await send(owner, endpoint["id"], "customer.create")
    clock.set(datetime(2026, 3, 10, 12, 0, tzinfo=UTC))
    on_tenth = await send(owner, endpoint["id"], "customer.create")

    ninth = await owner.visitor.get(f"{LOGS}?de=2026-03-09&ate=2026-03-09")
    tenth = await owner.visitor.get(f"{LOGS}?de=2026-03-10")

    assert listed(ninth.text) == [late_on_ninth]
    assert listed(tenth.text) == [on_tenth]


async def test_pages_go_older_and_back_without_repeating_or_skipping(
    make_owner: Any, clock: ManualClock
) -> None:
    owner = await make_owner()
    endpoint = await owner.api.create_endpoint("https://receptor.exemplo/webhooks")
    sent = []
    for _ in range(30):
        clock.advance(timedelta(seconds=1))
        sent.append(await send(owner, endpoint["id"], "appointment.update"))
    newest_first = list(reversed(sent))

    first = await owner.visitor.get(f"{LOGS}?evento=appointment.update")
    older_link = re.search(r'href="([^"]+)" rel="next"', first.text)
    assert older_link is not None
    second = await owner.visitor.get(older_link.group(1).replace("&amp;", "&"))
    newer_link = re.search(r'href="([^"]+)" rel="prev"', second.text)
    assert newer_link is not None
    back = await owner.visitor.get(newer_link.group(1).replace("&amp;", "&"))

    assert listed(first.text) == newest_first[:25]
    assert "evento=appointment.update" in older_link.group(1)
    assert listed(second.text) == newest_first[25:]
    assert 'rel="next"' not in second.text
    assert listed(back.text) == newest_first[:25]


async def test_nonsense_filters_are_named_and_ignored(make_owner: Any) -> None:
    owner = await make_owner()

    page = await owner.visitor.get(
        f"{LOGS}?de=ontem&evento=pedido.criado&status=perdido&endpoint=xyz"
    )

    assert page.status_code == 200
    assert "A data “ontem” em “De” não é válida" in page.text
    assert "“pedido.criado” não é um tipo de evento do Gestly." in page.text
    assert "“perdido” não é uma situação de entrega." in page.text
    assert "“xyz” não é um endpoint desta conta." in page.text


async def test_a_delivery_shows_its_payload_and_each_attempt_in_plain_words(
    make_owner: Any, panel: Gestly
) -> None:
    owner = await make_owner()
    # Nothing listens on port 9 of loopback: the connection is refused.
    endpoint = await owner.api.create_endpoint("http://127.0.0.1:9/webhooks")
    delivery_id = await send(owner, endpoint["id"], "loyalty.reward_redeemed")
    await panel.settle()

    page = await owner.visitor.get(f"{LOGS}/{delivery_id}")

    assert page.status_code == 200
    assert "Recompensa resgatada" in page.text
    assert "Motivo: conexão recusada." in page.text
    assert "Tentando de novo" in page.text
    assert "\n  &#34;type&#34;: &#34;loyalty.reward_redeemed&#34;," in page.text
    assert "x-webhook-signature" in page.text


async def test_resend_makes_one_more_attempt_and_the_page_follows_it(
    make_owner: Any, panel: Gestly, receiver: PythonReceiver
) -> None:
    owner = await make_owner()
    receiver.behaviour.status = 500
    endpoint = await owner.api.create_endpoint(receiver.url)
    delivery_id = await send(owner, endpoint["id"], "customer.update")
    await panel.settle()
    receiver.behaviour.status = 200
    await owner.visitor.get(f"{LOGS}/{delivery_id}")

    answer = await owner.visitor.post(f"{LOGS}/{delivery_id}/reenviar")
    waiting = await owner.visitor.get(f"{LOGS}/{delivery_id}?feito=reenvio-pedido")
    await panel.settle()
    done = await owner.visitor.get(f"{LOGS}/{delivery_id}/situacao?vez=1")

    assert answer.status_code == 303
    assert "Reenvio pedido" in waiting.text
    assert f"{delivery_id}/situacao?vez=1" in waiting.text  # polls
    assert "reenviada por você" in done.text
    assert "Entregue" in done.text
    assert "hx-get" not in done.text
    assert len(receiver.requests) == 2


async def test_resend_to_a_disabled_endpoint_is_refused_with_the_reason(
    make_owner: Any, panel: Gestly, receiver: PythonReceiver
) -> None:
    owner = await make_owner()
    endpoint = await owner.api.create_endpoint(receiver.url)
    delivery_id = await send(owner, endpoint["id"], "customer.update")
    await panel.settle()
    await owner.api.patch(
        f"/v1/webhook_endpoints/{endpoint['id']}", json={"enabled": False}
    )
    await owner.visitor.get(f"{LOGS}/{delivery_id}")

    answer = await owner.visitor.post(f"{LOGS}/{delivery_id}/reenviar")

    assert answer.status_code == 409
    assert "Não dá para reenviar: o endpoint está desativado por você." in answer.text
    assert len(receiver.requests) == 1
