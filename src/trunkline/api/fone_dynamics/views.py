"""One call as Fone Dynamics answers for it, for the console: only calls to a tracking number."""

from __future__ import annotations

import orjson

from trunkline.api.dialect import CallView, CallViewRequest
from trunkline.api.fone_dynamics.render import call_object
from trunkline.services.composition import Services


async def call_views(services: Services, asked: CallViewRequest) -> list[CallView]:
    tracked = await services.tracking.call(asked.account_id, asked.call_sid)
    if tracked is None:
        return []
    body = {"Call": call_object(tracked, services.settings.public_url)}
    path = f"/v2/Calls/{asked.call_sid}"
    return [CallView("Fone Dynamics", orjson.dumps(body, option=orjson.OPT_INDENT_2).decode(), path)]
