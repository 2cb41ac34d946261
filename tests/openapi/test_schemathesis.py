"""A bounded schemathesis run against /openapi.json on both backends (issue 13, the hostile hour,
item 7): no request gives a 5xx, and every answer conforms to the document (status, content type,
headers, body). A few requests per operation, so the whole run takes well under a minute."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis import checks

from tests.support.calls_api import ADMIN
from tests.support.factories import AccountFixture, make_account
from tests.support.live_server import LiveServer

EXAMPLES_PER_OPERATION = 6
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
]


@pytest.fixture
def admin_targets(server: LiveServer, account: AccountFixture) -> Iterator[Callable[[str], AccountFixture]]:
    """An account of each admin operation's own. The admin operations delete accounts and delete or
    rotate credentials: run on the account the dialect operations use, they left it unable to sign
    in, so every later dialect request was a 401 (slow, on purpose) that never reached a handler.
    After the run, the dialects' account must still sign in."""
    made: dict[str, AccountFixture] = {}

    def target(operation: str) -> AccountFixture:
        if operation not in made:
            made[operation] = make_account(server.db)
        return made[operation]

    yield target
    still = httpx.get(
        f"{server.base_url}/v1/Accounts/{account.sid}/Calls.json", auth=account.auth, timeout=30
    )
    assert still.status_code == 200, "the run disabled the account the dialect operations use"


@pytest.fixture
def api_schema(server: LiveServer) -> Any:
    document = httpx.get(f"{server.base_url}/openapi.json", timeout=30).json()
    return schemathesis.openapi.from_dict(document)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_every_operation_conforms_and_never_fails(
    case: schemathesis.Case,
    server: LiveServer,
    account: AccountFixture,
    admin_targets: Callable[[str], AccountFixture],
) -> None:
    admin = case.path.startswith("/admin/")
    if "account_sid" in (case.path_parameters or {}):
        # past authentication, into the handlers
        target = admin_targets(case.operation.label) if admin else account
        case.path_parameters["account_sid"] = target.sid
    if admin:
        headers = dict(ADMIN)
    else:
        token = httpx.BasicAuth(account.api_key, account.api_token)
        headers = {"Authorization": token._auth_header}
    writes = case.method.upper() in ("POST", "PUT", "PATCH", "DELETE")
    if writes and case.path.startswith(("/admin/reset", "/admin/clock")):
        pytest.skip("resets and clock moves would disturb the other tests on this shared server")
    if not (writes and case.path == "/admin/scenario"):
        case.call_and_validate(base_url=server.base_url, headers=headers, checks=CHECKS, timeout=30)
        return
    # A generated scenario would change the outcome of every later call on this shared server: put
    # the one it had back.
    before = httpx.get(f"{server.base_url}/admin/scenario", headers=ADMIN, timeout=30).json()
    try:
        case.call_and_validate(base_url=server.base_url, headers=headers, checks=CHECKS, timeout=30)
    finally:
        restored = httpx.put(f"{server.base_url}/admin/scenario", json=before, headers=ADMIN, timeout=30)
        assert restored.status_code == 200, restored.text
