"""A real ``gestly serve``, a real receiver and headless Chromium, for the panel.

Chromium is Debian's (``/usr/bin/chromium``); Playwright never downloads a browser.
Screenshots of the main screens go to ``test-artifacts/screenshots/``.
"""

import json
import os
import shutil
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
from playwright.sync_api import Browser, Playwright, sync_playwright

GESTLY = str(Path(sys.executable).parent / "gestly")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).parents[2] / "test-artifacts" / "screenshots"
PASSWORD = "senha-do-salao-1"


class ReceiverHandler(BaseHTTPRequestHandler):
    server: "SwitchableReceiver"

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        status = self.server.record(
            {k.lower(): v for k, v in self.headers.items()}, body
        )
        payload = b'{"received": true}' if status < 300 else b'{"error": "falhou"}'
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *_args: object) -> None:
        return None


class SwitchableReceiver(ThreadingHTTPServer):
    """A receiver on 127.0.0.1 that answers ``status`` (200 until a test breaks it)."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), ReceiverHandler)
        self.status = 200
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.lock = threading.Lock()

    def record(self, headers: dict[str, str], body: bytes) -> int:
        with self.lock:
            self.requests.append((headers, body))
            return self.status

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/webhooks"


@pytest.fixture
def receiver() -> Iterator[SwitchableReceiver]:
    server = SwitchableReceiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    """``gestly serve`` in development mode on a free loopback port."""

    def __init__(self, database_url: str, log_path: Path) -> None:
        self.port = free_port()
        self.env = {
            **os.environ,
            "GESTLY_DATABASE_URL": database_url,
            "GESTLY_ENV": "development",
            "GESTLY_HOST": "127.0.0.1",
            "GESTLY_PORT": str(self.port),
            "GESTLY_POLL_INTERVAL_S": "0.2",
        }
        self.log = log_path.open("wb")
        self.process = subprocess.Popen(
            [GESTLY, "serve"], env=self.env, stdout=self.log, stderr=self.log
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_until_up(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{self.url}/healthz", timeout=1)
                return
            except httpx.TransportError:
                time.sleep(0.05)
        raise AssertionError("gestly serve did not start")

    def create_account(self, name: str, email: str) -> str:
        """An account with a panel password, made by the CLI; returns its API token."""
        output = subprocess.run(
            [
                GESTLY,
                "accounts",
                "create",
                "--name",
                name,
                "--email",
                email,
                "--password",
                PASSWORD,
            ],
            env=self.env,
            capture_output=True,
            check=True,
        )
        return str(json.loads(output.stdout)["api_token"])

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)
        self.log.close()


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[Server]:
    running = Server(database_url, tmp_path / "serve.log")
    running.wait_until_up()
    yield running
    running.stop()


@pytest.fixture
def playwright(server: Server) -> Iterator[Playwright]:
    """Started after the server: Playwright's sync API keeps an event loop running,
    and the database fixtures need ``asyncio.run`` before it does."""
    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture
def browser(playwright: Playwright) -> Iterator[Browser]:
    launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield launched
    launched.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
