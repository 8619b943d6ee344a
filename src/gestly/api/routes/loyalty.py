"""``/v1/rewards`` and a customer's ``/loyalty`` and ``/redemptions``."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import Field

from gestly.api.dependencies import AccountId, Page, PageOf, ServicesDep, list_response
from gestly.api.errors import Conflict, NotFound, Unprocessable
from gestly.api.models import StrictModel
from gestly.clock import format_timestamp
from gestly.scheduling.payloads import reference
from gestly.storage import customers as customer_store
from gestly.storage import loyalty
from gestly.storage.events import publish_event

router = APIRouter(prefix="/v1", tags=["loyalty"])
RewardPage = Annotated[Page, Depends(PageOf("rwd"))]
EntryPage = Annotated[Page, Depends(PageOf("lpt"))]
RedemptionPage = Annotated[Page, Depends(PageOf("red"))]


class RewardCreate(StrictModel):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    points_cost: Annotated[int, Field(ge=1, le=10_000_000)]
    active: bool = True


class RedemptionCreate(StrictModel):
    reward_id: str


def reward_json(reward: loyalty.Reward) -> dict[str, Any]:
    return {
        "id": reward.id,
        "name": reward.name,
        "points_cost": reward.points_cost,
        "active": reward.active,
        "created_at": format_timestamp(reward.created_at),
    }


def entry_json(entry: loyalty.LoyaltyEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "points": entry.points,
        "balance_after": entry.balance_after,
        "reason": entry.reason,
        "appointment_id": entry.appointment_id,
        "redemption_id": entry.redemption_id,
        "created_at": format_timestamp(entry.created_at),
    }


def redemption_json(
    redemption: loyalty.Redemption, reward: loyalty.Reward, balance: int | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": redemption.id,
        "customer_id": redemption.customer_id,
        "reward": {
            "id": reward.id,
            "name": reward.name,
            "points_cost": redemption.points_cost,
        },
        "created_at": format_timestamp(redemption.created_at),
    }
    if balance is not None:
        body["balance"] = balance
    return body


@router.post("/rewards", status_code=201)
async def create_reward(
    body: RewardCreate, account_id: AccountId, services: ServicesDep
) -> dict[str, Any]:
    async with services.database.transaction() as tx:
        reward = await loyalty.create_reward(
            tx,
            {
                **body.model_dump(),
                "account_id": account_id,
                "created_at": services.clock.now(),
            },
        )
    return reward_json(reward)


@router.get("/rewards")
async def list_rewards(
    account_id: AccountId, services: ServicesDep, page: RewardPage
) -> dict[str, Any]:
    async with services.database.read() as connection:
        found = await loyalty.list_rewards(
            connection, account_id, cursor=page.cursor, limit=page.limit + 1
        )
    return list_response([reward_json(item) for item in found], page.limit)


async def load_customer(
    services: ServicesDep, account_id: str, customer_id: str
) -> customer_store.Customer:
    async with services.database.read() as connection:
        customer = await customer_store.get_customer(
            connection, account_id, customer_id
        )
    if customer is None:
        raise NotFound(f"no customer {customer_id!r} in this account")
    return customer


@router.get("/customers/{customer_id}/loyalty")
async def get_loyalty(
    customer_id: str, account_id: AccountId, services: ServicesDep, page: EntryPage
) -> dict[str, Any]:
    """The balance and the ledger, newest entry first."""
    customer = await load_customer(services, account_id, customer_id)
    async with services.database.read() as connection:
        entries = await loyalty.list_entries(
            connection, customer_id, cursor=page.cursor, limit=page.limit + 1
        )
    return {
        "customer_id": customer.id,
        "balance": customer.loyalty_balance,
        "ledger": list_response([entry_json(item) for item in entries], page.limit),
    }


@router.get("/customers/{customer_id}/redemptions")
async def list_redemptions(
    customer_id: str, account_id: AccountId, services: ServicesDep, page: RedemptionPage
) -> dict[str, Any]:
    await load_customer(services, account_id, customer_id)
    async with services.database.read() as connection:
        found = await loyalty.list_redemptions(
            connection, customer_id, cursor=page.cursor, limit=page.limit + 1
        )
        items = []
        for redemption in found:
            reward = await loyalty.get_reward(
                connection, account_id, redemption.reward_id
            )
            assert reward is not None
            items.append(redemption_json(redemption, reward))
    return list_response(items, page.limit)


@router.post("/customers/{customer_id}/redemptions", status_code=201)
async def redeem_reward(
    customer_id: str,
    body: RedemptionCreate,
    account_id: AccountId,
    services: ServicesDep,
) -> dict[str, Any]:
    """Spend points on a reward; ``409`` and nothing deducted if they do not reach."""
    customer = await load_customer(services, account_id, customer_id)
    now = services.clock.now()
    async with services.database.transaction() as tx:
        reward = await loyalty.get_reward(tx.connection, account_id, body.reward_id)
        if reward is None:
            raise Unprocessable(
                f"no reward {body.reward_id!r} in this account", field="reward_id"
            )
        if not reward.active:
            raise Conflict(f"the reward {reward.name!r} is no longer offered")
        balance = await loyalty.change_balance(
            tx, customer_id, -reward.points_cost, now
        )
        if balance is None:
            raise Conflict(
                f"the customer has {customer.loyalty_balance} points; "
                f"{reward.name!r} costs {reward.points_cost}"
            )
        redemption = await loyalty.insert_redemption(
            tx,
            {
                "account_id": account_id,
                "customer_id": customer_id,
                "reward_id": reward.id,
                "points_cost": reward.points_cost,
                "created_at": now,
            },
        )
        await loyalty.add_entry(
            tx,
            {
                "account_id": account_id,
                "customer_id": customer_id,
                "points": -reward.points_cost,
                "balance_after": balance,
                "reason": "reward_redeemed",
                "appointment_id": None,
                "redemption_id": redemption.id,
                "created_at": now,
            },
        )
        await publish_event(
            tx,
            account_id=account_id,
            event_type="loyalty.reward_redeemed",
            data={
                "id": redemption.id,
                "customer": reference(customer),
                "reward": {
                    "id": reward.id,
                    "name": reward.name,
                    "points_cost": reward.points_cost,
                },
                "balance": balance,
                "created_at": format_timestamp(now),
            },
            now=now,
        )
    return redemption_json(redemption, reward, balance)
