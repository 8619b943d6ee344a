"""Fixtures shared by the whole suite.

``database_url`` runs a test once on SQLite and once on PostgreSQL (see
``support.databases``); ``gestly`` starts the server and worker on that database.
"""

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import pytest

from gestly.clock import ManualClock
from tests.support import databases
from tests.support.harness import Gestly
from tests.support.receivers import PythonReceiver


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str | None]:
    if not databases.POSTGRES_URL:
        yield None
        return
    url = asyncio.run(databases.create_postgres_database(databases.POSTGRES_URL))
    yield url
    asyncio.run(databases.drop_postgres_database(databases.POSTGRES_URL, url))


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> str:
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("db") / "gestly.db"
        return asyncio.run(databases.create_sqlite_database(str(path)))
    url: str | None = request.getfixturevalue("postgres_url")
    if url is None:
        if databases.REQUIRE_POSTGRES:
            pytest.fail(
                "GESTLY_TEST_REQUIRE_POSTGRES=1 but no GESTLY_TEST_POSTGRES_URL"
            )
        pytest.skip("set GESTLY_TEST_POSTGRES_URL to run against PostgreSQL")
    asyncio.run(databases.empty_postgres_database(url))
    return url


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
async def gestly(database_url: str, clock: ManualClock) -> AsyncIterator[Gestly]:
    harness = await Gestly(database_url, clock).start()
    yield harness
    await harness.stop()


@pytest.fixture
async def receiver() -> AsyncIterator[PythonReceiver]:
    server = await PythonReceiver().start()
    yield server
    await server.stop()
