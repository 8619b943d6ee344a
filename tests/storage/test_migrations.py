"""The migrations build exactly the tables the code queries, on both databases."""

from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection

from gestly.storage.database import Database
from gestly.storage.migrate import current_revision, head_revision, upgrade_database
from gestly.storage.schema import metadata

pytestmark = pytest.mark.anyio


def schema_differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection)
    return list(compare_metadata(context, metadata))


async def test_migrated_schema_matches_the_code_metadata(database: Database) -> None:
    async with database.writer.connect() as connection:
        differences = await connection.run_sync(schema_differences)

    assert differences == []


async def test_upgrade_is_at_head_and_running_it_again_changes_nothing(
    database: Database,
) -> None:
    await upgrade_database(database)

    assert await current_revision(database) == head_revision()
