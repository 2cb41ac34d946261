"""What every admin route shares: the prefix and the bearer-token check that hands a route the
server's services."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from trunkline.domain.errors import AuthenticationFailed
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
    return services


Admin = Annotated[Services, Depends(require_admin)]
"""A route's services, once the admin token is checked."""
