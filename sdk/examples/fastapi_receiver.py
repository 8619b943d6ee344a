"""A FastAPI receiver: run with `WEBHOOK_SECRET=whsec_… uvicorn fastapi_receiver:app`.

It answers at once and leaves the work to a background task, deduplicating on the
event id (deliveries are at least once).
"""

import os

from fastapi import BackgroundTasks, FastAPI, Request
from fastapi.responses import JSONResponse

from gestly_sdk import (
    AppointmentCreated,
    Event,
    SqliteProcessedEvents,
    Webhook,
    WebhookVerificationError,
)

app = FastAPI()
webhook = Webhook(os.environ["WEBHOOK_SECRET"])
processed = SqliteProcessedEvents("processed-events.db")


def process(event: Event) -> None:
    if not processed.mark_processed(event.id):
        return  # seen before: a redelivery
    if isinstance(event, AppointmentCreated):
        print("new appointment for", event.appointment.customer.name)


@app.post("/webhooks")
async def receive(request: Request, tasks: BackgroundTasks) -> JSONResponse:
    try:
        event = webhook.verify(await request.body(), request.headers)
    except WebhookVerificationError as exc:
        return JSONResponse({"error": str(exc)}, status_code=401)
    tasks.add_task(process, event)
    return JSONResponse({"received": True})
