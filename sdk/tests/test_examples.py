"""The runnable examples work as written, through their frameworks' test clients."""

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from sdk_support import EVENT_ID, OTHER_SECRET, SECRET, envelope, signed_now

EXAMPLES = Path(__file__).parent.parent / "examples"


def load_example(
    name: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> ModuleType:
    monkeypatch.setenv("WEBHOOK_SECRET", SECRET)
    monkeypatch.setenv("PROCESSED_EVENTS_DB", str(tmp_path / "processed.db"))
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_fastapi_example_answers_at_once_and_processes_once(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from starlette.testclient import TestClient

    example = load_example("fastapi_receiver", monkeypatch, tmp_path)
    body = envelope("appointment.create")
    headers = signed_now(body)

    with TestClient(example.app) as client:
        first = client.post("/webhooks", content=body, headers=headers)
        again = client.post("/webhooks", content=body, headers=headers)
        forged = client.post(
            "/webhooks", content=body, headers=signed_now(body, secret=OTHER_SECRET)
        )
    example.pending.join()

    assert [first.status_code, again.status_code, forged.status_code] == [200, 200, 401]
    assert example.processed.mark_processed(EVENT_ID) is False


def test_flask_example_answers_at_once_and_processes_once(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    example = load_example("flask_receiver", monkeypatch, tmp_path)
    body = envelope("review.create")
    client = example.app.test_client()

    good = client.post("/webhooks", data=body, headers=signed_now(body))
    forged = client.post("/webhooks", data=body, headers={"webhook-id": EVENT_ID})
    example.pending.join()

    assert [good.status_code, forged.status_code] == [200, 401]
    assert example.processed.mark_processed(EVENT_ID) is False


# Django's settings are global to a process, and the example configures its own:
# drive it from a child process.
DRIVE_DJANGO_EXAMPLE = """
import json, sys
sys.path.insert(0, sys.argv[1])
import django_receiver
import django
from django.test import Client
from django.test.utils import setup_test_environment
django.setup()
setup_test_environment()
request = json.loads(sys.stdin.read())
client = Client(enforce_csrf_checks=True)
answers = [
    client.post(
        "/webhooks",
        data=request["body"].encode(),
        content_type="application/json",
        headers=headers,
    ).status_code
    for headers in request["headers"]
]
print(json.dumps({"answers": answers, "received": [
    event.id for event in django_receiver.received
]}))
"""


def test_django_example_answers_200_then_401_for_a_forgery() -> None:
    body = envelope("customer.update")
    request = {
        "body": body.decode(),
        "headers": [signed_now(body), signed_now(body, secret=OTHER_SECRET)],
    }

    child = subprocess.run(
        [sys.executable, "-c", DRIVE_DJANGO_EXAMPLE, str(EXAMPLES)],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        env={"WEBHOOK_SECRET": SECRET, "PATH": ""},
        check=False,
    )

    assert child.returncode == 0, child.stderr
    outcome = json.loads(child.stdout.splitlines()[-1])
    assert outcome == {"answers": [200, 401], "received": [EVENT_ID]}
