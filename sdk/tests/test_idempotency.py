"""Processed-event records: the first mark wins, even across threads and restarts."""

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from gestly_sdk import MemoryProcessedEvents, ProcessedEvents, SqliteProcessedEvents


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> ProcessedEvents:
    if request.param == "memory":
        return MemoryProcessedEvents()
    return SqliteProcessedEvents(tmp_path / "processed.db")


def test_first_mark_is_true_and_the_next_false(store: ProcessedEvents) -> None:
    first = store.mark_processed("evt_1")
    second = store.mark_processed("evt_1")

    assert (first, second) == (True, False)


def test_concurrent_marks_of_one_id_let_exactly_one_through(
    store: ProcessedEvents,
) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(store.mark_processed, ["evt_same"] * 32))

    assert outcomes.count(True) == 1


def test_sqlite_store_remembers_across_instances(tmp_path: Path) -> None:
    SqliteProcessedEvents(tmp_path / "processed.db").mark_processed("evt_1")

    again = SqliteProcessedEvents(tmp_path / "processed.db").mark_processed("evt_1")

    assert again is False
