"""Loyalty: points credited and redeemed, a ledger per customer, and rewards.

A customer's balance lives on the customer row and only ever changes through a
conditional update (``balance >= cost``), so concurrent redemptions can never take it
below zero, on either database.
"""

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from gestly.ids import new_id
from gestly.storage.database import Transaction
from gestly.storage.schema import customers, loyalty_entries, redemptions, rewards


@dataclass(frozen=True, slots=True)
class Reward:
    id: str
    account_id: str
    name: str
    points_cost: int
    active: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Redemption:
    id: str
    account_id: str
    customer_id: str
    reward_id: str
    points_cost: int
    created_at: datetime


@dataclass(frozen=True, slots=True)
class LoyaltyEntry:
    id: str
    account_id: str
    customer_id: str
    points: int
    balance_after: int
    reason: str
    appointment_id: str | None
    redemption_id: str | None
    created_at: datetime


async def create_reward(tx: Transaction, values: dict[str, Any]) -> Reward:
    reward = Reward(id=new_id("rwd"), **values)
    await tx.connection.execute(insert(rewards).values(**asdict(reward)))
    return reward


async def get_reward(
    connection: AsyncConnection, account_id: str, reward_id: str
) -> Reward | None:
    row = (
        await connection.execute(
            select(rewards).where(
                rewards.c.account_id == account_id, rewards.c.id == reward_id
            )
        )
    ).first()
    return None if row is None else Reward(**row._mapping)


async def list_rewards(
    connection: AsyncConnection, account_id: str, *, cursor: str | None, limit: int
) -> list[Reward]:
    query = select(rewards).where(rewards.c.account_id == account_id)
    if cursor is not None:
        query = query.where(rewards.c.id < cursor)
    rows = await connection.execute(query.order_by(rewards.c.id.desc()).limit(limit))
    return [Reward(**row._mapping) for row in rows]


async def change_balance(
    tx: Transaction, customer_id: str, points: int, now: datetime
) -> int | None:
    """Add ``points`` (negative to spend); None, and no change, if that would go
    below zero. Returns the new balance."""
    result = await tx.connection.execute(
        update(customers)
        .where(
            customers.c.id == customer_id,
            customers.c.loyalty_balance + points >= 0,
        )
        .values(loyalty_balance=customers.c.loyalty_balance + points, updated_at=now)
        .returning(customers.c.loyalty_balance)
    )
    balance = result.scalar_one_or_none()
    return None if balance is None else int(balance)


async def add_entry(tx: Transaction, values: dict[str, Any]) -> LoyaltyEntry:
    entry = LoyaltyEntry(id=new_id("lpt"), **values)
    await tx.connection.execute(insert(loyalty_entries).values(**asdict(entry)))
    return entry


async def insert_redemption(tx: Transaction, values: dict[str, Any]) -> Redemption:
    redemption = Redemption(id=new_id("red"), **values)
    await tx.connection.execute(insert(redemptions).values(**asdict(redemption)))
    return redemption


async def list_entries(
    connection: AsyncConnection, customer_id: str, *, cursor: str | None, limit: int
) -> list[LoyaltyEntry]:
    query = select(loyalty_entries).where(loyalty_entries.c.customer_id == customer_id)
    if cursor is not None:
        query = query.where(loyalty_entries.c.id < cursor)
    rows = await connection.execute(
        query.order_by(loyalty_entries.c.id.desc()).limit(limit)
    )
    return [LoyaltyEntry(**row._mapping) for row in rows]


async def list_redemptions(
    connection: AsyncConnection, customer_id: str, *, cursor: str | None, limit: int
) -> list[Redemption]:
    query = select(redemptions).where(redemptions.c.customer_id == customer_id)
    if cursor is not None:
        query = query.where(redemptions.c.id < cursor)
    rows = await connection.execute(
        query.order_by(redemptions.c.id.desc()).limit(limit)
    )
    return [Redemption(**row._mapping) for row in rows]
