"""The delivery worker: claim due deliveries, send them, record what happened.

One loop records results and claims due deliveries, one task per attempt sends.
Everything that finished since the last commit is recorded in the next, together with
the next claim. No database transaction is ever open across an HTTP call: the cycle
is a short transaction and sending happens outside any.

The worker sleeps until woken: by ``NOTIFY`` on PostgreSQL, by a commit in the same
process on SQLite, and in any case after ``poll_interval_s``.
"""

import asyncio
import logging
import random
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

import asyncpg

from gestly import __version__
from gestly.clock import Clock, format_precise_timestamp
from gestly.delivery.policy import next_state
from gestly.delivery.sender import AttemptResult, Sender
from gestly.storage.database import Database
from gestly.storage.deliveries import (
    AttemptRecord,
    ClaimedDelivery,
    DeliveryStatus,
    DeliveryUpdate,
    claim_due_deliveries,
    record_attempts,
    release_claims,
)
from gestly.storage.events import DELIVERY_CHANNEL
from gestly.webhooks.signing import sign_delivery

logger = logging.getLogger(__name__)

USER_AGENT: Final = f"Gestly-Webhooks/{__version__}"
LEASE_MARGIN: Final = timedelta(seconds=5)
RECORD_BATCH_MAX: Final = 1000


@dataclass(frozen=True, slots=True)
class WorkerOptions:
    concurrency: int = 500
    endpoint_concurrency: int = 20
    batch_size: int = 200
    poll_interval_s: float = 1.0
    request_timeout_s: float = 15.0
    shutdown_grace_s: float = 20.0


def delivery_headers(delivery: ClaimedDelivery, moment: datetime) -> dict[str, str]:
    """The headers of one attempt, signed at ``moment`` with every active secret."""
    signed = sign_delivery(
        delivery.endpoint.active_secrets(moment),
        delivery.event_id,
        int(moment.timestamp()),
        delivery.body,
    )
    return {
        **signed.as_dict(),
        "x-webhook-event": delivery.event_type,
        "x-webhook-delivery": delivery.id,
        "x-webhook-attempt": str(delivery.attempt_number),
    }


def attempt_record(
    delivery: ClaimedDelivery,
    started_at: datetime,
    headers: dict[str, str],
    result: AttemptResult,
) -> AttemptRecord:
    return AttemptRecord(
        delivery_id=delivery.id,
        claim_token=delivery.claim_token,
        number=delivery.attempt_number,
        manual=delivery.manual,
        started_at=started_at,
        duration_ms=result.duration_ms,
        request_headers=headers,
        succeeded=result.succeeded,
        status_code=result.status_code,
        response_headers=result.response_headers,
        response_body=result.response_body,
        response_truncated=result.response_truncated,
        error_kind=None if result.error_kind is None else result.error_kind.value,
        error_message=result.error_message,
    )


class DeliveryWorker:
    def __init__(
        self,
        database: Database,
        sender: Sender,
        clock: Clock,
        options: WorkerOptions,
        rng: random.Random | None = None,
    ) -> None:
        self.database = database
        self.sender = sender
        self.clock = clock
        self.options = options
        # Jitter spreads retries; it needs no cryptographic randomness.
        self.rng = rng or random.Random()  # noqa: S311
        # Long enough for the request and for recording its result; a dead worker's
        # claims come back after it.
        self.lease = 2 * timedelta(seconds=options.request_timeout_s) + LEASE_MARGIN
        self.wakeup = asyncio.Event()
        self.attempt_finished = asyncio.Event()
        self.in_flight: dict[str, ClaimedDelivery] = {}
        self.unfinished: list[ClaimedDelivery] = []
        self.in_flight_per_endpoint: Counter[str] = Counter()
        self.sending: set[asyncio.Task[None]] = set()
        self.finished: list[tuple[AttemptRecord, DeliveryUpdate]] = []
        self.idle = asyncio.Event()

    def wake(self) -> None:
        """Claim again now rather than at the next poll."""
        self.wakeup.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until ``stop`` is set, then finish or release in-flight work."""
        self.database.add_wakeup_listener(self.wake)
        listener = await self.listen_for_notifications()
        logger.info(
            "worker started concurrency=%s endpoint_concurrency=%s",
            self.options.concurrency,
            self.options.endpoint_concurrency,
            extra={"action": "worker.started"},
        )
        try:
            await self.cycle_until(stop)
        finally:
            await self.shut_down()
            if listener is not None:
                await listener.close()
            logger.info("worker stopped", extra={"action": "worker.stopped"})

    async def listen_for_notifications(self) -> asyncpg.Connection | None:
        if not self.database.is_postgresql:
            return None
        try:
            connection = await asyncpg.connect(self.database.url)
            await connection.add_listener(
                DELIVERY_CHANNEL, lambda *_args: self.wakeup.set()
            )
        except (OSError, asyncpg.PostgresError) as exc:
            logger.warning(
                "could not LISTEN; polling only error=%s",
                exc,
                extra={"action": "worker.listen_failed"},
            )
            return None
        return connection

    async def cycle_until(self, stop: asyncio.Event) -> None:
        """Each cycle is one transaction: record what finished, claim what is due.

        Sharing the commit halves the fsyncs per delivery, which is what bounds
        throughput on durable storage.
        """
        stop_waiter = asyncio.create_task(stop.wait())
        try:
            while not stop.is_set():
                room = self.options.concurrency - len(self.in_flight)
                claimed = await self.record_and_claim(
                    min(room, self.options.batch_size)
                )
                for delivery in claimed:
                    self.start_sending(delivery)
                if claimed or self.finished:
                    continue
                await self.wait_for_work(stop_waiter)
        finally:
            stop_waiter.cancel()

    async def wait_for_work(self, stop_waiter: asyncio.Task[bool]) -> None:
        """Sleep until woken, stopped, the poll interval passes, or an attempt ends.

        An attempt's end always has a result to record; it also frees room, which
        matters when the worker or one of its endpoints is at its cap.
        """
        self.wakeup.clear()
        self.attempt_finished.clear()
        self.idle.set()
        waiters: list[asyncio.Future[object]] = [
            asyncio.ensure_future(self.wakeup.wait()),
            asyncio.ensure_future(self.attempt_finished.wait()),
            stop_waiter,  # type: ignore[list-item]
        ]
        await asyncio.wait(
            waiters,
            timeout=self.options.poll_interval_s,
            return_when=asyncio.FIRST_COMPLETED,
        )
        for waiter in waiters:
            if waiter is not stop_waiter:
                waiter.cancel()
        self.idle.clear()

    async def record_and_claim(self, limit: int) -> list[ClaimedDelivery]:
        results = self.finished[:RECORD_BATCH_MAX]
        del self.finished[:RECORD_BATCH_MAX]
        room = {
            endpoint_id: self.options.endpoint_concurrency - count
            for endpoint_id, count in self.in_flight_per_endpoint.items()
        }
        try:
            async with self.database.transaction() as tx:
                now = self.clock.now()
                await record_attempts(tx, results, now)
                if limit <= 0:
                    return []
                return await claim_due_deliveries(
                    tx,
                    now=now,
                    limit=limit,
                    lease=self.lease,
                    per_endpoint_room=room,
                    endpoint_cap=self.options.endpoint_concurrency,
                )
        except Exception:
            # A database hiccup must not kill the worker, nor lose results (losing
            # them would repeat attempts): keep them, wait a poll, go on.
            logger.exception(
                "recording or claiming failed; will retry results=%s",
                len(results),
                extra={"action": "worker.cycle_failed"},
            )
            self.finished = results + self.finished
            await asyncio.sleep(self.options.poll_interval_s)
            return []

    def start_sending(self, delivery: ClaimedDelivery) -> None:
        self.in_flight[delivery.id] = delivery
        self.in_flight_per_endpoint[delivery.endpoint.id] += 1
        task = asyncio.create_task(self.attempt(delivery))
        self.sending.add(task)
        task.add_done_callback(self.sending.discard)

    async def attempt(self, delivery: ClaimedDelivery) -> None:
        started_at = self.clock.now()
        headers = delivery_headers(delivery, started_at)
        try:
            result = await self.sender.send(
                delivery.endpoint.url, headers, delivery.body
            )
        except asyncio.CancelledError:
            self.unfinished.append(delivery)
            raise
        finally:
            self.finish(delivery)

        outcome = next_state(delivery, result, self.clock.now(), self.rng)
        self.log_outcome(delivery, result, outcome)
        record = attempt_record(delivery, started_at, headers, result)
        self.finished.append((record, outcome))
        self.attempt_finished.set()

    def finish(self, delivery: ClaimedDelivery) -> None:
        del self.in_flight[delivery.id]
        self.in_flight_per_endpoint[delivery.endpoint.id] -= 1
        if self.in_flight_per_endpoint[delivery.endpoint.id] <= 0:
            del self.in_flight_per_endpoint[delivery.endpoint.id]

    def log_outcome(
        self, delivery: ClaimedDelivery, result: AttemptResult, outcome: DeliveryUpdate
    ) -> None:
        ids = (delivery.id, delivery.event_id, delivery.endpoint.id)
        if outcome.disable_endpoint_reason is not None:
            logger.warning(
                "endpoint disabled delivery_id=%s event_id=%s endpoint_id=%s reason=%s",
                *ids,
                outcome.disable_endpoint_reason,
                extra={"action": "endpoint.disabled"},
            )
        if result.succeeded:
            logger.debug(
                "delivery succeeded delivery_id=%s event_id=%s endpoint_id=%s "
                "status=%s duration_ms=%s",
                *ids,
                result.status_code,
                result.duration_ms,
                extra={"action": "delivery.succeeded"},
            )
        elif outcome.status is DeliveryStatus.FAILED and not delivery.manual:
            logger.error(
                "delivery given up delivery_id=%s event_id=%s endpoint_id=%s "
                "attempts=%s error=%s",
                *ids,
                delivery.attempt_number,
                result.error_kind,
                extra={"action": "delivery.failed"},
            )
        else:
            logger.info(
                "attempt failed delivery_id=%s event_id=%s endpoint_id=%s "
                "attempt=%s error=%s next_attempt_at=%s",
                *ids,
                delivery.attempt_number,
                result.error_kind,
                outcome.next_attempt_at
                and format_precise_timestamp(outcome.next_attempt_at),
                extra={"action": "delivery.attempt_failed"},
            )

    async def shut_down(self) -> None:
        """Let in-flight attempts finish for a grace period, release the rest."""
        if self.sending:
            logger.info(
                "finishing in-flight attempts count=%s",
                len(self.sending),
                extra={"action": "worker.draining"},
            )
            _done, pending = await asyncio.wait(
                set(self.sending), timeout=self.options.shutdown_grace_s
            )
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)

        async with self.database.transaction() as tx:
            while self.finished:
                batch = self.finished[:RECORD_BATCH_MAX]
                del self.finished[:RECORD_BATCH_MAX]
                await record_attempts(tx, batch, self.clock.now())
            if self.unfinished:
                await release_claims(tx, self.unfinished, self.clock.now())
        if self.unfinished:
            logger.info(
                "released unfinished deliveries count=%s",
                len(self.unfinished),
                extra={"action": "worker.released"},
            )
