"""Log configuration, applied only by the entry points (the CLI).

Lines read ``time level logger action: message key=value…``. The ``action`` is a
stable event name that tests and log queries select on. Nothing logged carries a
secret, a signature or a token; response bodies are never logged.
"""

import logging
import sys


class ActionFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "action"):
            record.action = "-"
        return True


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(ActionFilter())
    handler.setFormatter(
        logging.Formatter(
            "%(asctime)s %(levelname)s %(name)s %(action)s: %(message)s",
            datefmt="%Y-%m-%dT%H:%M:%S%z",
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    quiet_library_loggers()


def quiet_library_loggers() -> None:
    """Keep libraries' chatter out, whatever the level.

    aiosqlite's DEBUG lines carry every query's parameters, endpoint secrets
    included; uvicorn's access log would print a line per request.
    """
    for name in ("aiosqlite", "uvicorn.access", "alembic"):
        logging.getLogger(name).setLevel(logging.WARNING)
