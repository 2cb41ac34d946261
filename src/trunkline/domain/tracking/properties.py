"""What a new call-tracking property may be called: one rule for the admin API, the CLI and the
store, so no path stores a Sid that ``/v2/Properties/<sid>/...`` could not name."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from trunkline.domain.client_text import has_control
from trunkline.domain.errors import InvalidParameter

PROPERTY_SID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
"""Letters, digits, ``_`` and ``-``: a path segment as it is, with no escaping."""
NAME_MAX = 200
_SID = re.compile(PROPERTY_SID_PATTERN)


@dataclass(frozen=True, slots=True)
class Property:
    id: int
    account_id: int
    sid: str
    name: str
    created_at: int


def new_property_sid() -> str:
    return "PR" + secrets.token_hex(16)


def check_new_property(name: str, sid: str | None) -> None:
    """Raise ``InvalidParameter`` for a name that is empty, too long or holds a control character,
    or a Sid outside ``PROPERTY_SID_PATTERN`` (None: one is generated)."""
    if not name.strip() or len(name) > NAME_MAX or has_control(name):
        raise InvalidParameter(
            f"name must be 1 to {NAME_MAX} characters without control characters", parameter="name"
        )
    if sid is not None and not _SID.fullmatch(sid):
        raise InvalidParameter("sid must be 1 to 64 letters, digits, '_' or '-'", parameter="sid")
