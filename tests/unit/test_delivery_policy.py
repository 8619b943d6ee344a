"""From an attempt's result to the delivery's next state."""

import random
from datetime import UTC, datetime, timedelta

import pytest

from gestly.delivery.policy import next_state
from gestly.delivery.sender import AttemptResult, ErrorKind
from gestly.storage.deliveries import ClaimedDelivery, DeliveryStatus, DeliveryUpdate
from gestly.storage.endpoints import Endpoint

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
SCHEDULED_AT = NOW + timedelta(hours=7, minutes=13)  # unlike any scheduled delay
DOCUMENTED_DELAYS = {
    1: timedelta(minutes=5),
    2: timedelta(minutes=30),
    3: timedelta(hours=2),
    4: timedelta(hours=12),
}


class FixedRandom(random.Random):
    """A random source whose ``random()`` always answers the same number."""

    def __init__(self, value: float) -> None:
        super().__init__(0)
        self.value = value

    def random(self) -> float:
        return self.value


NO_JITTER = FixedRandom(0.0)

ENDPOINT = Endpoint(
    id="we_1",
    account_id="acc_1",
    url="https://hooks.example.com/gestly",
    description="",
    event_types=["*"],
    enabled=True,
    disabled_reason=None,
    secret="whsec_MDEyMzQ1Njc4OWFiY2RlZmdoaWprbG1u",
    previous_secret=None,
    previous_secret_expires_at=None,
    created_at=NOW - timedelta(days=1),
    updated_at=NOW - timedelta(days=1),
)


def claimed(
    *,
    scheduled_attempt_number: int,
    manual: bool = False,
    status: DeliveryStatus = DeliveryStatus.PENDING,
    scheduled_attempt_at: datetime | None = None,
) -> ClaimedDelivery:
    return ClaimedDelivery(
        id="del_1",
        claim_token="att_1",
        account_id="acc_1",
        event_id="evt_1",
        event_type="appointment.create",
        body=b"{}",
        endpoint=ENDPOINT,
        status=status,
        attempt_number=scheduled_attempt_number + (1 if manual else 0),
        scheduled_attempt_number=scheduled_attempt_number,
        manual=manual,
        scheduled_attempt_at=scheduled_attempt_at,
    )


def answered(status_code: int, headers: dict[str, str] | None = None) -> AttemptResult:
    succeeded = 200 <= status_code < 300
    return AttemptResult(
        succeeded=succeeded,
        duration_ms=5,
        status_code=status_code,
        response_headers=headers or {},
        response_body="",
        error_kind=None if succeeded else ErrorKind.HTTP_STATUS,
        error_message=None if succeeded else f"HTTP {status_code}",
    )


NO_RESPONSE = AttemptResult(
    succeeded=False,
    duration_ms=15_000,
    error_kind=ErrorKind.TIMEOUT,
    error_message="no complete response within 15 s",
)


@pytest.mark.parametrize(("number", "delay"), DOCUMENTED_DELAYS.items())
def test_scheduled_failure_is_retried_on_the_documented_schedule(
    number: int, delay: timedelta
) -> None:
    delivery = claimed(scheduled_attempt_number=number)

    update = next_state(delivery, answered(500), NOW, NO_JITTER)

    assert update == DeliveryUpdate(DeliveryStatus.RETRYING, NOW + delay)


def test_scheduled_attempt_without_response_is_retried_on_the_schedule() -> None:
    delivery = claimed(scheduled_attempt_number=2, status=DeliveryStatus.RETRYING)

    update = next_state(delivery, NO_RESPONSE, NOW, NO_JITTER)

    assert update == DeliveryUpdate(
        DeliveryStatus.RETRYING, NOW + timedelta(minutes=30)
    )


def test_scheduled_failure_honours_retry_after_from_the_response() -> None:
    delivery = claimed(scheduled_attempt_number=1)

    update = next_state(
        delivery, answered(503, {"retry-after": "7200"}), NOW, NO_JITTER
    )

    assert update == DeliveryUpdate(DeliveryStatus.RETRYING, NOW + timedelta(hours=2))


def test_fifth_scheduled_failure_fails_the_delivery() -> None:
    delivery = claimed(scheduled_attempt_number=5, status=DeliveryStatus.RETRYING)

    update = next_state(delivery, answered(500), NOW, NO_JITTER)

    assert update == DeliveryUpdate(DeliveryStatus.FAILED, None)


@pytest.mark.parametrize("number", [1, 3, 5])
def test_scheduled_success_succeeds_the_delivery(number: int) -> None:
    delivery = claimed(scheduled_attempt_number=number)

    update = next_state(delivery, answered(204), NOW, NO_JITTER)

    assert update == DeliveryUpdate(DeliveryStatus.SUCCEEDED, None)


def test_scheduled_gone_fails_the_delivery_and_disables_the_endpoint() -> None:
    delivery = claimed(scheduled_attempt_number=1)

    update = next_state(delivery, answered(410), NOW, NO_JITTER)

    assert update == DeliveryUpdate(
        DeliveryStatus.FAILED,
        None,
        disable_endpoint_reason="the receiver answered 410 Gone",
    )


@pytest.mark.parametrize(
    "result",
    [answered(500), answered(404), answered(503, {"retry-after": "7200"}), NO_RESPONSE],
)
def test_manual_failure_keeps_status_and_scheduled_time(result: AttemptResult) -> None:
    delivery = claimed(
        scheduled_attempt_number=3,
        manual=True,
        status=DeliveryStatus.RETRYING,
        scheduled_attempt_at=SCHEDULED_AT,
    )

    update = next_state(delivery, result, NOW, NO_JITTER)

    assert update == DeliveryUpdate(DeliveryStatus.RETRYING, SCHEDULED_AT)


def test_manual_failure_of_a_failed_delivery_leaves_it_failed() -> None:
    delivery = claimed(
        scheduled_attempt_number=6,
        manual=True,
        status=DeliveryStatus.FAILED,
        scheduled_attempt_at=None,
    )

    update = next_state(delivery, answered(500), NOW, NO_JITTER)

    assert update == DeliveryUpdate(DeliveryStatus.FAILED, None)


def test_manual_failure_of_a_pending_delivery_keeps_it_pending() -> None:
    delivery = claimed(
        scheduled_attempt_number=1,
        manual=True,
        status=DeliveryStatus.PENDING,
        scheduled_attempt_at=SCHEDULED_AT,
    )

    update = next_state(delivery, NO_RESPONSE, NOW, NO_JITTER)

    assert update == DeliveryUpdate(DeliveryStatus.PENDING, SCHEDULED_AT)


@pytest.mark.parametrize(
    ("status", "number", "scheduled_at"),
    [
        (DeliveryStatus.RETRYING, 3, SCHEDULED_AT),
        (DeliveryStatus.FAILED, 6, None),
    ],
)
def test_manual_success_succeeds_the_delivery(
    status: DeliveryStatus, number: int, scheduled_at: datetime | None
) -> None:
    delivery = claimed(
        scheduled_attempt_number=number,
        manual=True,
        status=status,
        scheduled_attempt_at=scheduled_at,
    )

    update = next_state(delivery, answered(200), NOW, NO_JITTER)

    assert update == DeliveryUpdate(DeliveryStatus.SUCCEEDED, None)


@pytest.mark.parametrize(
    ("status", "number", "scheduled_at"),
    [
        (DeliveryStatus.RETRYING, 3, SCHEDULED_AT),
        (DeliveryStatus.FAILED, 6, None),
    ],
)
def test_manual_gone_disables_the_endpoint(
    status: DeliveryStatus, number: int, scheduled_at: datetime | None
) -> None:
    delivery = claimed(
        scheduled_attempt_number=number,
        manual=True,
        status=status,
        scheduled_attempt_at=scheduled_at,
    )

    update = next_state(delivery, answered(410), NOW, NO_JITTER)

    assert update.disable_endpoint_reason == "the receiver answered 410 Gone"
