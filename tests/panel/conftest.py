"""The panel over HTTP, without a browser: Gestly in the test's loop, a visitor with
a cookie jar, and accounts with panel passwords.

Host names are looked up by a stand-in resolver, so URL checks never leave the
machine: ``receptor.exemplo`` is loopback, ``interno.exemplo`` a private address, and
every other name does not resolve.
"""

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from gestly.clock import ManualClock
from gestly.delivery.resolver import HostLookupError
from gestly.passwords import hash_password
from gestly.storage.accounts import create_account, create_token
from tests.support.harness import Client, Gestly

PASSWORD = "senha-do-salao-1"
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
KNOWN_HOSTS = {"receptor.exemplo": ["127.0.0.1"], "interno.exemplo": ["10.1.2.3"]}


async def stand_in_lookup(host: str, port: int) -> list[str]:
    if host in KNOWN_HOSTS:
        return KNOWN_HOSTS[host]
    raise HostLookupError(f"the host {host!r} does not resolve: no such name")


@pytest.fixture
async def panel(database_url: str, clock: ManualClock) -> AsyncIterator[Gestly]:
    harness = await Gestly(database_url, clock, lookup=stand_in_lookup).start()
    yield harness
    await harness.stop()


class Visitor:
    """A browser stand-in: keeps cookies and the last page's CSRF token, and sends
    the panel's own ``Origin`` on every POST unless told otherwise."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http = httpx.AsyncClient(base_url=base_url, timeout=10.0)
        self.csrf_token = ""

    def remember(self, response: httpx.Response) -> httpx.Response:
        found = CSRF_FIELD.search(response.text)
        if found:
            self.csrf_token = found.group(1)
        return response

    async def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.remember(await self.http.get(path, **kwargs))

    async def post(
        self,
        path: str,
        data: dict[str, Any] | None = None,
        *,
        csrf: bool = True,
        origin: str | None = "self",
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        fields = dict(data or {})
        if csrf:
            fields.setdefault("csrf_token", self.csrf_token)
        sent = dict(headers or {})
        if origin is not None:
            sent["Origin"] = self.base_url if origin == "self" else origin
        return self.remember(await self.http.post(path, data=fields, headers=sent))

    async def sign_in(self, email: str, password: str = PASSWORD) -> httpx.Response:
        await self.get("/painel/entrar")
        return await self.post("/painel/entrar", {"email": email, "password": password})

    async def close(self) -> None:
        await self.http.aclose()


@dataclass
class Owner:
    """An account with a panel password, its signed-in visitor and an API client."""

    email: str
    visitor: Visitor
    api: Client


@pytest.fixture
async def make_owner(panel: Gestly) -> AsyncIterator[Any]:
    made: list[Owner] = []

    async def make(email: str = "dona@salao.example", *, sign_in: bool = True) -> Owner:
        now = panel.clock.now()
        async with panel.database.transaction() as tx:
            account = await create_account(
                tx,
                name="Salão Aurora",
                email=email,
                password_hash=hash_password(PASSWORD),
                now=now,
            )
            token = await create_token(tx, account_id=account.id, name="test", now=now)
        owner = Owner(
            email,
            Visitor(panel.base_url),
            Client(panel.base_url, token.token, account.id),
        )
        made.append(owner)
        if sign_in:
            answer = await owner.visitor.sign_in(email)
            assert answer.status_code == 303, answer.text
        return owner

    yield make
    for owner in made:
        await owner.visitor.close()
        await owner.api.close()


SETTINGS = "/painel/configuracoes/api-e-webhooks"


def endpoint_path(endpoint_id: str) -> str:
    return f"{SETTINGS}/endpoints/{endpoint_id}"
