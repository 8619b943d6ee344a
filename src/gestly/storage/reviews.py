"""Reviews of completed appointments, and the business's one answer to each."""

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from gestly.ids import new_id
from gestly.storage.database import Transaction
from gestly.storage.schema import reviews


class DuplicateReviewError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Review:
    id: str
    account_id: str
    appointment_id: str
    customer_id: str
    rating: int
    comment: str | None
    created_at: datetime
    response_text: str | None
    response_created_at: datetime | None


async def insert_review(tx: Transaction, values: dict[str, Any]) -> Review:
    """Raises ``DuplicateReviewError`` if the appointment has one already."""
    review = Review(id=new_id("rev"), **values)
    try:
        async with tx.connection.begin_nested():
            await tx.connection.execute(insert(reviews).values(**asdict(review)))
    except IntegrityError as exc:
        raise DuplicateReviewError(review.appointment_id) from exc
    return review


async def get_review(
    connection: AsyncConnection, account_id: str, review_id: str
) -> Review | None:
    row = (
        await connection.execute(
            select(reviews).where(
                reviews.c.account_id == account_id, reviews.c.id == review_id
            )
        )
    ).first()
    return None if row is None else Review(**row._mapping)


async def list_reviews(
    connection: AsyncConnection, account_id: str, *, cursor: str | None, limit: int
) -> list[Review]:
    query = select(reviews).where(reviews.c.account_id == account_id)
    if cursor is not None:
        query = query.where(reviews.c.id < cursor)
    rows = await connection.execute(query.order_by(reviews.c.id.desc()).limit(limit))
    return [Review(**row._mapping) for row in rows]


async def answer_review(
    tx: Transaction, review_id: str, text: str, now: datetime
) -> bool:
    """Record the business's answer; False if the review was answered already."""
    result = await tx.connection.execute(
        update(reviews)
        .where(reviews.c.id == review_id, reviews.c.response_text.is_(None))
        .values(response_text=text, response_created_at=now)
    )
    return result.rowcount == 1
