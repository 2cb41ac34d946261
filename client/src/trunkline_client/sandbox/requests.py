"""The admin API's requests (src/trunkline/api/admin, README "Sandbox"): Bearer token, JSON bodies.
Pure data, shared by the sync and async sandbox resources."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from trunkline_client.connection import Api
from trunkline_client.transport import ApiRequest


def _q(value: str | int) -> str:
    return quote(str(value), safe="")


def _account(account_sid: str, rest: str) -> str:
    return f"/admin/accounts/{_q(account_sid)}/{rest}"


def get(path: str) -> ApiRequest:
    return ApiRequest("GET", Api.ADMIN, path)


def post(path: str, body: Any = None) -> ApiRequest:
    return ApiRequest("POST", Api.ADMIN, path, json=body)


def put(path: str, body: Any) -> ApiRequest:
    return ApiRequest("PUT", Api.ADMIN, path, json=body)


def delete(path: str) -> ApiRequest:
    return ApiRequest("DELETE", Api.ADMIN, path)


CLOCK = get("/admin/clock")
SCENARIO = get("/admin/scenario")


def advance_clock(seconds: float) -> ApiRequest:
    return post("/admin/clock/advance", {"seconds": seconds})


def set_scenario(document: dict[str, Any]) -> ApiRequest:
    return put("/admin/scenario", document)


def reset(account_sid: str | None, everything: bool = False) -> ApiRequest:
    body: dict[str, Any] = {} if account_sid is None else {"account_sid": account_sid}
    if everything:
        body["everything"] = True
    return post("/admin/reset", body)


def call_events(call_sid: str) -> ApiRequest:
    return get(f"/admin/calls/{_q(call_sid)}/events")


def call_webhooks(call_sid: str) -> ApiRequest:
    return get(f"/admin/calls/{_q(call_sid)}/webhooks")


def flow_requests(call_sid: str) -> ApiRequest:
    return get(f"/admin/calls/{_q(call_sid)}/flow-requests")


def redeliver(delivery_id: int) -> ApiRequest:
    return post(f"/admin/webhooks/{_q(delivery_id)}/redeliver")


def inbound(account_sid: str, from_: str, to: str, session: dict[str, Any] | None) -> ApiRequest:
    body: dict[str, Any] = {"from": from_, "to": to}
    if session is not None:
        body["session"] = session
    return post(_account(account_sid, "inbound"), body)


def start_traffic(account_sid: str, spec: dict[str, Any]) -> ApiRequest:
    return post(_account(account_sid, "traffic"), spec)


def list_traffic(account_sid: str) -> ApiRequest:
    return get(_account(account_sid, "traffic"))


def traffic(generator_id: int) -> ApiRequest:
    return get(f"/admin/traffic/{_q(generator_id)}")


def stop_traffic(generator_id: int) -> ApiRequest:
    return delete(f"/admin/traffic/{_q(generator_id)}")


def put_flow(account_sid: str, app_id: str, document: dict[str, Any]) -> ApiRequest:
    return put(_account(account_sid, f"flows/{_q(app_id)}"), document)


def list_flows(account_sid: str) -> ApiRequest:
    return get(_account(account_sid, "flows"))


def flow(account_sid: str, app_id: str) -> ApiRequest:
    return get(_account(account_sid, f"flows/{_q(app_id)}"))


def delete_flow(account_sid: str, app_id: str) -> ApiRequest:
    return delete(_account(account_sid, f"flows/{_q(app_id)}"))


def assign_flow(account_sid: str, exophone: str, app_id: str | None) -> ApiRequest:
    return put(_account(account_sid, f"exophones/{_q(exophone)}/flow"), {"app_id": app_id})


def create_user(account_sid: str, body: dict[str, Any]) -> ApiRequest:
    return post(_account(account_sid, "users"), body)


def create_property(account_sid: str, name: str, sid: str | None) -> ApiRequest:
    body: dict[str, Any] = {"name": name}
    if sid is not None:
        body["sid"] = sid
    return post(_account(account_sid, "properties"), body)
