"""Versioned migrations with Alembic, run on Gestly's own connection.

``gestly db upgrade`` calls ``upgrade_database``; the scripts live in
``migrations/versions``, one file per version.
"""

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from gestly.storage.database import Database

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "the migrations folder always holds a head revision"
    return head


async def current_revision(database: Database) -> str | None:
    async with database.writer.connect() as connection:
        return await connection.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_revision()
        )


async def upgrade_database(database: Database, revision: str = "head") -> None:
    """Apply every migration up to ``revision``; already applied ones are skipped."""
    before = await current_revision(database)
    async with database.writer.connect() as connection:
        await connection.run_sync(
            lambda sync: command.upgrade(alembic_config(sync), revision)
        )
        await connection.commit()
    after = await current_revision(database)
    logger.info(
        "database upgraded from_revision=%s to_revision=%s",
        before,
        after,
        extra={"action": "db.upgraded"},
    )


async def check_database_current(database: Database) -> None:
    """Raise ``RuntimeError`` with the fix if the schema is behind the code."""
    current = await current_revision(database)
    if current != head_revision():
        raise RuntimeError(
            f"the database is at migration {current or 'none'}, the code expects "
            f"{head_revision()}; run 'gestly db upgrade'"
        )
