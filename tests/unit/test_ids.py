"""Prefixed, time-ordered identifiers."""

import pytest

from gestly.ids import ALPHABET, PREFIXES, has_prefix, new_id

DOCUMENTED_PREFIXES = [
    "evt",
    "apt",
    "cus",
    "srv",
    "stf",
    "rev",
    "rwd",
    "red",
    "we",
    "del",
]
JANUARY_2026_MS = 1_767_225_600_000


@pytest.mark.parametrize("prefix", sorted(PREFIXES))
def test_new_id_is_prefix_underscore_and_26_base32_characters(prefix: str) -> None:
    identifier = new_id(prefix)

    head, separator, body = identifier.partition("_")
    assert (head, separator, len(body)) == (prefix, "_", 26)
    assert set(body) <= set(ALPHABET)


@pytest.mark.parametrize("prefix", DOCUMENTED_PREFIXES)
def test_every_documented_prefix_is_known(prefix: str) -> None:
    assert prefix in PREFIXES


@pytest.mark.parametrize("prefix", ["", "EVT", "evt_", "xyz", "event", "ev"])
def test_unknown_prefix_is_refused_naming_it(prefix: str) -> None:
    with pytest.raises(ValueError, match=f"unknown id prefix {prefix!r}"):
        new_id(prefix)


def test_ids_made_at_increasing_times_sort_in_time_order() -> None:
    moments = [
        0,
        1,
        31,
        32,
        1_000,
        JANUARY_2026_MS,
        JANUARY_2026_MS + 1,
        JANUARY_2026_MS + 1_000,
        2**48,
    ]
    identifiers = [new_id("evt", now_ms=moment) for moment in moments]

    assert sorted(identifiers) == identifiers


def test_ids_a_millisecond_apart_sort_in_time_order_whatever_the_randomness() -> None:
    pairs = [
        (
            new_id("del", now_ms=JANUARY_2026_MS),
            new_id("del", now_ms=JANUARY_2026_MS + 1),
        )
        for _ in range(200)
    ]

    assert all(earlier < later for earlier, later in pairs)


def test_ids_made_in_the_same_millisecond_are_distinct() -> None:
    identifiers = {new_id("evt", now_ms=JANUARY_2026_MS) for _ in range(1_000)}

    assert len(identifiers) == 1_000


def test_ids_made_in_the_same_millisecond_share_the_time_part() -> None:
    first = new_id("evt", now_ms=JANUARY_2026_MS)

    second = new_id("evt", now_ms=JANUARY_2026_MS)

    assert first[:14] == second[:14]


def test_id_made_now_sorts_after_one_made_in_2026() -> None:
    past = new_id("evt", now_ms=JANUARY_2026_MS - 1)

    current = new_id("evt")

    assert current > past


@pytest.mark.parametrize("prefix", sorted(PREFIXES))
def test_new_id_has_its_prefix(prefix: str) -> None:
    identifier = new_id(prefix)

    assert has_prefix(identifier, prefix)


@pytest.mark.parametrize(
    ("value", "prefix"),
    [
        (new_id("evt"), "apt"),
        (new_id("we"), "del"),
        ("evt_" + "0" * 25, "evt"),
        ("evt_" + "0" * 27, "evt"),
        ("evt_" + "0" * 25 + "U", "evt"),  # U is not in Crockford's alphabet
        ("evt_" + "0" * 25 + "a", "evt"),  # lowercase is not produced
        ("evt" + "0" * 27, "evt"),
        ("evt-" + "0" * 26, "evt"),
        ("", "evt"),
    ],
)
def test_value_not_made_by_new_id_with_that_prefix_is_rejected(
    value: str, prefix: str
) -> None:
    assert not has_prefix(value, prefix)
