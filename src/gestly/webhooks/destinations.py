"""Where deliveries may go: the rules that keep webhooks from becoming SSRF.

Outside development mode a URL must be HTTPS and every address its host resolves to
must be a public unicast address. Loopback, private, shared (CGNAT), link-local
(cloud metadata lives there), multicast, reserved and unspecified addresses are
refused, in IPv4 and IPv6 alike; an IPv6 address that embeds an IPv4 one (mapped,
NAT64, 6to4) is judged by the IPv4 address inside. Development mode also allows
loopback and plain HTTP, so a developer can point Gestly at ``localhost``.

The same check runs at creation and again at delivery, and the delivery connects to
the very address that was checked (see ``delivery.sender``), so a DNS answer that
changes in between cannot redirect it.
"""

import functools
import ipaddress
from dataclasses import dataclass
from typing import Final
from urllib.parse import SplitResult, urlsplit

MAX_URL_LENGTH: Final = 2048
NAT64_NETWORK: Final = ipaddress.IPv6Network("64:ff9b::/96")
# Not public, yet not flagged by Python 3.11's ipaddress: IETF protocol assignments
# (RFC 6890) and the deprecated IPv6 site-local range (RFC 3879).
NON_PUBLIC_NETWORKS: Final = (
    ipaddress.IPv4Network("192.0.0.0/24"),
    ipaddress.IPv6Network("fec0::/10"),
)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class DestinationError(ValueError):
    """A webhook URL that Gestly will not deliver to; the message says why."""


@dataclass(frozen=True, slots=True)
class DestinationPolicy:
    allow_loopback: bool
    require_https: bool

    @classmethod
    def for_environment(cls, development: bool) -> "DestinationPolicy":
        return cls(allow_loopback=development, require_https=not development)


@dataclass(frozen=True, slots=True)
class ParsedUrl:
    url: str
    scheme: str
    host: str
    port: int
    literal_address: IPAddress | None


def embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in NAT64_NETWORK:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def describe_refusal(address: IPAddress, policy: DestinationPolicy) -> str | None:
    """Return why ``address`` is refused, or None if deliveries may go there."""
    if isinstance(address, ipaddress.IPv6Address):
        inner = embedded_ipv4(address)
        if inner is not None:
            return describe_refusal(inner, policy)
    if address.is_loopback:
        return None if policy.allow_loopback else "a loopback address"
    if address.is_unspecified:
        return "an unspecified address"
    if address.is_link_local:
        return "a link-local address (this includes cloud metadata services)"
    if address.is_multicast:
        return "a multicast address"
    if address.is_private:
        return "a private network address"
    if (
        address.is_reserved
        or not address.is_global
        or any(address in network for network in NON_PUBLIC_NETWORKS)
    ):
        return "a reserved or non-public address"
    return None


def check_address(address: IPAddress, policy: DestinationPolicy) -> None:
    reason = describe_refusal(address, policy)
    if reason is not None:
        raise DestinationError(
            f"the URL's host resolves to {address}, {reason}; webhooks go only to "
            "public addresses"
        )


@functools.lru_cache(maxsize=4096)
def parse_url(url: str, policy: DestinationPolicy) -> ParsedUrl:
    """Check a URL's shape (not its addresses) and return its parts.

    Cached: the worker checks the same few URLs on every attempt.
    """
    if len(url) > MAX_URL_LENGTH:
        raise DestinationError(f"the URL is longer than {MAX_URL_LENGTH} characters")
    if any(char.isspace() or not char.isprintable() for char in url):
        raise DestinationError("the URL contains spaces or control characters")
    try:
        parts: SplitResult = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise DestinationError(f"the URL {url!r} is malformed: {exc}") from exc

    scheme = parts.scheme.lower()
    if scheme not in {"http", "https"}:
        raise DestinationError(
            "the URL must start with https://"
            if policy.require_https
            else "the URL must start with http:// or https://"
        )
    if scheme == "http" and policy.require_https:
        raise DestinationError("the URL must use https:// (plain http is refused)")
    if parts.username is not None or parts.password is not None:
        raise DestinationError(
            "the URL must not contain a user name or password; verify requests "
            "with the signature instead"
        )
    if port == 0:
        raise DestinationError("the URL's port must be between 1 and 65535")
    host = parts.hostname
    if not host:
        raise DestinationError("the URL has no host name")
    if not host.startswith("["):
        # Judge the host as HTTP clients will connect to it: IDNA maps full-width
        # digits and ideographic full stops to ASCII, so they are not a way around.
        try:
            host = host.encode("idna").decode("ascii").lower()
        except UnicodeError:
            raise DestinationError(f"{host!r} is not a valid host name") from None
    if parts.fragment or "#" in url:
        raise DestinationError("the URL must not contain a #fragment")

    literal: IPAddress | None
    try:
        literal = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        literal = None
        if not is_valid_hostname(host):
            raise DestinationError(f"{host!r} is not a valid host name") from None
    return ParsedUrl(
        url=url,
        scheme=scheme,
        host=host,
        port=port or (443 if scheme == "https" else 80),
        literal_address=literal,
    )


def is_valid_hostname(host: str) -> bool:
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return False
    labels = ascii_host.rstrip(".").split(".")
    return len(ascii_host) <= 253 and all(
        0 < len(label) <= 63
        and not label.startswith("-")
        and not label.endswith("-")
        and all(char.isalnum() or char == "-" for char in label)
        for label in labels
    )
