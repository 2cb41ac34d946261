"""What every admin route shares: the prefix and the bearer-token check that hands a route the
server's services."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Header, Request

from trunkline.domain.errors import AuthenticationFailed
from trunkline.services.composition import Services

PREFIX = "/admin"


def require_admin(
    request: Request,
    authorization: Annotated[str | None, Header(description="`Bearer <admin token>`")] = None,
) -> Services:
    services: Services = request.app.state.services
    expected = f"Bearer {request.app.state.admin_token}".encode()
    if authorization is None or not hmac.compare_digest(authorization.encode(), expected):
        raise AuthenticationFailed(
            "admin token missing or wrong (Authorization: Bearer <TRUNKLINE_ADMIN_TOKEN>)"
        )
    return services


Admin = Annotated[Services, Depends(require_admin)]
"""A route's services, once the admin token is checked."""
