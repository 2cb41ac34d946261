"""One call as CCM v2 answers for it, for the console: only calls it knows (agent calls)."""

from __future__ import annotations

import orjson

from trunkline.api.dialect import CallView, CallViewRequest
from trunkline.api.exotel_ccm.render import agent_number, call_details, request_id
from trunkline.services.composition import Services


async def call_views(services: Services, asked: CallViewRequest) -> list[CallView]:
    found = await services.calls.details_with_agent(
        asked.account_id, asked.account_sid, asked.call_sid, agent_number
    )
    if found is None:
        return []
    call, user_id = found
    # The envelope as ``render.success`` sends it for a GET.
    body = {
        "request_id": request_id(),
        "method": "GET",
        "http_code": 200,
        "response": {
            "call_details": call_details(call, user_id, asked.account_sid, services.settings.public_url)
        },
    }
    path = f"/v2/accounts/{asked.account_sid}/calls/{asked.call_sid}"
    return [CallView("CCM v2", orjson.dumps(body, option=orjson.OPT_INDENT_2).decode(), path)]
