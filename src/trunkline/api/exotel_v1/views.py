"""One call as v1 answers for it (details with legs), in JSON and in XML, for the console."""

from __future__ import annotations

import orjson

from trunkline.api.dialect import CallView, CallViewRequest
from trunkline.api.exotel_v1.render import call_object, to_xml
from trunkline.services.composition import Services


async def call_views(services: Services, asked: CallViewRequest) -> list[CallView]:
    call = await services.calls.details(asked.account_id, asked.account_sid, asked.call_sid, with_legs=True)
    if call is None:
        return []
    document = {"Call": call_object(call, public_url=services.settings.public_url, details=True)}
    path = f"/v1/Accounts/{asked.account_sid}/Calls/{asked.call_sid}"
    return [
        CallView(
            "v1 JSON",
            orjson.dumps(document, option=orjson.OPT_INDENT_2).decode(),
            f"{path}.json?details=true",
        ),
        CallView("v1 XML", to_xml(document).decode(), f"{path}?details=true"),
    ]
