"""The retry decision, a pure function: which failures are retried, and when."""

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from gestly_sdk import RetryPolicy
from gestly_sdk._retries import FailedAttempt, decide_retry, read_retry_after

NOW = datetime(2026, 1, 1, 10, tzinfo=UTC)
POLICY = RetryPolicy(max_retries=3, base_delay_s=1, max_delay_s=5)


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "POST", "HEAD"])
def test_repeatable_methods_are_retried_after_503(method: str) -> None:
    failed = FailedAttempt(method=method, attempt=1, status=503)

    assert decide_retry(POLICY, failed, NOW, jitter=0.0) is not None


def test_patch_is_never_retried() -> None:
    failed = FailedAttempt(method="PATCH", attempt=1, status=None)

    assert decide_retry(POLICY, failed, NOW, jitter=0.0) is None


@pytest.mark.parametrize("status", [400, 401, 404, 409, 422, 501])
def test_client_errors_are_not_retried(status: int) -> None:
    failed = FailedAttempt(method="GET", attempt=1, status=status)

    assert decide_retry(POLICY, failed, NOW, jitter=0.0) is None


def test_post_whose_twin_still_runs_is_retried() -> None:
    failed = FailedAttempt(
        method="POST", attempt=1, status=409, error_code="idempotency_key_in_use"
    )

    assert decide_retry(POLICY, failed, NOW, jitter=0.0) is not None


def test_no_answer_is_retried() -> None:
    failed = FailedAttempt(method="POST", attempt=2, status=None)

    assert decide_retry(POLICY, failed, NOW, jitter=0.0) is not None


def test_backoff_doubles_up_to_the_cap_and_jitter_spans_its_upper_half() -> None:
    def wait(attempt: int, jitter: float) -> float | None:
        failed = FailedAttempt(method="GET", attempt=attempt, status=500)
        return decide_retry(
            RetryPolicy(max_retries=9, max_delay_s=5), failed, NOW, jitter
        )

    lowest = [wait(attempt, 0.0) for attempt in range(1, 6)]
    highest = [wait(attempt, 0.999999) for attempt in range(1, 6)]

    assert lowest == [0.25, 0.5, 1.0, 2.0, 2.5]
    assert highest == pytest.approx([0.5, 1.0, 2.0, 4.0, 5.0])


def test_retries_stop_after_the_last_allowed() -> None:
    last = FailedAttempt(method="GET", attempt=3, status=500)
    beyond = FailedAttempt(method="GET", attempt=4, status=500)

    assert decide_retry(POLICY, last, NOW, jitter=0.0) is not None
    assert decide_retry(POLICY, beyond, NOW, jitter=0.0) is None


def test_retry_after_in_seconds_is_waited_exactly() -> None:
    failed = FailedAttempt(method="GET", attempt=1, status=429, retry_after="7")

    assert decide_retry(POLICY, failed, NOW, jitter=0.9) == 7.0


def test_retry_after_as_a_date_is_waited_until_then() -> None:
    later = format_datetime(NOW + timedelta(seconds=12), usegmt=True)
    failed = FailedAttempt(method="GET", attempt=1, status=503, retry_after=later)

    assert decide_retry(POLICY, failed, NOW, jitter=0.9) == 12.0


def test_retry_after_beyond_the_cap_gives_up() -> None:
    failed = FailedAttempt(method="GET", attempt=1, status=429, retry_after="3600")

    assert decide_retry(POLICY, failed, NOW, jitter=0.0) is None


@pytest.mark.parametrize("value", [None, "soon", "", "-5", "1.5"])
def test_unreadable_retry_after_falls_back_to_backoff(value: str | None) -> None:
    assert read_retry_after(value, NOW) is None
