"""Where deliveries may go: URL shape and address rules that keep out SSRF."""

import ipaddress

import pytest

from gestly.webhooks.destinations import (
    MAX_URL_LENGTH,
    DestinationError,
    DestinationPolicy,
    ParsedUrl,
    check_address,
    describe_refusal,
    parse_url,
)

PRODUCTION = DestinationPolicy.for_environment(development=False)
DEVELOPMENT = DestinationPolicy.for_environment(development=True)

LOOPBACK = ["127.0.0.1", "127.1.2.3", "127.255.255.254", "::1"]
PRIVATE = [
    "10.0.0.1",
    "10.255.255.255",
    "172.16.0.1",
    "172.31.255.254",
    "192.168.0.1",
    "192.168.255.255",
    "fc00::1",
    "fd12:3456:789a::1",
]
SHARED_CGNAT = ["100.64.0.1", "100.127.255.254"]
LINK_LOCAL = ["169.254.169.254", "169.254.0.1", "fe80::1", "fe80::a9fe:a9fe"]
MULTICAST = ["224.0.0.1", "239.255.255.250", "ff02::1", "ff05::1:3"]
RESERVED = ["240.0.0.1", "255.255.255.255"]
UNSPECIFIED = ["0.0.0.0", "::"]  # noqa: S104 - addresses under test, not a bind
EMBEDDED_LOOPBACK = [
    "::ffff:127.0.0.1",  # IPv4-mapped
    "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
    "2002:7f00:1::",  # 6to4 of 127.0.0.1
]
EMBEDDED_NON_PUBLIC = [
    "::ffff:169.254.169.254",
    "::ffff:10.0.0.1",
    "::ffff:192.168.1.1",
    "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
    "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
    "2002:a9fe:a9fe::",  # 6to4 of 169.254.169.254
    "2002:a00:1::",  # 6to4 of 10.0.0.1
]
PUBLIC = [
    "8.8.8.8",
    "1.1.1.1",
    "93.184.216.34",
    "2606:4700:4700::1111",
    "2001:4860:4860::8888",
    "::ffff:8.8.8.8",
    "64:ff9b::808:808",
]


def address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    return ipaddress.ip_address(text)


def refusal_of_url(url: str, policy: DestinationPolicy) -> str | None:
    """Check a URL as the sender does before connecting: shape, then any literal."""
    try:
        parsed = parse_url(url, policy)
        if parsed.literal_address is not None:
            check_address(parsed.literal_address, policy)
    except DestinationError as exc:
        return str(exc)
    return None


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        *((text, "loopback") for text in LOOPBACK),
        *((text, "private") for text in PRIVATE),
        *((text, "non-public") for text in SHARED_CGNAT),
        *((text, "link-local") for text in LINK_LOCAL),
        *((text, "multicast") for text in MULTICAST),
        *((text, "unspecified") for text in UNSPECIFIED),
        *((text, "loopback") for text in EMBEDDED_LOOPBACK),
    ],
)
def test_non_public_address_is_refused_in_production_with_its_kind(
    text: str, reason: str
) -> None:
    refusal = describe_refusal(address(text), PRODUCTION)

    assert refusal is not None
    assert reason in refusal


@pytest.mark.parametrize("text", RESERVED)
def test_reserved_address_is_refused_in_production(text: str) -> None:
    refusal = describe_refusal(address(text), PRODUCTION)

    assert refusal is not None


@pytest.mark.parametrize("text", EMBEDDED_NON_PUBLIC)
def test_ipv6_embedding_a_non_public_ipv4_is_judged_by_the_ipv4_inside(
    text: str,
) -> None:
    refusal = describe_refusal(address(text), PRODUCTION)

    assert refusal is not None


def test_cloud_metadata_address_is_named_as_link_local_metadata() -> None:
    refusal = describe_refusal(address("169.254.169.254"), PRODUCTION)

    assert refusal == "a link-local address (this includes cloud metadata services)"


@pytest.mark.parametrize("text", PUBLIC)
@pytest.mark.parametrize("policy", [PRODUCTION, DEVELOPMENT])
def test_public_address_is_accepted(text: str, policy: DestinationPolicy) -> None:
    refusal = describe_refusal(address(text), policy)

    assert refusal is None


@pytest.mark.parametrize("text", [*LOOPBACK, *EMBEDDED_LOOPBACK])
def test_loopback_address_is_accepted_in_development(text: str) -> None:
    refusal = describe_refusal(address(text), DEVELOPMENT)

    assert refusal is None


@pytest.mark.parametrize(
    "text",
    [
        *PRIVATE,
        *SHARED_CGNAT,
        *LINK_LOCAL,
        *MULTICAST,
        *RESERVED,
        *UNSPECIFIED,
        *EMBEDDED_NON_PUBLIC,
    ],
)
def test_non_loopback_non_public_address_is_refused_even_in_development(
    text: str,
) -> None:
    refusal = describe_refusal(address(text), DEVELOPMENT)

    assert refusal is not None


def test_refused_address_raises_destination_error_naming_the_address() -> None:
    with pytest.raises(DestinationError, match=r"resolves to 10\.1\.2\.3, a private"):
        check_address(address("10.1.2.3"), PRODUCTION)


@pytest.mark.parametrize(
    "url", ["https://8.8.8.8/x", "https://[2606:4700:4700::1111]/x"]
)
def test_url_with_a_public_literal_is_accepted_in_production(url: str) -> None:
    refusal = refusal_of_url(url, PRODUCTION)

    assert refusal is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://example.com/hooks",
            ParsedUrl("https://example.com/hooks", "https", "example.com", 443, None),
        ),
        (
            "HTTPS://Example.COM:8443/x?y=1",
            ParsedUrl(
                "HTTPS://Example.COM:8443/x?y=1", "https", "example.com", 8443, None
            ),
        ),
        (
            "https://8.8.8.8/x",
            ParsedUrl("https://8.8.8.8/x", "https", "8.8.8.8", 443, address("8.8.8.8")),
        ),
        (
            "https://[2606:4700:4700::1111]:444/x",
            ParsedUrl(
                "https://[2606:4700:4700::1111]:444/x",
                "https",
                "2606:4700:4700::1111",
                444,
                address("2606:4700:4700::1111"),
            ),
        ),
        (
            "https://recepção.example.com.br/webhooks",
            ParsedUrl(
                "https://recepção.example.com.br/webhooks",
                "https",
                "xn--recepo-7ta5a.example.com.br",  # resolved and connected as IDNA
                443,
                None,
            ),
        ),
    ],
)
def test_well_formed_https_url_is_split_into_its_parts(
    url: str, expected: ParsedUrl
) -> None:
    parsed = parse_url(url, PRODUCTION)

    assert parsed == expected


def test_plain_http_url_defaults_to_port_80_in_development() -> None:
    parsed = parse_url("http://localhost/webhooks", DEVELOPMENT)

    assert (parsed.scheme, parsed.port) == ("http", 80)


@pytest.mark.parametrize(
    "url",
    [
        "https://[::1]/x",
        "https://[::ffff:127.0.0.1]/x",
        "https://[64:ff9b::7f00:1]/x",
        "https://[2002:7f00:1::]/x",
        "https://127.0.0.1/x",
        "https://127.1.2.3:8443/x",
    ],
)
def test_url_with_a_loopback_literal_is_refused_in_production(url: str) -> None:
    refusal = refusal_of_url(url, PRODUCTION)

    assert refusal is not None
    assert "loopback" in refusal


@pytest.mark.parametrize(
    "url",
    [
        "http://[::1]:3000/x",
        "http://[::ffff:127.0.0.1]/x",
        "http://127.0.0.1:8080/webhooks",
        "http://localhost:3000/webhooks",
    ],
)
def test_url_with_a_loopback_host_over_plain_http_is_accepted_in_development(
    url: str,
) -> None:
    refusal = refusal_of_url(url, DEVELOPMENT)

    assert refusal is None


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:169.254.169.254]/latest/meta-data/",
        "http://[fe80::1]/x",
        "http://10.0.0.1/x",
        "http://192.168.1.1/x",
        "http://[fd00::1]/x",
        "http://100.64.0.1/x",
        "http://0.0.0.0:8000/x",
    ],
)
def test_url_with_a_private_or_link_local_literal_is_refused_in_development(
    url: str,
) -> None:
    refusal = refusal_of_url(url, DEVELOPMENT)

    assert refusal is not None


@pytest.mark.parametrize(
    "url",
    [
        "https://\uff11\uff12\uff17.0.0.1/x",  # FULLWIDTH digits: IDNA gives 127.0.0.1
        "https://127\u30020\u30020\u30021/x",  # IDEOGRAPHIC FULL STOP between labels
        "http://\uff11\uff16\uff19.\uff12\uff15\uff14.\uff11\uff16\uff19.\uff12\uff15\uff14/",
    ],
)
def test_url_whose_host_normalizes_to_a_non_public_literal_is_refused(
    url: str,
) -> None:
    # aiohttp (through yarl) IDNA-encodes the host to a plain IPv4 literal and then
    # connects to it without asking the checking resolver, so the literal check is
    # the only one that runs at delivery. (Development mode allows loopback itself.)
    refusal = refusal_of_url(url, PRODUCTION)

    assert refusal is not None


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/webhooks",
        "http://localhost:3000/webhooks",
        "HTTP://example.com/x",
    ],
)
def test_plain_http_url_is_refused_in_production(url: str) -> None:
    with pytest.raises(DestinationError, match=r"must use https://"):
        parse_url(url, PRODUCTION)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.com/x", r"must start with https://"),
        ("file:///etc/passwd", r"must start with https://"),
        ("javascript:alert(1)", r"must start with https://"),
        ("gopher://example.com/", r"must start with https://"),
        ("example.com/webhooks", r"must start with https://"),
        ("//example.com/webhooks", r"must start with https://"),
        ("https://user:pass@example.com/x", r"user name or password"),
        ("https://user@example.com/x", r"user name or password"),
        ("https://:pass@example.com/x", r"user name or password"),
        ("https://@example.com/x", r"user name or password"),
        ("https://example.com/x#section", r"#fragment"),
        ("https:///x", r"no host name"),
        ("https://", r"no host name"),
        ("https://:443/x", r"no host name"),
        ("https://example.com:abc/x", r"malformed"),
        ("https://example.com:70000/x", r"malformed"),
        ("https://example.com:65536/x", r"malformed"),
        ("https://example.com:-1/x", r"malformed"),
        ("https://exa_mple.com/x", r"'exa_mple\.com' is not a valid host name"),
        ("https://-example.com/x", r"not a valid host name"),
        ("https://example-.com/x", r"not a valid host name"),
        ("https://exa..mple.com/x", r"not a valid host name"),
        ("https://" + "a" * 64 + ".com/x", r"not a valid host name"),
        ("https://" + ".".join(["a" * 60] * 5) + "/x", r"not a valid host name"),
        ("https://exa$mple.com/x", r"not a valid host name"),
        ("https://exa%2emple.com/x", r"not a valid host name"),
        ("https://[not-an-address]/x", r"malformed"),
    ],
)
def test_malformed_url_is_refused_with_a_message_saying_what_is_wrong(
    url: str, message: str
) -> None:
    with pytest.raises(DestinationError, match=message):
        parse_url(url, PRODUCTION)


@pytest.mark.parametrize("port", ["0", "00"])
def test_url_with_port_zero_is_refused(port: str) -> None:
    # Nothing listens on TCP port 0; parse_url must not report it as port 443.
    with pytest.raises(DestinationError):
        parse_url(f"https://example.com:{port}/x", PRODUCTION)


@pytest.mark.parametrize(
    "character",
    [
        " ",
        "\t",
        "\n",
        "\r",
        "\x00",
        "\x1b",
        "\x1f",
        "\x7f",  # DELETE, a C0-block control character
        "\x85",
        "\x9b",  # a C1 control character
        "\u00a0",
        "\u2028",
        "\u3000",
    ],
)
def test_url_with_a_space_or_control_character_is_refused(character: str) -> None:
    url = f"https://example.com/hooks{character}x"

    with pytest.raises(DestinationError, match="spaces or control characters"):
        parse_url(url, PRODUCTION)


def test_url_at_the_length_limit_is_accepted() -> None:
    prefix = "https://example.com/"
    url = prefix + "a" * (MAX_URL_LENGTH - len(prefix))

    parsed = parse_url(url, PRODUCTION)

    assert parsed.url == url


def test_url_over_the_length_limit_is_refused_naming_the_limit() -> None:
    prefix = "https://example.com/"
    url = prefix + "a" * (MAX_URL_LENGTH - len(prefix) + 1)

    with pytest.raises(DestinationError, match=f"longer than {MAX_URL_LENGTH}"):
        parse_url(url, PRODUCTION)


def test_policy_for_development_allows_loopback_and_plain_http() -> None:
    policy = DestinationPolicy.for_environment(development=True)

    assert policy == DestinationPolicy(allow_loopback=True, require_https=False)


def test_policy_for_production_refuses_loopback_and_requires_https() -> None:
    policy = DestinationPolicy.for_environment(development=False)

    assert policy == DestinationPolicy(allow_loopback=False, require_https=True)
