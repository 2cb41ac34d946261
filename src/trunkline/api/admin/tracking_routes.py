"""Admin API for call tracking: an account's properties (Fone Dynamics has no public call to
create one; its tracking numbers are bought through ``POST /v2/Properties/<sid>/Numbers``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from trunkline.api.admin.flows_routes import _account
from trunkline.api.admin.routes import PREFIX, Admin
from trunkline.domain.errors import NotFound
from trunkline.domain.tracking.numbers import TrackingNumber
from trunkline.domain.tracking.properties import NAME_MAX, PROPERTY_SID_PATTERN, Property
from trunkline.engine.clock import wall_ms

router = APIRouter(prefix=PREFIX, tags=["admin: call tracking"])


class NewProperty(BaseModel):
    name: str = Field(min_length=1, max_length=NAME_MAX, description="A name people recognise (a website).")
    sid: str | None = Field(
        None, pattern=PROPERTY_SID_PATTERN, description="The property's Sid; generated when omitted."
    )


def _property_json(prop: Property, numbers: list[TrackingNumber] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"sid": prop.sid, "name": prop.name, "created_at_ms": prop.created_at}
    if numbers is not None:
        body["numbers"] = [n.number for n in numbers]
    return body


@router.post("/accounts/{account_sid}/properties", status_code=201, summary="Create a call-tracking property")
async def create_property(ctx: Admin, account_sid: str, new: NewProperty) -> dict[str, Any]:
    account = await _account(ctx, account_sid)
    prop = await ctx.blocking(ctx.properties.create_property, account.id, new.name, wall_ms(), new.sid)
    return _property_json(prop, [])


@router.get("/accounts/{account_sid}/properties", summary="The account's properties")
async def list_properties(ctx: Admin, account_sid: str) -> dict[str, Any]:
    account = await _account(ctx, account_sid)
    props = await ctx.blocking(ctx.properties.properties, account.id)
    numbers = await ctx.blocking(ctx.tracking_numbers.numbers, account.id)
    return {"properties": [_property_json(p, [n for n in numbers if n.property_id == p.id]) for p in props]}


async def _own_property(ctx: Admin, account_id: int, sid: str) -> Property:
    prop = await ctx.blocking(ctx.properties.property_by_sid, sid)
    if prop is None or prop.account_id != account_id:
        raise NotFound(f"no property {sid} in this account")
    return prop


@router.get("/accounts/{account_sid}/properties/{property_sid}", summary="One property with its numbers")
async def get_property(ctx: Admin, account_sid: str, property_sid: str) -> dict[str, Any]:
    account = await _account(ctx, account_sid)
    prop = await _own_property(ctx, account.id, property_sid)
    return _property_json(prop, await ctx.blocking(ctx.tracking_numbers.numbers, account.id, prop.id))


@router.delete(
    "/accounts/{account_sid}/properties/{property_sid}",
    summary="Delete a property with its tracking numbers and tracking rows (calls and ExoPhones stay)",
)
async def delete_property(ctx: Admin, account_sid: str, property_sid: str) -> dict[str, Any]:
    account = await _account(ctx, account_sid)
    if not await ctx.blocking(ctx.properties.delete_property, account.id, property_sid):
        raise NotFound(f"no property {property_sid} in this account")
    return {"deleted": property_sid}
