"""The event envelope's one serialization and what a JavaScript receiver makes of it.

The Node.js checks run the real ``node`` found on PATH.
"""

import json
import subprocess
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from gestly.webhooks.payloads import (
    MAX_SAFE_INTEGER,
    PayloadError,
    build_envelope,
    check_portable,
    serialize,
)
from gestly.webhooks.signing import sign_delivery

CREATED_AT = datetime(2026, 1, 2, 14, 0, tzinfo=UTC)
SECRET = "whsec_MDEyMzQ1Njc4OWFiY2RlZmdoaWprbG1u"

# What the docs' Express receiver does with the body: express.json() parses the UTF-8
# text, then JSON.stringify(req.body) turns it back into text.
NODE_ROUND_TRIP = """
const chunks = [];
process.stdin.on("data", (chunk) => chunks.push(chunk));
process.stdin.on("end", () => {
  const body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  process.stdout.write(Buffer.from(JSON.stringify(body), "utf8"));
});
"""
# The docs' validateSignature, fed the parsed body as Express would.
NODE_DOCS_SIGNATURE = """
const crypto = require("crypto");
const chunks = [];
process.stdin.on("data", (chunk) => chunks.push(chunk));
process.stdin.on("end", () => {
  const payload = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  const expected = crypto
    .createHmac("sha256", process.argv[1])
    .update(JSON.stringify(payload))
    .digest("hex");
  process.stdout.write(expected);
});
"""

CONTROL_CHARACTERS = "".join(chr(code) for code in range(0x20)) + "\x7f"
TRICKY_DATA: list[dict[str, Any]] = [
    {"customer": {"id": "cus_1", "name": "João Silva"}},
    {"emoji": "😀🎉✂️💈", "flag": "🇧🇷", "family": "👩‍👩‍👧"},
    {"cjk": "予約を確認しました", "korean": "예약", "arabic": "موعد"},
    {"separators": "line\u2028paragraph\u2029end"},
    {"controls": CONTROL_CHARACTERS},
    {"quotes": 'say "oi" and \\ back\\slash \\" \\\\', "slash": "a/b"},
    {"html": "</script><script>alert(1)</script><!--"},
    {"empty": "", "empty_list": [], "empty_object": {}},
    {"nested": [[1, [2, [3, []]]], [{"a": [None, True, False]}]]},
    {"negative": -1, "zero": 0, "cents": -12345, "big": MAX_SAFE_INTEGER},
    {"smallest": -MAX_SAFE_INTEGER, "yes": True, "no": False, "nothing": None},
    {"ordem": 1, "ação": 2, "a1": 3, "1a": 4, "": 5, "z": 6, "b": 7},
    {"bmp_edges": "\ud7ff\ue000\uffff", "astral": "\U00010000\U0010ffff"},
    {"combining": "Jo\u0061\u0303o", "nbsp": "R$\u00a010,00", "bom": "\ufeff"},
]


def envelope_with(data: dict[str, Any]) -> dict[str, Any]:
    return build_envelope("evt_1", "appointment.create", CREATED_AT, data)


def run_node(script: str, stdin: bytes, *arguments: str) -> bytes:
    completed = subprocess.run(
        ["node", "-e", script, *arguments],
        input=stdin,
        capture_output=True,
        check=True,
        timeout=60,
    )
    return completed.stdout


def test_serialized_body_is_compact_json() -> None:
    envelope = {"id": "evt_1", "data": {"list": [1, 2], "object": {"a": None}}}

    body = serialize(envelope)

    assert body == b'{"id":"evt_1","data":{"list":[1,2],"object":{"a":null}}}'


@pytest.mark.parametrize("text", ["João", "😀", "予約", "ação", "\u2028"])
def test_serialized_body_carries_non_ascii_as_utf8_not_escapes(text: str) -> None:
    body = serialize({"name": text})

    assert body == b'{"name":"' + text.encode("utf-8") + b'"}'


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ('"', b'\\"'),
        ("\\", b"\\\\"),
        ("\n", b"\\n"),
        ("\t", b"\\t"),
        ("\x00", b"\\u0000"),
        ("\x1f", b"\\u001f"),
        ("\x7f", b"\x7f"),
        ("/", b"/"),
    ],
)
def test_serialized_body_escapes_as_javascript_does(text: str, escaped: bytes) -> None:
    body = serialize({"s": text})

    assert body == b'{"s":"' + escaped + b'"}'


def test_serialized_body_keeps_key_order() -> None:
    body = serialize({"z": 1, "a": 2, "m": 3})

    assert body == b'{"z":1,"a":2,"m":3}'


def test_envelope_holds_id_type_created_at_and_data_in_documented_order() -> None:
    envelope = envelope_with({"id": "apt_1"})

    assert serialize(envelope) == (
        b'{"id":"evt_1","type":"appointment.create",'
        b'"created_at":"2026-01-02T14:00:00Z","data":{"id":"apt_1"}}'
    )


def test_envelope_created_at_is_utc_with_z_and_whole_seconds() -> None:
    moment = datetime(
        2026, 1, 2, 11, 0, 5, 987654, tzinfo=timezone(timedelta(hours=-3))
    )

    envelope = build_envelope("evt_1", "customer.create", moment, {})

    assert envelope["created_at"] == "2026-01-02T14:00:05Z"


@pytest.mark.parametrize("data", TRICKY_DATA)
def test_node_receiver_reproduces_the_serialized_bytes_exactly(
    data: dict[str, Any],
) -> None:
    body = serialize(envelope_with(data))

    reproduced = run_node(NODE_ROUND_TRIP, body)

    assert reproduced == body


def test_node_receiver_following_the_docs_computes_the_hex_signature() -> None:
    body = serialize(envelope_with({"all": TRICKY_DATA}))
    headers = sign_delivery([SECRET], "evt_1", 1_767_225_600, body)

    expected = run_node(NODE_DOCS_SIGNATURE, body, SECRET)

    assert expected.decode("ascii") == headers.x_webhook_signature


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        False,
        0,
        -1,
        MAX_SAFE_INTEGER,
        -MAX_SAFE_INTEGER,
        "",
        "João 😀",
        [],
        {},
        {"list": [1, "a", None, {"b": [True]}]},
        {"a1": 1, "1a": 2, "": 3, " 1": 4, "-1": 5, "1.5": 6},
    ],
)
def test_portable_value_is_accepted(value: Any) -> None:
    check_portable(value)

    assert json.loads(serialize({"value": value})) == {"value": value}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (1.5, "data is a float"),
        (0.0, "data is a float"),
        (-0.0, "data is a float"),
        (float("nan"), "data is a float"),
        (float("inf"), "data is a float"),
        (MAX_SAFE_INTEGER + 1, "data is larger than JavaScript integers allow"),
        (-MAX_SAFE_INTEGER - 1, "data is larger than JavaScript integers allow"),
        (10**30, "data is larger than JavaScript integers allow"),
    ],
)
def test_number_javascript_would_change_is_refused(value: Any, message: str) -> None:
    with pytest.raises(PayloadError, match=message):
        check_portable(value)


@pytest.mark.parametrize("key", ["0", "1", "42", "007", "4294967295"])
def test_digit_only_key_is_refused_naming_it(key: str) -> None:
    # JavaScript moves integer-like keys first, so the order would change.
    with pytest.raises(PayloadError, match=f"data has the key '{key}'; keys are names"):
        check_portable({"name": "x", key: 1})


@pytest.mark.parametrize("key", [1, None, True, ("a", "b")])
def test_non_text_key_is_refused(key: Any) -> None:
    with pytest.raises(PayloadError, match="keys are names"):
        check_portable({key: 1})


@pytest.mark.parametrize(
    "text", ["\ud800", "a\udfffb", "half an emoji \ud83d", "x\ude00"]
)
def test_text_with_a_lone_surrogate_is_refused(text: str) -> None:
    with pytest.raises(PayloadError, match=r"data\.name holds text that is not valid"):
        check_portable({"name": text})


@pytest.mark.parametrize("key", ["\ud800", "name\udfff"])
def test_key_with_a_lone_surrogate_is_refused(key: str) -> None:
    with pytest.raises(PayloadError):
        check_portable({key: 1})


@pytest.mark.parametrize(
    ("value", "type_name"),
    [
        ((1, 2), "tuple"),
        ({1, 2}, "set"),
        (b"bytes", "bytes"),
        (Decimal("10.00"), "Decimal"),
        (CREATED_AT, "datetime"),
        (object(), "object"),
    ],
)
def test_non_json_value_is_refused_naming_its_type(value: Any, type_name: str) -> None:
    with pytest.raises(PayloadError, match=f"data is a {type_name}, not a JSON value"):
        check_portable(value)


@pytest.mark.parametrize(
    ("value", "path"),
    [
        ({"service": {"price": 10.5}}, r"data\.service\.price is a float"),
        ({"items": [1, 2, {"cents": 1.0}]}, r"data\.items\[2\]\.cents is a float"),
        ({"a": [[0, [2**60]]]}, r"data\.a\[0\]\[1\]\[0\] is larger"),
        ({"a": {"b": {"7": 1}}}, r"data\.a\.b has the key '7'"),
        ({"list": [None, "\ud800"]}, r"data\.list\[1\] holds text"),
        ({"tags": ("a",)}, r"data\.tags is a tuple"),
    ],
)
def test_refusal_message_names_the_path_to_the_bad_value(
    value: dict[str, Any], path: str
) -> None:
    with pytest.raises(PayloadError, match=path):
        check_portable(value)


def test_serialize_refuses_a_float_naming_its_path_in_the_event() -> None:
    envelope = envelope_with({"service": {"price": 49.9}})

    with pytest.raises(PayloadError, match=r"event\.data\.service\.price is a float"):
        serialize(envelope)
