"""``/v1/business_settings``, ``/v1/services`` and ``/v1/professionals``."""

import functools
from dataclasses import asdict, replace
from typing import Annotated, Any
from zoneinfo import available_timezones

from fastapi import APIRouter, Depends
from pydantic import Field

from gestly.api.dependencies import AccountId, Page, PageOf, ServicesDep, list_response
from gestly.api.errors import NotFound, Unprocessable
from gestly.api.models import DateField, StrictModel, WeeklyHoursField
from gestly.clock import format_timestamp
from gestly.storage import business

router = APIRouter(prefix="/v1", tags=["business"])
ServicePage = Annotated[Page, Depends(PageOf("srv"))]
ProfessionalPage = Annotated[Page, Depends(PageOf("stf"))]

Name = Annotated[str, Field(min_length=1, max_length=200)]
Minutes = Annotated[int, Field(ge=5, le=24 * 60)]
Cents = Annotated[int, Field(ge=0, le=100_000_000)]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]


class SettingsUpdate(StrictModel):
    time_zone: Annotated[str, Field(max_length=64)] | None = None
    opening_hours: WeeklyHoursField | None = None
    slot_interval_minutes: Minutes | None = None
    reminder_lead_minutes: Annotated[int, Field(ge=0, le=30 * 24 * 60)] | None = None
    points_per_appointment: Annotated[int, Field(ge=0, le=100_000)] | None = None
    points_per_100_cents: Annotated[int, Field(ge=0, le=100_000)] | None = None


class ServiceCreate(StrictModel):
    name: Name
    duration_minutes: Minutes
    price_cents: Cents
    currency: Currency = "BRL"
    active: bool = True


class ServiceUpdate(StrictModel):
    name: Name | None = None
    duration_minutes: Minutes | None = None
    price_cents: Cents | None = None
    currency: Currency | None = None
    active: bool | None = None


class ProfessionalCreate(StrictModel):
    name: Name
    service_ids: Annotated[list[str], Field(max_length=200)] = Field(
        default_factory=list
    )
    working_hours: WeeklyHoursField | None = None
    days_off: Annotated[list[DateField], Field(max_length=366)] = Field(
        default_factory=list
    )
    active: bool = True


class ProfessionalUpdate(StrictModel):
    name: Name | None = None
    service_ids: Annotated[list[str], Field(max_length=200)] | None = None
    working_hours: WeeklyHoursField | None = None
    days_off: Annotated[list[DateField], Field(max_length=366)] | None = None
    active: bool | None = None


def settings_json(settings: business.BusinessSettings) -> dict[str, Any]:
    body = asdict(settings)
    body.pop("account_id")
    body["updated_at"] = format_timestamp(settings.updated_at)
    return body


def service_json(service: business.Service) -> dict[str, Any]:
    return {
        "id": service.id,
        "name": service.name,
        "duration_minutes": service.duration_minutes,
        "price_cents": service.price_cents,
        "currency": service.currency,
        "active": service.active,
        "created_at": format_timestamp(service.created_at),
        "updated_at": format_timestamp(service.updated_at),
    }


def professional_json(professional: business.Professional) -> dict[str, Any]:
    return {
        "id": professional.id,
        "name": professional.name,
        "service_ids": professional.service_ids,
        "working_hours": professional.working_hours,
        "days_off": professional.days_off,
        "active": professional.active,
        "created_at": format_timestamp(professional.created_at),
        "updated_at": format_timestamp(professional.updated_at),
    }


@functools.cache
def known_time_zones() -> frozenset[str]:
    """The IANA names this machine knows, read from disk once."""
    return frozenset(available_timezones())


def check_time_zone(name: str) -> None:
    if name not in known_time_zones():
        raise Unprocessable(
            f"time_zone {name!r} is not an IANA time zone such as America/Sao_Paulo",
            field="time_zone",
        )


@router.get("/business_settings")
async def get_settings(account_id: AccountId, services: ServicesDep) -> dict[str, Any]:
    async with services.database.read() as connection:
        settings = await business.get_settings(
            connection, account_id, services.clock.now()
        )
    return settings_json(settings)


@router.patch("/business_settings")
async def update_settings(
    body: SettingsUpdate, account_id: AccountId, services: ServicesDep
) -> dict[str, Any]:
    changes = {
        key: value for key, value in body.model_dump().items() if value is not None
    }
    if "time_zone" in changes:
        check_time_zone(changes["time_zone"])
    now = services.clock.now()
    async with services.database.transaction() as tx:
        current = await business.get_settings(tx.connection, account_id, now)
        updated = replace(current, **changes, updated_at=now)
        await business.save_settings(tx, updated)
    return settings_json(updated)


@router.post("/services", status_code=201)
async def create_service(
    body: ServiceCreate, account_id: AccountId, services: ServicesDep
) -> dict[str, Any]:
    now = services.clock.now()
    async with services.database.transaction() as tx:
        service = await business.create_service(
            tx,
            {
                **body.model_dump(),
                "account_id": account_id,
                "created_at": now,
                "updated_at": now,
            },
        )
    return service_json(service)


@router.get("/services")
async def list_services(
    account_id: AccountId, services: ServicesDep, page: ServicePage
) -> dict[str, Any]:
    async with services.database.read() as connection:
        found = await business.list_services(
            connection, account_id, cursor=page.cursor, limit=page.limit + 1
        )
    return list_response([service_json(item) for item in found], page.limit)


async def load_service(
    services: ServicesDep, account_id: str, service_id: str
) -> business.Service:
    async with services.database.read() as connection:
        service = await business.get_service(connection, account_id, service_id)
    if service is None:
        raise NotFound(f"no service {service_id!r} in this account")
    return service


@router.get("/services/{service_id}")
async def get_service(
    service_id: str, account_id: AccountId, services: ServicesDep
) -> dict[str, Any]:
    return service_json(await load_service(services, account_id, service_id))


@router.patch("/services/{service_id}")
async def update_service(
    service_id: str, body: ServiceUpdate, account_id: AccountId, services: ServicesDep
) -> dict[str, Any]:
    changes = {
        key: value for key, value in body.model_dump().items() if value is not None
    }
    await load_service(services, account_id, service_id)
    async with services.database.transaction() as tx:
        service = await business.update_service(
            tx, account_id, service_id, {**changes, "updated_at": services.clock.now()}
        )
    assert service is not None
    return service_json(service)


async def check_service_ids(
    services: ServicesDep, account_id: str, service_ids: list[str]
) -> None:
    async with services.database.read() as connection:
        for service_id in service_ids:
            if await business.get_service(connection, account_id, service_id) is None:
                raise Unprocessable(
                    f"no service {service_id!r} in this account", field="service_ids"
                )


@router.post("/professionals", status_code=201)
async def create_professional(
    body: ProfessionalCreate, account_id: AccountId, services: ServicesDep
) -> dict[str, Any]:
    await check_service_ids(services, account_id, body.service_ids)
    now = services.clock.now()
    async with services.database.transaction() as tx:
        settings = await business.get_settings(tx.connection, account_id, now)
        professional = await business.create_professional(
            tx,
            {
                "account_id": account_id,
                "name": body.name,
                "service_ids": sorted(set(body.service_ids)),
                "working_hours": body.working_hours or settings.opening_hours,
                "days_off": sorted({day.isoformat() for day in body.days_off}),
                "active": body.active,
                "created_at": now,
                "updated_at": now,
            },
        )
    return professional_json(professional)


@router.get("/professionals")
async def list_professionals(
    account_id: AccountId, services: ServicesDep, page: ProfessionalPage
) -> dict[str, Any]:
    async with services.database.read() as connection:
        found = await business.list_professionals(
            connection, account_id, cursor=page.cursor, limit=page.limit + 1
        )
    return list_response([professional_json(item) for item in found], page.limit)


@router.get("/professionals/{professional_id}")
async def get_professional(
    professional_id: str, account_id: AccountId, services: ServicesDep
) -> dict[str, Any]:
    async with services.database.read() as connection:
        professional = await business.get_professional(
            connection, account_id, professional_id
        )
    if professional is None:
        raise NotFound(f"no professional {professional_id!r} in this account")
    return professional_json(professional)


@router.patch("/professionals/{professional_id}")
async def update_professional(
    professional_id: str,
    body: ProfessionalUpdate,
    account_id: AccountId,
    services: ServicesDep,
) -> dict[str, Any]:
    changes = {
        key: value for key, value in body.model_dump().items() if value is not None
    }
    if "service_ids" in changes:
        await check_service_ids(services, account_id, changes["service_ids"])
        changes["service_ids"] = sorted(set(changes["service_ids"]))
    if "days_off" in changes:
        changes["days_off"] = sorted({day.isoformat() for day in changes["days_off"]})
    async with services.database.transaction() as tx:
        professional = await business.update_professional(
            tx,
            account_id,
            professional_id,
            {**changes, "updated_at": services.clock.now()},
        )
    if professional is None:
        raise NotFound(f"no professional {professional_id!r} in this account")
    return professional_json(professional)
