"""A FastAPI receiver that answers at once and does the work in the background.

    pip install './sdk[fastapi]' uvicorn
    WEBHOOK_SECRET=whsec_… uvicorn fastapi_receiver:app --port 3000

The endpoint only verifies the delivery and queues the event, so Gestly gets its 200
in milliseconds. A worker thread takes events from the queue and skips those already
processed: deliveries are at least once. The queue lives in memory, so events
queued but not yet processed are lost if the process dies; in production, queue
them somewhere durable (a table, Redis, your task queue) instead.
"""

import logging
import os
import queue
import threading

from fastapi import FastAPI

from gestly_sdk import AppointmentCreated, Event, SqliteProcessedEvents, Webhook
from gestly_sdk.integrations.starlette import webhook_endpoint

logger = logging.getLogger(__name__)
webhook = Webhook(os.environ["WEBHOOK_SECRET"])
processed = SqliteProcessedEvents(
    os.environ.get("PROCESSED_EVENTS_DB", "processed-events.db")
)
pending: "queue.Queue[Event]" = queue.Queue()


def process(event: Event) -> None:
    if isinstance(event, AppointmentCreated):
        appointment = event.appointment
        print("booked:", appointment.customer.name, appointment.start_time)
    else:
        print("received:", event.type, event.id)


def work() -> None:
    while True:
        event = pending.get()
        try:
            if processed.mark_processed(event.id):
                process(event)
        except Exception:
            # Keep the worker alive, and let a later redelivery (a resend from the
            # panel) try again.
            logger.exception("event processing failed: event_id=%s", event.id)
            processed.forget(event.id)
        finally:
            pending.task_done()


threading.Thread(target=work, name="gestly-events", daemon=True).start()

app = FastAPI()
app.add_route("/webhooks", webhook_endpoint(webhook, pending.put), methods=["POST"])
