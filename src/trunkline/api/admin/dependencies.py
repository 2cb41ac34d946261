"""What every admin route shares: the prefix and the bearer-token check that hands a route the
server's services."""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import Body, Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import AfterValidator, BaseModel, model_validator

from trunkline.domain.client_text import control_in_document, has_control
from trunkline.domain.errors import AuthenticationFailed, NotFound
from trunkline.domain.whole_numbers import MAX_STORED
from trunkline.services.composition import Services

PREFIX = "/admin"

BEARER = HTTPBearer(
    auto_error=False,
    scheme_name="adminBearer",
    description="The admin token: TRUNKLINE_ADMIN_TOKEN, or the one `trunkline serve` prints.",
)
"""The admin API's security scheme: every admin operation references it in the OpenAPI document,
so Swagger UI's Authorize button covers the admin API. It only reads the header; the check is
``require_admin``'s, so a missing token gets the admin envelope, not FastAPI's own 403."""


def require_admin(
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)] = None,
) -> Services:
    services: Services = request.app.state.services
    expected = str(request.app.state.admin_token).encode()
    given = bearer.credentials.encode() if bearer is not None else b""
    if bearer is None or not hmac.compare_digest(given, expected):
        raise AuthenticationFailed(
            "admin token missing or wrong (Authorization: Bearer <TRUNKLINE_ADMIN_TOKEN>)"
        )
    for name, value in request.path_params.items():
        # No id holds a control character, and PostgreSQL would fail a query with NUL (a 500).
        if isinstance(value, str) and has_control(value):
            raise NotFound(f"no {name} contains a control character", parameter=name)
    return services


Admin = Annotated[Services, Depends(require_admin)]
"""A route's services, once the admin token is checked."""

RowId = Annotated[int, Path(ge=1, le=MAX_STORED, description="A positive 64-bit id.")]
"""An id in a path: one past 64 bits would overflow the database, so it is a 400 before any query."""


def _text_only(document: Any) -> Any:
    where = control_in_document(document)
    if where is not None:
        raise ValueError(f"{where} contains a control character")
    return document


Document = Annotated[dict[str, Any], Body(), AfterValidator(_text_only)]
"""A free-form JSON body (a scenario, a traffic spec) whose text holds no control character."""


class AdminBody(BaseModel):
    """The base of every admin request model: no text in it holds a control character (NUL would
    make PostgreSQL fail the request with a 500, and no field means to carry one)."""

    @model_validator(mode="before")
    @classmethod
    def _no_control_characters(cls, data: Any) -> Any:
        return _text_only(data)
