"""Customers of a business."""

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from gestly.ids import new_id
from gestly.storage.database import Transaction
from gestly.storage.schema import customers


@dataclass(frozen=True, slots=True)
class Customer:
    id: str
    account_id: str
    name: str
    email: str | None
    phone: str | None
    loyalty_balance: int
    created_at: datetime
    updated_at: datetime


async def create_customer(tx: Transaction, values: dict[str, Any]) -> Customer:
    customer = Customer(id=new_id("cus"), loyalty_balance=0, **values)
    await tx.connection.execute(insert(customers).values(**asdict(customer)))
    return customer


async def get_customer(
    connection: AsyncConnection, account_id: str, customer_id: str
) -> Customer | None:
    row = (
        await connection.execute(
            select(customers).where(
                customers.c.account_id == account_id, customers.c.id == customer_id
            )
        )
    ).first()
    return None if row is None else Customer(**row._mapping)


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def list_customers(
    connection: AsyncConnection,
    account_id: str,
    *,
    search: str | None,
    cursor: str | None,
    limit: int,
) -> list[Customer]:
    """Newest first; ``search`` matches part of the name, email or phone."""
    query = select(customers).where(customers.c.account_id == account_id)
    if search:
        pattern = f"%{escape_like(search.lower())}%"
        query = query.where(
            or_(
                func.lower(customers.c.name).like(pattern, escape="\\"),
                func.lower(customers.c.email).like(pattern, escape="\\"),
                customers.c.phone.like(pattern, escape="\\"),
            )
        )
    if cursor is not None:
        query = query.where(customers.c.id < cursor)
    rows = await connection.execute(query.order_by(customers.c.id.desc()).limit(limit))
    return [Customer(**row._mapping) for row in rows]


async def update_customer(
    tx: Transaction, account_id: str, customer_id: str, changes: dict[str, Any]
) -> Customer | None:
    await tx.connection.execute(
        update(customers)
        .where(customers.c.account_id == account_id, customers.c.id == customer_id)
        .values(**changes)
    )
    return await get_customer(tx.connection, account_id, customer_id)
