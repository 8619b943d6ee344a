"""From an attempt's result to the delivery's next state (pure)."""

import random
from datetime import datetime

from gestly.delivery.sender import AttemptResult
from gestly.storage.deliveries import ClaimedDelivery, DeliveryStatus, DeliveryUpdate
from gestly.webhooks.retry import GiveUp, RetryAt, Succeeded, decide_next_attempt


def next_state(
    claimed: ClaimedDelivery, result: AttemptResult, now: datetime, rng: random.Random
) -> DeliveryUpdate:
    """The delivery's state after ``result``.

    A manual attempt never moves the schedule: if it fails, the delivery keeps its
    status and its next scheduled time. ``410 Gone`` disables the endpoint either way.
    """
    decision = decide_next_attempt(
        attempt_number=claimed.scheduled_attempt_number,
        succeeded=result.succeeded,
        status_code=result.status_code,
        retry_after=result.retry_after,
        now=now,
        rng=rng,
    )
    match decision:
        case Succeeded():
            return DeliveryUpdate(DeliveryStatus.SUCCEEDED, None)
        case GiveUp(disable_endpoint=True):
            return DeliveryUpdate(
                DeliveryStatus.FAILED,
                None,
                disable_endpoint_reason="the receiver answered 410 Gone",
            )
        case _ if claimed.manual:
            return DeliveryUpdate(claimed.status, claimed.scheduled_attempt_at)
        case RetryAt(moment):
            return DeliveryUpdate(DeliveryStatus.RETRYING, moment)
        case GiveUp():
            return DeliveryUpdate(DeliveryStatus.FAILED, None)
    raise AssertionError(f"unexpected retry decision {decision!r}")
