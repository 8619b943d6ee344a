"""Prefixed, time-ordered identifiers such as ``evt_01JD…``.

Ids sort by creation time (a millisecond timestamp leads, randomness follows), so the
newest-first lists of the API can page on the id alone and stay stable while new rows
arrive. The alphabet is Crockford's base 32, which sorts the same as the bytes it
encodes.
"""

import os
import time
from typing import Final

ALPHABET: Final = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
TIME_CHARS: Final = 10
RANDOM_CHARS: Final = 16

PREFIXES: Final = frozenset(
    {
        "acc",  # account
        "tok",  # API token
        "evt",  # event
        "we",  # webhook endpoint
        "del",  # delivery
        "att",  # delivery attempt
        "apt",  # appointment
        "cus",  # customer
        "srv",  # service
        "stf",  # professional (staff)
        "rev",  # review
        "rwd",  # reward
        "red",  # redemption
        "lpt",  # loyalty ledger entry
        "ses",  # panel session
    }
)


def encode_base32(value: int, length: int) -> str:
    chars = []
    for _ in range(length):
        chars.append(ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def new_id(prefix: str, *, now_ms: int | None = None) -> str:
    """Return a new id such as ``evt_01JD3Z…`` (26 characters after the prefix)."""
    if prefix not in PREFIXES:
        raise ValueError(f"unknown id prefix {prefix!r}")
    millis = time.time_ns() // 1_000_000 if now_ms is None else now_ms
    randomness = int.from_bytes(os.urandom(10), "big")
    return (
        f"{prefix}_{encode_base32(millis, TIME_CHARS)}"
        f"{encode_base32(randomness, RANDOM_CHARS)}"
    )


def has_prefix(value: str, prefix: str) -> bool:
    """Tell whether ``value`` looks like an id made by ``new_id(prefix)``."""
    head, _, body = value.partition("_")
    return (
        head == prefix
        and len(body) == TIME_CHARS + RANDOM_CHARS
        and all(char in ALPHABET for char in body)
    )
