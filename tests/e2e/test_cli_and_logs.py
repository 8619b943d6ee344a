"""The command line refuses bad settings plainly, and logs never carry secrets."""

import logging
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from gestly.logs import quiet_library_loggers
from tests.support.harness import Gestly
from tests.support.receivers import PythonReceiver

GESTLY = str(Path(sys.executable).parent / "gestly")


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("GESTLY_PORT", "eighty"),
        ("GESTLY_DATABASE_URL", "mysql://localhost/gestly"),
        ("GESTLY_ENV", "staging"),
        ("GESTLY_REQUEST_TIMEOUT_S", "-1"),
    ],
)
def test_bad_setting_stops_start_up_naming_variable_and_value(
    variable: str, value: str, tmp_path: Path
) -> None:
    env = {**os.environ, "GESTLY_ENV": "development", variable: value}

    finished = subprocess.run(
        [GESTLY, "serve"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert finished.returncode == 2
    assert variable in finished.stderr
    assert value in finished.stderr
    assert "Traceback" not in finished.stderr


def test_production_without_a_secret_key_refuses_to_start(tmp_path: Path) -> None:
    env = {
        key: value for key, value in os.environ.items() if not key.startswith("GESTLY_")
    }

    finished = subprocess.run(
        [GESTLY, "serve"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert finished.returncode == 2
    assert "GESTLY_SECRET_KEY" in finished.stderr


@pytest.mark.anyio
async def test_logs_of_a_busy_run_hold_no_secret_signature_or_token(
    gestly: Gestly, receiver: PythonReceiver, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    quiet_library_loggers()  # as every gestly command does at start-up
    receiver.behaviour.status = 500
    client = await gestly.new_account()
    endpoint = await client.create_endpoint(receiver.url)
    rotated = (
        await client.post(f"/v1/webhook_endpoints/{endpoint['id']}/rotate_secret")
    ).json()
    for event_type in ("appointment.create", "customer.update", "review.create"):
        await client.post(
            f"/v1/webhook_endpoints/{endpoint['id']}/test", json={"type": event_type}
        )
    await gestly.settle()
    receiver.behaviour.status = 410
    gestly.clock.advance(timedelta(minutes=6))
    await gestly.settle()

    logged = "\n".join(
        f"{record.getMessage()} {record.__dict__}" for record in caplog.records
    )
    signatures = {
        value
        for request in receiver.requests
        for name, value in request.headers.items()
        if "signature" in name
    }
    assert caplog.records, "the run logged nothing to check"
    assert endpoint["secret"] not in logged
    assert rotated["secret"] not in logged
    assert client.token not in logged
    assert "whsec_" not in logged
    assert not any(signature in logged for signature in signatures)
    await client.close()
