"""``/v1/customers``: the people who book, with ``customer.*`` events."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import Field

from gestly.api.dependencies import AccountId, Page, PageOf, ServicesDep, list_response
from gestly.api.errors import NotFound, Unprocessable
from gestly.api.models import StrictModel
from gestly.clock import format_timestamp
from gestly.scheduling.payloads import with_previous
from gestly.scheduling.rules import RuleError, normalize_email, normalize_phone
from gestly.storage import customers as customer_store
from gestly.storage.events import publish_event

router = APIRouter(prefix="/v1/customers", tags=["customers"])
CustomerPage = Annotated[Page, Depends(PageOf("cus"))]

Name = Annotated[str, Field(min_length=1, max_length=200)]
Contact = Annotated[str, Field(max_length=320)]


class CustomerCreate(StrictModel):
    name: Name
    email: Contact | None = None
    phone: Contact | None = None


class CustomerUpdate(StrictModel):
    name: Name | None = None
    email: Contact | None = None
    phone: Contact | None = None


def customer_json(customer: customer_store.Customer) -> dict[str, Any]:
    """The customer as the API and the ``customer.*`` events show it."""
    return {
        "id": customer.id,
        "name": customer.name,
        "email": customer.email,
        "phone": customer.phone,
        "created_at": format_timestamp(customer.created_at),
        "updated_at": format_timestamp(customer.updated_at),
    }


def normalize_contacts(fields: dict[str, Any]) -> dict[str, Any]:
    """Validate and normalize ``email`` and ``phone`` where present and not empty."""
    normalized = dict(fields)
    for name, normalize in (("email", normalize_email), ("phone", normalize_phone)):
        value = normalized.get(name)
        if value == "":
            normalized[name] = None
        elif value is not None:
            try:
                normalized[name] = normalize(value)
            except RuleError as exc:
                raise Unprocessable(str(exc), field=name) from exc
    return normalized


@router.post("", status_code=201)
async def create_customer(
    body: CustomerCreate, account_id: AccountId, services: ServicesDep
) -> dict[str, Any]:
    values = normalize_contacts(body.model_dump())
    now = services.clock.now()
    async with services.database.transaction() as tx:
        customer = await customer_store.create_customer(
            tx,
            {**values, "account_id": account_id, "created_at": now, "updated_at": now},
        )
        data = customer_json(customer)
        await publish_event(
            tx,
            account_id=account_id,
            event_type="customer.create",
            data=data,
            now=now,
        )
    return data


@router.get("")
async def list_customers(
    account_id: AccountId,
    services: ServicesDep,
    page: CustomerPage,
    q: Annotated[str | None, Field(max_length=200)] = None,
) -> dict[str, Any]:
    """``q`` finds customers by part of their name, email or phone."""
    async with services.database.read() as connection:
        found = await customer_store.list_customers(
            connection, account_id, search=q, cursor=page.cursor, limit=page.limit + 1
        )
    return list_response([customer_json(item) for item in found], page.limit)


@router.get("/{customer_id}")
async def get_customer(
    customer_id: str, account_id: AccountId, services: ServicesDep
) -> dict[str, Any]:
    async with services.database.read() as connection:
        customer = await customer_store.get_customer(
            connection, account_id, customer_id
        )
    if customer is None:
        raise NotFound(f"no customer {customer_id!r} in this account")
    return customer_json(customer)


@router.patch("/{customer_id}")
async def update_customer(
    customer_id: str, body: CustomerUpdate, account_id: AccountId, services: ServicesDep
) -> dict[str, Any]:
    changes = normalize_contacts(body.model_dump(exclude_unset=True))
    if changes.get("name", "") is None:
        raise Unprocessable("name cannot be null", field="name")
    now = services.clock.now()
    async with services.database.transaction() as tx:
        before = await customer_store.get_customer(
            tx.connection, account_id, customer_id
        )
        if before is None:
            raise NotFound(f"no customer {customer_id!r} in this account")
        old = customer_json(before)
        if all(old.get(key) == value for key, value in changes.items()):
            return old
        after = await customer_store.update_customer(
            tx, account_id, customer_id, {**changes, "updated_at": now}
        )
        assert after is not None
        data = customer_json(after)
        await publish_event(
            tx,
            account_id=account_id,
            event_type="customer.update",
            data=with_previous(old, data),
            now=now,
        )
    return data
