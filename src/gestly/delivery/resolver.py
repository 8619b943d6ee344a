"""Name resolution that only ever hands out addresses deliveries may go to.

The sender's HTTP connector asks this resolver for a host's addresses and connects to
what it returns, so the address that was checked is the address that is used: a DNS
answer that changes between the check and the connection (DNS rebinding) has nothing
to slip through.
"""

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable

from aiohttp.abc import AbstractResolver, ResolveResult

from gestly.webhooks.destinations import (
    DestinationError,
    DestinationPolicy,
    check_address,
)

LookupHost = Callable[[str, int], Awaitable[list[str]]]


class BlockedAddressError(OSError):
    """The host resolved to an address that deliveries may not go to."""


class HostLookupError(OSError):
    """The host name does not resolve."""


async def lookup_host(host: str, port: int) -> list[str]:
    """Resolve ``host`` with the system resolver; return its addresses as text."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
        )
    except socket.gaierror as exc:
        raise HostLookupError(f"the host {host!r} does not resolve: {exc}") from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


async def resolve_checked(
    host: str, port: int, policy: DestinationPolicy, lookup: LookupHost
) -> list[str]:
    """Return ``host``'s addresses, refusing all of them if any one is refused."""
    addresses = await lookup(host, port)
    if not addresses:
        raise HostLookupError(f"the host {host!r} has no addresses")
    for text in addresses:
        address = ipaddress.ip_address(text.split("%", 1)[0])
        try:
            check_address(address, policy)
        except DestinationError as exc:
            raise BlockedAddressError(str(exc)) from exc
    return addresses


class CheckingResolver(AbstractResolver):
    def __init__(self, policy: DestinationPolicy, lookup: LookupHost) -> None:
        self.policy = policy
        self.lookup = lookup

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        addresses = await resolve_checked(host, port, self.policy, self.lookup)
        return [
            ResolveResult(
                hostname=host,
                host=address,
                port=port,
                family=socket.AF_INET6 if ":" in address else socket.AF_INET,
                proto=socket.IPPROTO_TCP,
                flags=socket.AI_NUMERICHOST,
            )
            for address in addresses
        ]

    async def close(self) -> None:
        return None
