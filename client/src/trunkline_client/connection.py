"""Where each API lives and how it authenticates, for one SDK client.

Against Trunkline one base URL serves every API. Against the vendors each API has its own host:
Exotel v1 on ``api.exotel.com`` (Mumbai: ``api.in.exotel.com``), CCM on ``ccm-api.exotel.com``
(``ccm-api.in.exotel.com``), Fone Dynamics on ``api.fonedynamics.com`` (docs/api-choices.md §URLs,
§CCM v2). So the CCM and Fone hosts are derived from an Exotel base URL and can be given explicitly.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from enum import StrEnum

import httpx

EXOTEL = "https://api.exotel.com"
EXOTEL_MUMBAI = "https://api.in.exotel.com"
_CCM_HOSTS = {"api.exotel.com": "ccm-api.exotel.com", "api.in.exotel.com": "ccm-api.in.exotel.com"}
FONE_DYNAMICS = "https://api.fonedynamics.com"


class Api(StrEnum):
    """The API a request goes to: it picks the base URL, the credentials and the error envelope."""

    V1 = "v1"
    CCM = "ccm"
    FONE = "fone"
    ADMIN = "admin"


def _ccm_base(base_url: str) -> str:
    url = httpx.URL(base_url)
    host = _CCM_HOSTS.get(url.host)
    return str(url.copy_with(host=host)).rstrip("/") if host else base_url


def _fone_base(base_url: str) -> str:
    return FONE_DYNAMICS if httpx.URL(base_url).host.endswith("exotel.com") else base_url


@dataclass(frozen=True)
class Connection:
    """Credentials and base URLs. Fone Dynamics authenticates as ``AccountSid:Token`` (its docs);
    Exotel as ``api_key:api_token``; the sandbox with a Bearer admin token."""

    account_sid: str
    api_key: str
    api_token: str
    base_url: str = EXOTEL
    ccm_base_url: str | None = None
    fone_base_url: str | None = None
    admin_token: str | None = None

    def base(self, api: Api) -> str:
        if api is Api.CCM:
            return (self.ccm_base_url or _ccm_base(self.base_url)).rstrip("/")
        if api is Api.FONE:
            return (self.fone_base_url or _fone_base(self.base_url)).rstrip("/")
        return self.base_url.rstrip("/")

    def auth_header(self, api: Api) -> str:
        if api is Api.ADMIN:
            if self.admin_token is None:
                raise ValueError("the sandbox controls need admin_token (TRUNKLINE_ADMIN_TOKEN)")
            return f"Bearer {self.admin_token}"
        user = self.account_sid if api is Api.FONE else self.api_key
        pair = f"{user}:{self.api_token}".encode()
        return "Basic " + base64.b64encode(pair).decode("ascii")
