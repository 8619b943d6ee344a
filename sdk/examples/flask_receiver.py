"""A Flask receiver.

    pip install './sdk[flask]'
    WEBHOOK_SECRET=whsec_… flask --app flask_receiver run --port 3000

The view verifies the delivery and queues the event; a worker thread processes it,
skipping events already seen (deliveries are at least once). ``MemoryProcessedEvents``
forgets on restart: use ``SqliteProcessedEvents`` or your own table to remember.
"""

import logging
import os
import queue
import threading

from flask import Flask

from gestly_sdk import Event, MemoryProcessedEvents, ReviewCreated, Webhook
from gestly_sdk.integrations.flask import webhook_view

logger = logging.getLogger(__name__)
webhook = Webhook(os.environ["WEBHOOK_SECRET"])
processed = MemoryProcessedEvents()
pending: "queue.Queue[Event]" = queue.Queue()


def process(event: Event) -> None:
    if isinstance(event, ReviewCreated):
        print(
            "new review:", event.review.rating, "stars from", event.review.customer.name
        )
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

app = Flask(__name__)
app.add_url_rule(
    "/webhooks", view_func=webhook_view(webhook, pending.put), methods=["POST"]
)
