"""Results of Trunkline's sandbox controls (the admin API, ``/admin``): the network clock, a call's
transitions, its webhook deliveries, a placed inbound call. The rest of the admin API (scenario,
flows, traffic, users, properties) answers documents the caller wrote, returned as dicts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from trunkline_client.field_values import integer, mapping, text


def _ms(value: Any) -> datetime | None:
    number = integer(value)
    return None if number is None else datetime.fromtimestamp(number / 1000, UTC)


@dataclass(frozen=True)
class ClockState:
    mode: str
    """``real`` or ``virtual``."""
    now: datetime | None
    time_scale: float | None
    calls_in_flight: int | None = None
    calls_advanced: int | None = None
    """After an advance: how many calls the engine moved on."""
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def is_virtual(self) -> bool:
        return self.mode == "virtual"


def parse_clock(body: Any) -> ClockState:
    data = mapping(body)
    scale = data.get("time_scale")
    return ClockState(
        mode=str(data.get("mode", "")),
        now=_ms(data.get("now_ms")),
        time_scale=float(scale) if isinstance(scale, int | float) else None,
        calls_in_flight=integer(data.get("calls_in_flight")),
        calls_advanced=integer(data.get("calls_advanced")),
        raw=data,
    )


@dataclass(frozen=True)
class CallEvent:
    at: datetime | None
    name: str
    detail: Any


def parse_events(body: Any) -> list[CallEvent]:
    return [
        CallEvent(at=_ms(item.get("at_ms")), name=str(item.get("name", "")), detail=item.get("detail"))
        for item in mapping(body).get("events") or []
        if isinstance(item, dict)
    ]


@dataclass(frozen=True)
class WebhookDelivery:
    """One status callback the server owes a receiver, with every attempt made (oldest first)."""

    id: int | None
    event: str | None
    url: str | None
    content_type: str | None
    payload: dict[str, Any]
    state: str | None
    """``pending``, ``delivered`` or ``failed``."""
    last_response_status: int | None
    attempts: list[dict[str, Any]]
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


def parse_deliveries(body: Any) -> list[WebhookDelivery]:
    found = []
    for item in mapping(body).get("deliveries") or []:
        delivery = mapping(mapping(item).get("delivery"))
        found.append(
            WebhookDelivery(
                id=integer(delivery.get("id")),
                event=text(delivery.get("event")),
                url=text(delivery.get("url")),
                content_type=text(delivery.get("content_type")),
                payload=mapping(delivery.get("payload")),
                state=text(delivery.get("state")),
                last_response_status=integer(delivery.get("last_response_status")),
                attempts=[mapping(a) for a in mapping(item).get("attempts") or []],
                raw=mapping(item),
            )
        )
    return found


@dataclass(frozen=True)
class InboundCall:
    sid: str
    from_: str | None
    to: str | None
    direction: str | None
    flow_app_id: str | None
    uri: str | None


def parse_inbound(body: Any) -> InboundCall:
    data = mapping(body)
    return InboundCall(
        sid=str(data.get("sid", "")),
        from_=text(data.get("from")),
        to=text(data.get("to")),
        direction=text(data.get("direction")),
        flow_app_id=text(data.get("flow_app_id")),
        uri=text(data.get("uri")),
    )
