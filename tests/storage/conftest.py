from collections.abc import AsyncIterator

import pytest

from gestly.clock import ManualClock
from gestly.storage.accounts import create_account
from gestly.storage.database import Database


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    yield database
    await database.close()


@pytest.fixture
async def account_id(database: Database, clock: ManualClock) -> str:
    async with database.transaction() as tx:
        account = await create_account(
            tx,
            name="Clínica Bem-Estar",
            email="owner@example.com",
            password_hash=None,
            now=clock.now(),
        )
    return account.id
