"""Admin API for call tracking: an account's properties (Fone Dynamics has no public call to
create one; its tracking numbers are bought through ``POST /v2/Properties/<sid>/Numbers``)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import Field

from trunkline.api.admin.bodies import DeletedAnswer, PropertiesAnswer, PropertyBody
from trunkline.api.admin.dependencies import PREFIX, Admin, AdminBody
from trunkline.domain.errors import NotFound
from trunkline.domain.tracking.properties import NAME_MAX, PROPERTY_SID_PATTERN
from trunkline.services.tracking import Property, TrackingNumber

router = APIRouter(prefix=PREFIX, tags=["admin: call tracking"])


class NewProperty(AdminBody):
    name: str = Field(min_length=1, max_length=NAME_MAX, description="A name people recognise (a website).")
    sid: str | None = Field(
        None, pattern=PROPERTY_SID_PATTERN, description="The property's Sid; generated when omitted."
    )


def property_json(prop: Property, numbers: list[TrackingNumber]) -> PropertyBody:
    return {
        "sid": prop.sid,
        "name": prop.name,
        "created_at_ms": prop.created_at,
        "numbers": [n.number for n in numbers],
    }


@router.post(
    "/accounts/{account_sid}/properties",
    status_code=201,
    summary="Create a call-tracking property",
    operation_id="admin_properties_create",
    response_model=PropertyBody,
)
def create_property(services: Admin, account_sid: str, new: NewProperty) -> PropertyBody:
    return property_json(services.tracking.create_property(account_sid, new.name, new.sid, []), [])


@router.get(
    "/accounts/{account_sid}/properties",
    summary="The account's properties",
    operation_id="admin_properties_list",
    response_model=PropertiesAnswer,
)
def list_properties(services: Admin, account_sid: str) -> PropertiesAnswer:
    return {
        "properties": [property_json(p, numbers) for p, numbers in services.tracking.properties(account_sid)]
    }


@router.get(
    "/accounts/{account_sid}/properties/{property_sid}",
    summary="One property with its numbers",
    operation_id="admin_properties_get",
    response_model=PropertyBody,
)
def get_property(services: Admin, account_sid: str, property_sid: str) -> PropertyBody:
    return property_json(*services.tracking.property_with_numbers(account_sid, property_sid))


@router.delete(
    "/accounts/{account_sid}/properties/{property_sid}",
    summary="Delete a property with its tracking numbers and tracking rows (calls and ExoPhones stay)",
    operation_id="admin_properties_delete",
    response_model=DeletedAnswer,
)
def delete_property(services: Admin, account_sid: str, property_sid: str) -> DeletedAnswer:
    if not services.tracking.delete_property(account_sid, property_sid):
        raise NotFound(f"no property {property_sid} in this account")
    return {"deleted": property_sid}
