"""Processed-event stores: one contract for both, then what only SQLite promises."""

import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest

from gestly_sdk import MemoryProcessedEvents, ProcessedEvents, SqliteProcessedEvents

Store = MemoryProcessedEvents | SqliteProcessedEvents
STORES: dict[str, Callable[[Path], Store]] = {
    "memory": lambda _path: MemoryProcessedEvents(),
    "sqlite": lambda path: SqliteProcessedEvents(path / "processed.db"),
}


@pytest.fixture(params=list(STORES))
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    return STORES[request.param](tmp_path)


def test_both_stores_fit_the_protocol(store: Store) -> None:
    fits: ProcessedEvents = store

    assert fits.mark_processed("evt_1") is True


def test_first_mark_is_true_and_the_next_false(store: Store) -> None:
    first = store.mark_processed("evt_1")
    second = store.mark_processed("evt_1")

    assert (first, second) == (True, False)


def test_ids_are_independent(store: Store) -> None:
    store.mark_processed("evt_1")

    assert store.mark_processed("evt_2") is True


def test_forgotten_id_can_be_marked_again(store: Store) -> None:
    store.mark_processed("evt_1")
    store.forget("evt_1")

    assert store.mark_processed("evt_1") is True


def test_concurrent_marks_of_one_id_let_exactly_one_through(store: Store) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(store.mark_processed, ["evt_same"] * 64))

    assert outcomes.count(True) == 1


def test_sqlite_store_remembers_across_instances(tmp_path: Path) -> None:
    SqliteProcessedEvents(tmp_path / "processed.db").mark_processed("evt_1")

    again = SqliteProcessedEvents(tmp_path / "processed.db").mark_processed("evt_1")

    assert again is False


MARK_MANY = """
import sys
from gestly_sdk import SqliteProcessedEvents
store = SqliteProcessedEvents(sys.argv[1])
print(sum(store.mark_processed(f"evt_{number}") for number in range(200)))
"""


def test_processes_racing_on_one_file_each_mark_an_id_once(tmp_path: Path) -> None:
    path = str(tmp_path / "processed.db")
    SqliteProcessedEvents(path)

    children = [
        subprocess.Popen(
            [sys.executable, "-c", MARK_MANY, path], stdout=subprocess.PIPE, text=True
        )
        for _ in range(4)
    ]
    firsts = [int(child.communicate()[0]) for child in children]

    assert [child.returncode for child in children] == [0, 0, 0, 0]
    assert sum(firsts) == 200


def test_sqlite_store_deletes_only_old_ids(tmp_path: Path) -> None:
    store = SqliteProcessedEvents(tmp_path / "processed.db")
    store.mark_processed("evt_1")

    kept = store.delete_older_than(timedelta(days=1))
    dropped = store.delete_older_than(timedelta(seconds=-10))

    assert (kept, dropped) == (0, 1)
    assert store.mark_processed("evt_1") is True
