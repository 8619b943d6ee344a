"""Databases for tests: a fresh SQLite file per test, and one PostgreSQL database per
session, emptied before each test.

PostgreSQL runs when ``GESTLY_TEST_POSTGRES_URL`` names a server where databases may be
created (CI sets it). Without it the PostgreSQL half of the suite is skipped, unless
``GESTLY_TEST_REQUIRE_POSTGRES=1`` makes that an error.
"""

import os
import uuid
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from gestly.storage.database import Database
from gestly.storage.migrate import upgrade_database
from gestly.storage.schema import metadata

POSTGRES_URL = os.environ.get("GESTLY_TEST_POSTGRES_URL", "")
REQUIRE_POSTGRES = os.environ.get("GESTLY_TEST_REQUIRE_POSTGRES") == "1"


def with_database_name(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


async def create_postgres_database(admin_url: str) -> str:
    name = f"gestly_test_{uuid.uuid4().hex[:12]}"
    connection = await asyncpg.connect(admin_url)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    url = with_database_name(admin_url, name)
    database = Database(url)
    try:
        await upgrade_database(database)
    finally:
        await database.close()
    return url


async def drop_postgres_database(admin_url: str, url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    connection = await asyncpg.connect(admin_url)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


async def empty_postgres_database(url: str) -> None:
    tables = ", ".join(f'"{table.name}"' for table in metadata.sorted_tables)
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(f"TRUNCATE {tables} CASCADE")
    finally:
        await connection.close()


async def create_sqlite_database(path: str) -> str:
    url = f"sqlite:///{path}"
    database = Database(url)
    try:
        await upgrade_database(database)
    finally:
        await database.close()
    return url
