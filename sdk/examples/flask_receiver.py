"""A Flask receiver: `WEBHOOK_SECRET=whsec_… flask --app flask_receiver run`."""

import os

from flask import Flask

from gestly_sdk import Event, MemoryProcessedEvents, Webhook
from gestly_sdk.integrations.flask import webhook_view

app = Flask(__name__)
processed = MemoryProcessedEvents()


def handle(event: Event) -> None:
    if processed.mark_processed(event.id):
        print(event.type, event.id)


app.add_url_rule(
    "/webhooks",
    view_func=webhook_view(Webhook(os.environ["WEBHOOK_SECRET"]), handle),
    methods=["POST"],
)
