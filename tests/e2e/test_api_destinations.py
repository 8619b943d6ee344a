"""Where webhook endpoints may point, through the API.

In production only HTTPS URLs whose every address is public are accepted: literals
and host names alike, IPv4 and IPv6, including IPv6 forms that embed an IPv4
address. DNS is a stand-in the test controls; nothing connects anywhere. In
development mode loopback and plain HTTP are allowed, the rest is still refused.
"""

import ipaddress
import socket
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest

from gestly.clock import ManualClock
from gestly.delivery.resolver import HostLookupError
from tests.e2e.test_api_input import assert_error
from tests.support.harness import TEST_SETTINGS, Client, Gestly

pytestmark = pytest.mark.anyio

PUBLIC_IPV4 = "93.184.215.14"
PUBLIC_IPV6 = "2606:2800:21f:cb07:6820:80da:af6b:8b2c"

ADDRESSES = {
    "hooks.example.com": [PUBLIC_IPV4],
    "hooks6.example.com": [PUBLIC_IPV6, PUBLIC_IPV4],
    "rebind.example.com": [PUBLIC_IPV4, "127.0.0.1"],
    "internal.example.com": ["10.0.0.5"],
    "metadata.example.com": ["169.254.169.254"],
    "mapped.example.com": ["::ffff:127.0.0.1"],
    "nat64.example.com": [PUBLIC_IPV6, "64:ff9b::a9fe:a9fe"],
    "private6.example.com": ["fd00::5"],
    "multicast.example.com": ["224.0.0.251"],
    "cgnat.example.com": ["100.64.0.9"],
    "localhost": ["127.0.0.1", "::1"],
    "empty.example.com": [],
}


async def fake_lookup(host: str, _port: int) -> list[str]:
    """DNS as the test defines it. Numeric host names that the system resolver
    reads as IPv4 (``127.1``, ``0x7f000001``, ``2130706433``) resolve as it would,
    parsed locally by ``inet_aton``; every other name does not resolve."""
    if host in ADDRESSES:
        return list(ADDRESSES[host])
    try:
        return [socket.inet_ntoa(socket.inet_aton(host))]
    except OSError:
        raise HostLookupError(f"the host {host!r} does not resolve") from None


@pytest.fixture
async def production(database_url: str, clock: ManualClock) -> AsyncIterator[Gestly]:
    settings = replace(TEST_SETTINGS, environment="production")
    harness = await Gestly(
        database_url, clock, settings=settings, lookup=fake_lookup, with_worker=False
    ).start()
    yield harness
    await harness.stop()


@pytest.fixture
async def client(production: Gestly) -> AsyncIterator[Client]:
    client = await production.new_account()
    yield client
    await client.close()


async def listed_urls(client: Client) -> list[str]:
    listed = (await client.get("/v1/webhook_endpoints", params={"limit": 100})).json()
    return [item["url"] for item in listed["data"]]


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.example.com/webhooks",
        "https://hooks.example.com:8443/webhooks?source=gestly",
        "https://hooks6.example.com/webhooks",
        f"https://{PUBLIC_IPV4}/webhooks",
        f"https://[{PUBLIC_IPV6}]/webhooks",
        f"https://[::ffff:{PUBLIC_IPV4}]/webhooks",
    ],
)
async def test_production_accepts_https_url_with_only_public_addresses(
    client: Client, url: str
) -> None:
    response = await client.post("/v1/webhook_endpoints", json={"url": url})

    assert response.status_code == 201, response.text
    assert response.json()["url"] == url


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.example.com/webhooks",
        f"http://{PUBLIC_IPV4}/webhooks",
        "HTTP://hooks.example.com/webhooks",
    ],
)
async def test_production_refuses_plain_http_with_422_on_url(
    client: Client, url: str
) -> None:
    response = await client.post("/v1/webhook_endpoints", json={"url": url})

    assert_error(response, 422, "url", "https://")
    assert await listed_urls(client) == []


# (host as written in the URL, the address the message must name, why it is refused)
REFUSED_LITERALS = [
    ("127.0.0.1", "127.0.0.1", "loopback"),
    ("127.1.2.3", "127.1.2.3", "loopback"),
    ("0.0.0.0", "0.0.0.0", "unspecified"),  # noqa: S104 - an address under test
    ("10.0.0.1", "10.0.0.1", "private"),
    ("172.16.0.1", "172.16.0.1", "private"),
    ("192.168.1.1", "192.168.1.1", "private"),
    ("100.64.0.1", "100.64.0.1", ""),
    ("169.254.169.254", "169.254.169.254", "link-local"),
    ("169.254.0.1", "169.254.0.1", "link-local"),
    ("224.0.0.1", "224.0.0.1", "multicast"),
    ("239.255.255.250", "239.255.255.250", "multicast"),
    ("240.0.0.1", "240.0.0.1", ""),
    ("255.255.255.255", "255.255.255.255", ""),
    ("192.0.2.1", "192.0.2.1", ""),
    ("198.18.0.1", "198.18.0.1", ""),
    ("192.0.0.8", "192.0.0.8", ""),
    ("[::1]", "::1", "loopback"),
    ("[::]", "::", "unspecified"),
    ("[fc00::1]", "fc00::1", "private"),
    ("[fd12:3456:789a::1]", "fd12:3456:789a::1", "private"),
    ("[fe80::1]", "fe80::1", "link-local"),
    ("[fe80::1%25eth0]", "fe80::1", "link-local"),
    ("[fec0::1]", "fec0::1", ""),
    ("[ff02::1]", "ff02::1", "multicast"),
    ("[2001:db8::1]", "2001:db8::1", ""),
    ("[::ffff:127.0.0.1]", "::ffff:127.0.0.1", "loopback"),
    ("[::ffff:7f00:1]", "::ffff:127.0.0.1", "loopback"),
    ("[::ffff:169.254.169.254]", "::ffff:169.254.169.254", "link-local"),
    ("[::ffff:10.0.0.1]", "::ffff:10.0.0.1", "private"),
    ("[64:ff9b::a9fe:a9fe]", "64:ff9b::a9fe:a9fe", "link-local"),
    ("[2002:7f00:1::]", "2002:7f00:1::", "loopback"),
    ("[::127.0.0.1]", "::127.0.0.1", ""),
]


@pytest.mark.parametrize(
    ("host", "address", "reason"),
    REFUSED_LITERALS,
    ids=[host for host, _, _ in REFUSED_LITERALS],
)
async def test_production_refuses_non_public_address_literal_naming_it(
    client: Client, host: str, address: str, reason: str
) -> None:
    response = await client.post(
        "/v1/webhook_endpoints", json={"url": f"https://{host}:8443/webhooks"}
    )

    error = assert_error(response, 422, "url", str(ipaddress.ip_address(address)))
    assert reason in error["message"]
    assert "public" in error["message"]
    assert await listed_urls(client) == []


REFUSED_HOST_NAMES = [
    ("rebind.example.com", "127.0.0.1", "loopback"),
    ("internal.example.com", "10.0.0.5", "private"),
    ("metadata.example.com", "169.254.169.254", "link-local"),
    ("mapped.example.com", "::ffff:127.0.0.1", "loopback"),
    ("nat64.example.com", "64:ff9b::a9fe:a9fe", "link-local"),
    ("private6.example.com", "fd00::5", "private"),
    ("multicast.example.com", "224.0.0.251", "multicast"),
    ("cgnat.example.com", "100.64.0.9", ""),
    ("localhost", "127.0.0.1", "loopback"),
    ("LOCALHOST", "127.0.0.1", "loopback"),
    ("127.1", "127.0.0.1", "loopback"),
    ("0x7f000001", "127.0.0.1", "loopback"),
    ("2130706433", "127.0.0.1", "loopback"),
    ("0251.0376.0251.0376", "169.254.169.254", "link-local"),
]


@pytest.mark.parametrize(
    ("host", "address", "reason"),
    REFUSED_HOST_NAMES,
    ids=[host for host, _, _ in REFUSED_HOST_NAMES],
)
async def test_production_refuses_host_resolving_to_any_non_public_address(
    client: Client, host: str, address: str, reason: str
) -> None:
    response = await client.post(
        "/v1/webhook_endpoints", json={"url": f"https://{host}/webhooks"}
    )

    error = assert_error(response, 422, "url", str(ipaddress.ip_address(address)))
    assert reason in error["message"]
    assert await listed_urls(client) == []


@pytest.mark.parametrize(
    ("host", "mention"),
    [
        ("nowhere.example.com", "does not resolve"),
        ("empty.example.com", "no addresses"),
    ],
)
async def test_production_refuses_host_that_does_not_resolve(
    client: Client, host: str, mention: str
) -> None:
    response = await client.post(
        "/v1/webhook_endpoints", json={"url": f"https://{host}/webhooks"}
    )

    error = assert_error(response, 422, "url", mention)
    assert host in error["message"]
    assert await listed_urls(client) == []


@pytest.mark.parametrize(
    ("changes", "mention"),
    [
        ({"url": "https://internal.example.com/webhooks"}, "10.0.0.5"),
        ({"url": "https://rebind.example.com/webhooks"}, "127.0.0.1"),
        ({"url": "https://[::ffff:169.254.169.254]/webhooks"}, "link-local"),
        ({"url": "https://nowhere.example.com/webhooks"}, "does not resolve"),
        ({"url": "http://hooks.example.com/other"}, "https://"),
        (
            {
                "url": "https://metadata.example.com/latest/meta-data/",
                "description": "Novo",
                "enabled": False,
                "events": ["review.create"],
            },
            "169.254.169.254",
        ),
    ],
)
async def test_production_update_to_refused_url_is_422_and_keeps_old_endpoint(
    client: Client, changes: dict[str, Any], mention: str
) -> None:
    endpoint = await client.create_endpoint(
        "https://hooks.example.com/webhooks", description="Agenda"
    )
    path = f"/v1/webhook_endpoints/{endpoint['id']}"

    response = await client.patch(path, json=changes)

    assert_error(response, 422, "url", mention)
    assert (await client.get(path)).json() == endpoint


# Development mode: the suite's ``gestly`` fixture. Only loopback literals and
# ``localhost`` (from /etc/hosts) are used, so nothing reaches real DNS.


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/webhooks",
        "http://localhost:8080/webhooks",
        "http://[::1]:8080/webhooks",
        "https://127.0.0.1:8443/webhooks",
    ],
)
async def test_development_accepts_loopback_over_plain_http(
    gestly: Gestly, url: str
) -> None:
    client = await gestly.new_account()

    response = await client.post("/v1/webhook_endpoints", json={"url": url})
    await client.close()

    assert response.status_code == 201, response.text
    assert response.json()["url"] == url


@pytest.mark.parametrize(
    ("url", "address", "reason"),
    [
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254", "link-local"),
        ("http://10.0.0.1/webhooks", "10.0.0.1", "private"),
        ("http://[::ffff:169.254.169.254]/", "::ffff:169.254.169.254", "link-local"),
        ("http://[fd00::1]/webhooks", "fd00::1", "private"),
        ("http://224.0.0.1/webhooks", "224.0.0.1", "multicast"),
    ],
)
async def test_development_still_refuses_metadata_and_private_addresses(
    gestly: Gestly, url: str, address: str, reason: str
) -> None:
    client = await gestly.new_account()

    response = await client.post("/v1/webhook_endpoints", json={"url": url})
    listed = (await client.get("/v1/webhook_endpoints")).json()
    await client.close()

    error = assert_error(response, 422, "url", str(ipaddress.ip_address(address)))
    assert reason in error["message"]
    assert listed["data"] == []
