"""Crashes lose nothing: ``gestly serve`` runs as a real process and is killed with
SIGKILL or stopped with SIGTERM at the worst moments."""

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

GESTLY = str(Path(sys.executable).parent / "gestly")


class RecordingHandler(BaseHTTPRequestHandler):
    server: "Receiver"

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.record(dict(self.headers), body)
        self.server.gate.wait()
        self.send_response(200)
        self.end_headers()

    def log_message(self, *_args: object) -> None:
        return None


class Receiver(ThreadingHTTPServer):
    """A threaded receiver whose answers wait while ``gate`` is closed."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), RecordingHandler)
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.arrived = threading.Condition()
        self.gate = threading.Event()
        self.gate.set()

    def record(self, headers: dict[str, str], body: bytes) -> None:
        with self.arrived:
            self.requests.append(({k.lower(): v for k, v in headers.items()}, body))
            self.arrived.notify_all()

    def wait_for(self, count: int, timeout: float) -> None:
        with self.arrived:
            assert self.arrived.wait_for(
                lambda: len(self.requests) >= count, timeout
            ), f"{len(self.requests)} requests arrived, expected {count}"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/webhooks"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.gate.set()
    server.shutdown()
    server.server_close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ServerProcess:
    def __init__(self, database_url: str, tmp_path: Path, **env: str) -> None:
        self.port = free_port()
        self.env = {
            **os.environ,
            "GESTLY_DATABASE_URL": database_url,
            "GESTLY_ENV": "development",
            "GESTLY_PORT": str(self.port),
            "GESTLY_POLL_INTERVAL_S": "0.2",
            **env,
        }
        self.log = (tmp_path / f"serve-{self.port}.log").open("wb")
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> "ServerProcess":
        self.process = subprocess.Popen(
            [GESTLY, "serve"], env=self.env, stdout=self.log, stderr=self.log
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                httpx.get(f"http://127.0.0.1:{self.port}/healthz", timeout=1)
                return self
            except httpx.TransportError:
                time.sleep(0.05)
        raise AssertionError("gestly serve did not start")

    def kill(self, signum: int = signal.SIGKILL) -> int:
        assert self.process is not None
        self.process.send_signal(signum)
        code = self.process.wait(timeout=30)
        self.log.close()
        return code


def create_account(database_url: str) -> str:
    output = subprocess.run(
        [
            GESTLY,
            "accounts",
            "create",
            "--name",
            "Salão Aurora",
            "--email",
            f"aurora-{time.monotonic_ns()}@example.com",
            "--no-password",
        ],
        env={
            **os.environ,
            "GESTLY_DATABASE_URL": database_url,
            "GESTLY_ENV": "development",
        },
        capture_output=True,
        check=True,
    )
    return str(json.loads(output.stdout)["api_token"])


def api(server: ServerProcess, token: str) -> httpx.Client:
    return httpx.Client(
        base_url=f"http://127.0.0.1:{server.port}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )


def wait_for_status(client: httpx.Client, delivery_id: str, status: str) -> dict:  # type: ignore[type-arg]
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        delivery = client.get(f"/v1/webhook_deliveries/{delivery_id}").json()
        if delivery["status"] == status:
            return delivery  # type: ignore[no-any-return]
        time.sleep(0.1)
    raise AssertionError(f"delivery never became {status}: {delivery}")


def test_event_accepted_before_a_kill_is_delivered_after_restart(
    database_url: str, tmp_path: Path, receiver: Receiver
) -> None:
    token = create_account(database_url)
    first = ServerProcess(database_url, tmp_path, GESTLY_RUN_WORKER="false").start()
    with api(first, token) as client:
        endpoint = client.post(
            "/v1/webhook_endpoints", json={"url": receiver.url}
        ).json()
        sent = client.post(f"/v1/webhook_endpoints/{endpoint['id']}/test").json()
    first.kill()
    assert receiver.requests == []

    second = ServerProcess(database_url, tmp_path).start()
    receiver.wait_for(1, timeout=15)
    with api(second, token) as client:
        delivery = wait_for_status(client, sent["delivery_id"], "succeeded")
    second.kill(signal.SIGTERM)

    assert receiver.requests[0][0]["webhook-id"] == sent["event_id"]
    assert delivery["attempt_count"] == 1


def test_attempt_cut_by_a_kill_is_made_again_with_the_same_id_and_body(
    database_url: str, tmp_path: Path, receiver: Receiver
) -> None:
    token = create_account(database_url)
    receiver.gate.clear()
    first = ServerProcess(database_url, tmp_path, GESTLY_REQUEST_TIMEOUT_S="1").start()
    with api(first, token) as client:
        endpoint = client.post(
            "/v1/webhook_endpoints", json={"url": receiver.url}
        ).json()
        sent = client.post(f"/v1/webhook_endpoints/{endpoint['id']}/test").json()
    receiver.wait_for(1, timeout=15)
    first.kill()
    receiver.gate.set()

    second = ServerProcess(database_url, tmp_path, GESTLY_REQUEST_TIMEOUT_S="1").start()
    receiver.wait_for(2, timeout=20)
    with api(second, token) as client:
        delivery = wait_for_status(client, sent["delivery_id"], "succeeded")
    second.kill(signal.SIGTERM)

    (cut_headers, cut_body), (again_headers, again_body) = receiver.requests[:2]
    assert again_headers["webhook-id"] == cut_headers["webhook-id"] == sent["event_id"]
    assert again_body == cut_body
    assert delivery["status"] == "succeeded"


def test_sigterm_lets_the_attempt_in_flight_finish_and_records_it(
    database_url: str, tmp_path: Path, receiver: Receiver
) -> None:
    token = create_account(database_url)
    receiver.gate.clear()
    server = ServerProcess(database_url, tmp_path).start()
    with api(server, token) as client:
        endpoint = client.post(
            "/v1/webhook_endpoints", json={"url": receiver.url}
        ).json()
        sent = client.post(f"/v1/webhook_endpoints/{endpoint['id']}/test").json()
    receiver.wait_for(1, timeout=15)

    assert server.process is not None
    server.process.send_signal(signal.SIGTERM)
    time.sleep(0.3)
    receiver.gate.set()
    code = server.process.wait(timeout=30)
    server.log.close()

    after = ServerProcess(database_url, tmp_path, GESTLY_RUN_WORKER="false").start()
    with api(after, token) as client:
        delivery = client.get(f"/v1/webhook_deliveries/{sent['delivery_id']}").json()
    after.kill(signal.SIGTERM)

    assert code == 0
    assert delivery["status"] == "succeeded"
    assert len(receiver.requests) == 1
