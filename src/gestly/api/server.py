"""The API's HTTP server: uvicorn, minus its own signal handling."""

import contextlib
from collections.abc import Iterator

import uvicorn

from gestly.api.app import create_app
from gestly.api.dependencies import Services


class QuietSignalsServer(uvicorn.Server):
    """Uvicorn without its own signal handling: the caller decides how to stop."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def build_server(services: Services, host: str, port: int) -> QuietSignalsServer:
    return QuietSignalsServer(
        uvicorn.Config(
            create_app(services),
            host=host,
            port=port,
            log_config=None,
            server_header=False,
            lifespan="off",
        )
    )
