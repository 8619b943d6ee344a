"""The retry policy: what follows each attempt, per the documented schedule."""

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from gestly.webhooks.retry import (
    GiveUp,
    RetryAt,
    RetryDecision,
    Succeeded,
    decide_next_attempt,
)

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
DAY = timedelta(hours=24)
TEN_MINUTES = timedelta(minutes=10)

# The public docs: 1st attempt immediately, then 5 min, 30 min, 2 h and 12 h later.
DOCUMENTED_DELAYS = {
    1: timedelta(minutes=5),
    2: timedelta(minutes=30),
    3: timedelta(hours=2),
    4: timedelta(hours=12),
}
# 10 % of the delay, at most ten minutes.
JITTER_CEILINGS = {
    1: timedelta(seconds=30),
    2: timedelta(minutes=3),
    3: timedelta(minutes=10),
    4: timedelta(minutes=10),
}
SEEDS = range(20)


class FixedRandom(random.Random):
    """A random source whose ``random()`` always answers the same number."""

    def __init__(self, value: float) -> None:
        super().__init__(0)
        self.value = value

    def random(self) -> float:
        return self.value


NO_JITTER = FixedRandom(0.0)
MOST_JITTER = FixedRandom(0.999999)


def decide_after_failure(
    attempt_number: int,
    *,
    status_code: int | None = 500,
    retry_after: str | None = None,
    rng: random.Random = NO_JITTER,
) -> RetryDecision:
    return decide_next_attempt(
        attempt_number=attempt_number,
        succeeded=False,
        status_code=status_code,
        retry_after=retry_after,
        now=NOW,
        rng=rng,
    )


def wait_of(decision: RetryDecision) -> timedelta:
    assert isinstance(decision, RetryAt), decision
    return decision.moment - NOW


def http_date(moment: datetime) -> str:
    return format_datetime(moment, usegmt=True)


@pytest.mark.parametrize(("attempt_number", "delay"), DOCUMENTED_DELAYS.items())
def test_failed_attempt_is_retried_after_the_documented_delay(
    attempt_number: int, delay: timedelta
) -> None:
    decision = decide_after_failure(attempt_number)

    assert decision == RetryAt(NOW + delay)


@pytest.mark.parametrize(("attempt_number", "delay"), DOCUMENTED_DELAYS.items())
def test_attempt_without_response_is_retried_after_the_documented_delay(
    attempt_number: int, delay: timedelta
) -> None:
    decision = decide_after_failure(attempt_number, status_code=None)

    assert decision == RetryAt(NOW + delay)


@pytest.mark.parametrize("status_code", [None, 400, 429, 500, 503])
def test_fifth_failed_attempt_gives_up_without_disabling_the_endpoint(
    status_code: int | None,
) -> None:
    decision = decide_after_failure(5, status_code=status_code, retry_after="60")

    assert decision == GiveUp(disable_endpoint=False)


def test_attempt_beyond_the_schedule_gives_up() -> None:
    decision = decide_after_failure(6)

    assert decision == GiveUp(disable_endpoint=False)


@pytest.mark.parametrize("attempt_number", [1, 2, 3, 4, 5, 6])
def test_success_at_any_attempt_is_succeeded(attempt_number: int) -> None:
    decision = decide_next_attempt(
        attempt_number=attempt_number,
        succeeded=True,
        status_code=200,
        retry_after=None,
        now=NOW,
        rng=MOST_JITTER,
    )

    assert decision == Succeeded()


@pytest.mark.parametrize("attempt_number", [1, 2, 3, 4, 5])
def test_gone_gives_up_and_disables_the_endpoint_at_any_attempt(
    attempt_number: int,
) -> None:
    decision = decide_after_failure(attempt_number, status_code=410)

    assert decision == GiveUp(disable_endpoint=True)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize(("attempt_number", "delay"), DOCUMENTED_DELAYS.items())
def test_retry_is_never_earlier_than_documented_for_any_seed(
    attempt_number: int, delay: timedelta, seed: int
) -> None:
    decision = decide_after_failure(attempt_number, rng=random.Random(seed))

    assert wait_of(decision) >= delay


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("attempt_number", DOCUMENTED_DELAYS)
def test_jitter_is_at_most_ten_percent_capped_at_ten_minutes_for_any_seed(
    attempt_number: int, seed: int
) -> None:
    decision = decide_after_failure(attempt_number, rng=random.Random(seed))

    jitter = wait_of(decision) - DOCUMENTED_DELAYS[attempt_number]
    assert jitter <= JITTER_CEILINGS[attempt_number]


@pytest.mark.parametrize("attempt_number", DOCUMENTED_DELAYS)
def test_largest_random_number_keeps_jitter_within_its_ceiling(
    attempt_number: int,
) -> None:
    decision = decide_after_failure(attempt_number, rng=MOST_JITTER)

    jitter = wait_of(decision) - DOCUMENTED_DELAYS[attempt_number]
    assert timedelta(0) < jitter <= JITTER_CEILINGS[attempt_number]


def test_jitter_spreads_retries_of_simultaneous_failures() -> None:
    moments = {
        wait_of(decide_after_failure(2, rng=random.Random(seed))) for seed in SEEDS
    }

    assert len(moments) == len(SEEDS)


@pytest.mark.parametrize("status_code", [429, 503])
def test_retry_after_seconds_longer_than_the_schedule_pushes_the_retry_later(
    status_code: int,
) -> None:
    decision = decide_after_failure(1, status_code=status_code, retry_after="3600")

    assert wait_of(decision) == timedelta(hours=1)


@pytest.mark.parametrize("status_code", [429, 503])
def test_retry_after_date_longer_than_the_schedule_pushes_the_retry_later(
    status_code: int,
) -> None:
    retry_after = http_date(NOW + timedelta(hours=3))

    decision = decide_after_failure(2, status_code=status_code, retry_after=retry_after)

    assert wait_of(decision) == timedelta(hours=3)


@pytest.mark.parametrize(
    "retry_after",
    ["0", "1", "60", "299", http_date(NOW + timedelta(minutes=1)), http_date(NOW)],
)
def test_retry_after_shorter_than_the_schedule_never_brings_the_retry_earlier(
    retry_after: str,
) -> None:
    decision = decide_after_failure(1, status_code=503, retry_after=retry_after)

    assert wait_of(decision) == DOCUMENTED_DELAYS[1]


def test_retry_after_date_in_the_past_keeps_the_schedule() -> None:
    retry_after = http_date(NOW - timedelta(days=3))

    decision = decide_after_failure(3, status_code=429, retry_after=retry_after)

    assert wait_of(decision) == DOCUMENTED_DELAYS[3]


@pytest.mark.parametrize(
    "retry_after",
    ["86400", "86401", "604800", http_date(NOW + timedelta(days=30))],
)
def test_retry_after_is_capped_at_24_hours(retry_after: str) -> None:
    decision = decide_after_failure(1, status_code=503, retry_after=retry_after)

    assert wait_of(decision) == DAY


def test_retry_after_beyond_the_cap_adds_at_most_ten_minutes_of_jitter() -> None:
    decision = decide_after_failure(
        4, status_code=429, retry_after="604800", rng=MOST_JITTER
    )

    assert DAY <= wait_of(decision) <= DAY + TEN_MINUTES


@pytest.mark.parametrize("status_code", [None, 400, 404, 408, 500, 502, 504])
def test_retry_after_on_other_statuses_is_ignored(status_code: int | None) -> None:
    decision = decide_after_failure(1, status_code=status_code, retry_after="3600")

    assert wait_of(decision) == DOCUMENTED_DELAYS[1]


@pytest.mark.parametrize(
    "retry_after",
    [
        "",
        "   ",
        "soon",
        "1.5",
        "-3600",
        "3600s",
        "Mon, 32 Jan 2026 00:00:00 GMT",
        "Thu, 01 Jan 2026 15:00:00",  # no zone: not an HTTP date
        "2026-01-01T15:00:00Z",
    ],
)
def test_unparsable_retry_after_is_ignored(retry_after: str) -> None:
    decision = decide_after_failure(1, status_code=503, retry_after=retry_after)

    assert wait_of(decision) == DOCUMENTED_DELAYS[1]


@pytest.mark.parametrize(
    "retry_after",
    [
        "99999999999999",  # more seconds than a timedelta holds
        "1" + "0" * 30,
        "\u00b2",  # SUPERSCRIPT TWO: str.isdigit() says yes, int() says no
    ],
)
def test_hostile_retry_after_never_raises_and_stays_within_the_cap(
    retry_after: str,
) -> None:
    # The header comes from the receiver: whatever it holds, the policy must decide.
    decision = decide_after_failure(1, status_code=503, retry_after=retry_after)

    assert DOCUMENTED_DELAYS[1] <= wait_of(decision) <= DAY
