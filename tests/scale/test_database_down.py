"""While PostgreSQL is down every dialect answers a clean 503 in its own envelope (with
Retry-After), never a 500 or a reset connection; once it is back, the same requests succeed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.factories import make_account
from tests.support.live_server import ADMIN_TOKEN
from tests.support.openapi_conformance import conformance_check
from tests.support.pg_cluster import PostgresCluster, find_bindir
from tests.support.serve_process import ServeProcess, cli_env, start_serve
from trunkline.store.database import Database


@pytest.fixture
def own_cluster() -> Iterator[PostgresCluster]:
    """A cluster of this test's own, since the test stops it."""
    bindir = find_bindir()
    if bindir is None:
        pytest.skip("PostgreSQL binaries not installed")
    cluster = PostgresCluster(bindir)
    cluster.start()
    yield cluster
    cluster.stop()


def test_every_dialect_answers_503_while_the_database_is_down(
    own_cluster: PostgresCluster, tmp_path: Path
) -> None:
    db = Database(own_cluster.url("trunkline"))
    db.migrate()
    account = make_account(db)
    db.dispose()
    workdir = tmp_path / "serve"
    workdir.mkdir()
    env = cli_env(
        workdir,
        TRUNKLINE_DATABASE_URL=db.url,
        TRUNKLINE_ADMIN_TOKEN=ADMIN_TOKEN,
        TRUNKLINE_DEMO_ACCOUNT="false",
    )
    served: ServeProcess = start_serve(workdir, env=env)
    sid = "0" * 32
    requests = {
        "v1 list": ("GET", f"/v1/Accounts/{account.sid}/Calls.json", account.auth),
        "v1 details": ("GET", f"/v1/Accounts/{account.sid}/Calls/{sid}.json", account.auth),
        "ccm": ("GET", f"/v2/accounts/{account.sid}/calls/{sid}", account.auth),
        "fone": ("GET", f"/v2/Accounts/{account.sid}/Calls", account.auth),
        "admin": ("GET", "/admin/clock", None),
    }
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    try:
        hooks = {"response": [conformance_check(served.base_url)]}  # the 503s are as documented
        with httpx.Client(base_url=served.base_url, timeout=30, event_hooks=hooks) as http:
            before = {
                name: http.request(m, p, auth=a, headers=admin).status_code
                for name, (m, p, a) in requests.items()
            }
            assert all(status < 500 for status in before.values()), before
            own_cluster.pause()
            answers = {
                name: http.request(m, p, auth=a, headers=admin) for name, (m, p, a) in requests.items()
            }
            for name, answer in answers.items():
                assert answer.status_code == 503, (name, answer.text)
                assert answer.headers["Retry-After"] == "1", name
            assert answers["v1 list"].json()["RestException"]["Status"] == 503
            assert answers["v1 details"].json()["RestException"]["Status"] == 503
            assert answers["ccm"].json()["response"]["error_data"]["code"] == 503
            assert answers["fone"].json()["ResponseStatus"]["ErrorCode"] == "SERVICE_UNAVAILABLE"
            assert answers["admin"].json()["error"]["code"] == "service-unavailable"
            own_cluster.resume()
            after = {
                name: http.request(m, p, auth=a, headers=admin).status_code
                for name, (m, p, a) in requests.items()
            }
            assert after == before
    finally:
        served.stop()
    assert "Traceback" not in served.log_path.read_text()  # one warning line per failure, no 500
