"""Name resolution that hands out only addresses deliveries may go to."""

import socket

import pytest

from gestly.delivery.resolver import (
    BlockedAddressError,
    CheckingResolver,
    HostLookupError,
    LookupHost,
    resolve_checked,
)
from gestly.webhooks.destinations import DestinationPolicy

pytestmark = pytest.mark.anyio

PRODUCTION = DestinationPolicy.for_environment(development=False)
DEVELOPMENT = DestinationPolicy.for_environment(development=True)


def answering(*addresses: str) -> LookupHost:
    """A lookup that answers every host with ``addresses``."""

    async def lookup(host: str, port: int) -> list[str]:
        return list(addresses)

    return lookup


async def test_host_with_only_public_addresses_resolves_to_all_of_them() -> None:
    lookup = answering("93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946")

    addresses = await resolve_checked("example.com", 443, PRODUCTION, lookup)

    assert addresses == ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"]


@pytest.mark.parametrize(
    "answer",
    [
        ("127.0.0.1",),
        ("93.184.216.34", "127.0.0.1"),
        ("127.0.0.1", "93.184.216.34"),
        ("8.8.8.8", "1.1.1.1", "10.0.0.7"),
        ("93.184.216.34", "169.254.169.254"),
        ("2606:4700:4700::1111", "::ffff:169.254.169.254"),
        ("2606:4700:4700::1111", "fe80::1%eth0"),
        ("2606:4700:4700::1111", "64:ff9b::a00:1"),
    ],
)
async def test_host_with_any_refused_address_is_blocked(
    answer: tuple[str, ...],
) -> None:
    lookup = answering(*answer)

    with pytest.raises(BlockedAddressError):
        await resolve_checked("rebind.example.com", 443, PRODUCTION, lookup)


async def test_blocked_host_error_names_the_refused_address() -> None:
    lookup = answering("93.184.216.34", "169.254.169.254")

    with pytest.raises(BlockedAddressError, match=r"169\.254\.169\.254, a link-local"):
        await resolve_checked("metadata.example.com", 80, DEVELOPMENT, lookup)


async def test_host_resolving_to_loopback_is_allowed_in_development() -> None:
    lookup = answering("127.0.0.1", "::1")

    addresses = await resolve_checked("localhost", 3000, DEVELOPMENT, lookup)

    assert addresses == ["127.0.0.1", "::1"]


async def test_host_resolving_to_private_address_is_blocked_in_development() -> None:
    lookup = answering("127.0.0.1", "192.168.0.10")

    with pytest.raises(BlockedAddressError, match="private"):
        await resolve_checked("intranet.local", 80, DEVELOPMENT, lookup)


async def test_host_with_no_addresses_is_a_lookup_error_naming_the_host() -> None:
    lookup = answering()

    with pytest.raises(
        HostLookupError, match=r"'empty\.example\.com' has no addresses"
    ):
        await resolve_checked("empty.example.com", 443, PRODUCTION, lookup)


async def test_lookup_is_asked_for_the_host_and_port() -> None:
    asked: list[tuple[str, int]] = []

    async def lookup(host: str, port: int) -> list[str]:
        asked.append((host, port))
        return ["8.8.8.8"]

    await resolve_checked("hooks.example.com", 8443, PRODUCTION, lookup)

    assert asked == [("hooks.example.com", 8443)]


async def test_checking_resolver_returns_the_checked_addresses_for_aiohttp() -> None:
    resolver = CheckingResolver(
        PRODUCTION, answering("93.184.216.34", "2606:4700:4700::1111")
    )

    results = await resolver.resolve("example.com", 443)

    assert results == [
        {
            "hostname": "example.com",
            "host": "93.184.216.34",
            "port": 443,
            "family": socket.AF_INET,
            "proto": socket.IPPROTO_TCP,
            "flags": socket.AI_NUMERICHOST,
        },
        {
            "hostname": "example.com",
            "host": "2606:4700:4700::1111",
            "port": 443,
            "family": socket.AF_INET6,
            "proto": socket.IPPROTO_TCP,
            "flags": socket.AI_NUMERICHOST,
        },
    ]


async def test_checking_resolver_refuses_a_host_with_a_blocked_address() -> None:
    resolver = CheckingResolver(PRODUCTION, answering("8.8.8.8", "10.1.1.1"))

    with pytest.raises(BlockedAddressError):
        await resolver.resolve("example.com", 443)


async def test_checking_resolver_blocked_error_is_an_os_error_for_aiohttp() -> None:
    # aiohttp wraps OSError from a resolver in ClientConnectorDNSError, which the
    # sender classifies as a blocked destination.
    resolver = CheckingResolver(PRODUCTION, answering("127.0.0.1"))

    with pytest.raises(OSError, match="loopback"):
        await resolver.resolve("example.com", 443)


async def test_checking_resolver_with_no_addresses_raises_lookup_error() -> None:
    resolver = CheckingResolver(PRODUCTION, answering())

    with pytest.raises(HostLookupError):
        await resolver.resolve("example.com", 443)
