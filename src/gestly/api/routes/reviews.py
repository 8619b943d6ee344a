"""``/v1/reviews``: reviews of completed appointments and the business's answer."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import Field

from gestly.api.dependencies import AccountId, Page, PageOf, ServicesDep, list_response
from gestly.api.errors import Conflict, NotFound, Unprocessable
from gestly.api.models import StrictModel
from gestly.clock import format_timestamp
from gestly.scheduling.payloads import reference
from gestly.storage import reviews as review_store
from gestly.storage.appointments import get_appointment
from gestly.storage.customers import Customer, get_customer
from gestly.storage.events import publish_event

router = APIRouter(prefix="/v1/reviews", tags=["reviews"])
ReviewPage = Annotated[Page, Depends(PageOf("rev"))]

Text = Annotated[str, Field(max_length=2000)]


class ReviewCreate(StrictModel):
    appointment_id: str
    rating: Annotated[int, Field(ge=1, le=5)]
    comment: Text | None = None


class ReviewResponse(StrictModel):
    text: Annotated[str, Field(min_length=1, max_length=2000)]


def review_json(review: review_store.Review, customer: Customer) -> dict[str, Any]:
    """The review as the API and the ``review.*`` events show it."""
    response = None
    if review.response_text is not None and review.response_created_at is not None:
        response = {
            "text": review.response_text,
            "created_at": format_timestamp(review.response_created_at),
        }
    return {
        "id": review.id,
        "rating": review.rating,
        "comment": review.comment,
        "customer": reference(customer),
        "appointment_id": review.appointment_id,
        "created_at": format_timestamp(review.created_at),
        "response": response,
    }


@router.post("", status_code=201)
async def create_review(
    body: ReviewCreate, account_id: AccountId, services: ServicesDep
) -> dict[str, Any]:
    now = services.clock.now()
    async with services.database.transaction() as tx:
        appointment = await get_appointment(
            tx.connection, account_id, body.appointment_id
        )
        if appointment is None:
            raise Unprocessable(
                f"no appointment {body.appointment_id!r} in this account",
                field="appointment_id",
            )
        if appointment.status != "completed":
            raise Conflict(
                f"the appointment is {appointment.status}; only completed "
                "appointments can be reviewed"
            )
        customer = await get_customer(
            tx.connection, account_id, appointment.customer_id
        )
        assert customer is not None
        try:
            review = await review_store.insert_review(
                tx,
                {
                    "account_id": account_id,
                    "appointment_id": appointment.id,
                    "customer_id": customer.id,
                    "rating": body.rating,
                    "comment": body.comment or None,
                    "created_at": now,
                    "response_text": None,
                    "response_created_at": None,
                },
            )
        except review_store.DuplicateReviewError:
            raise Conflict("this appointment has a review already") from None
        data = review_json(review, customer)
        await publish_event(
            tx, account_id=account_id, event_type="review.create", data=data, now=now
        )
    return data


async def load_review(
    services: ServicesDep, account_id: str, review_id: str
) -> tuple[review_store.Review, Customer]:
    async with services.database.read() as connection:
        review = await review_store.get_review(connection, account_id, review_id)
        if review is None:
            raise NotFound(f"no review {review_id!r} in this account")
        customer = await get_customer(connection, account_id, review.customer_id)
    assert customer is not None
    return review, customer


@router.get("")
async def list_reviews(
    account_id: AccountId, services: ServicesDep, page: ReviewPage
) -> dict[str, Any]:
    async with services.database.read() as connection:
        found = await review_store.list_reviews(
            connection, account_id, cursor=page.cursor, limit=page.limit + 1
        )
        items = []
        for review in found:
            customer = await get_customer(connection, account_id, review.customer_id)
            assert customer is not None
            items.append(review_json(review, customer))
    return list_response(items, page.limit)


@router.get("/{review_id}")
async def get_review(
    review_id: str, account_id: AccountId, services: ServicesDep
) -> dict[str, Any]:
    return review_json(*await load_review(services, account_id, review_id))


@router.post("/{review_id}/response")
async def answer_review(
    review_id: str, body: ReviewResponse, account_id: AccountId, services: ServicesDep
) -> dict[str, Any]:
    """The business answers once; a second answer is refused with ``409``."""
    _review, customer = await load_review(services, account_id, review_id)
    now = services.clock.now()
    async with services.database.transaction() as tx:
        if not await review_store.answer_review(tx, review_id, body.text, now):
            raise Conflict("this review has been answered already")
        review = await review_store.get_review(tx.connection, account_id, review_id)
        assert review is not None
        data = review_json(review, customer)
        await publish_event(
            tx, account_id=account_id, event_type="review.response", data=data, now=now
        )
    return data
