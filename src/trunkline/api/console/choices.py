"""What the admin chooses among on a page: the accounts (the account viewer never sees the list)."""

from __future__ import annotations

import anyio.to_thread
from starlette.requests import Request

from trunkline.api.console.session import Viewer
from trunkline.api.console.state import console_state


async def account_choices(request: Request, signed_in: Viewer) -> list[str]:
    """Every account's Sid for the admin's picker; nothing for an account viewer."""
    if not signed_in.is_admin:
        return []
    accounts = await anyio.to_thread.run_sync(console_state(request).services.accounts.all)
    return [account.sid for account in accounts]
