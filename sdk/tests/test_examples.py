"""The runnable examples work as written, through their frameworks' test clients."""

import importlib.util
import time
from pathlib import Path
from types import ModuleType

import pytest
from sdk_support import EVENT_ID, SECRET, envelope

from gestly_sdk import sign

EXAMPLES = Path(__file__).parent.parent / "examples"


def load_example(
    name: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> ModuleType:
    monkeypatch.setenv("WEBHOOK_SECRET", SECRET)
    monkeypatch.chdir(tmp_path)
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_fastapi_example_answers_200_then_401_for_a_forgery(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from starlette.testclient import TestClient

    example = load_example("fastapi_receiver", monkeypatch, tmp_path)
    body = envelope("appointment.create", **APPOINTMENT)
    headers = sign(SECRET, EVENT_ID, int(time.time()), body)

    with TestClient(example.app) as client:
        good = client.post("/webhooks", content=body, headers=headers)
        forged = client.post("/webhooks", content=body[:-1] + b" }", headers=headers)

    assert good.json() == {"received": True}
    assert forged.status_code == 401
    assert example.processed.mark_processed(EVENT_ID) is False


def test_flask_example_answers_200_then_401_for_a_forgery(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    example = load_example("flask_receiver", monkeypatch, tmp_path)
    body = envelope()
    headers = sign(SECRET, EVENT_ID, int(time.time()), body)
    client = example.app.test_client()

    good = client.post("/webhooks", data=body, headers=headers)
    forged = client.post("/webhooks", data=body, headers={"webhook-id": EVENT_ID})

    assert good.status_code == 200
    assert forged.status_code == 401


APPOINTMENT = {
    "id": "apt_1",
    "customer": {"id": "cus_1", "name": "João Silva"},
    "service": {"id": "srv_1", "name": "Corte"},
    "professional": None,
    "start_time": "2026-01-02T14:00:00Z",
    "end_time": "2026-01-02T14:30:00Z",
    "status": "scheduled",
    "notes": None,
    "created_at": "2026-01-01T10:00:00Z",
    "updated_at": "2026-01-01T10:00:00Z",
    "cancelled_at": None,
    "cancellation_reason": None,
}
