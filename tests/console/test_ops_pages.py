"""The Overview, Network, Flows, Agents and Call tracking pages over HTTP, as a browser's forms send
them: who may see and change what, errors shown inline with nothing stored, client text escaped."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from tests.console.conftest import csrf_of, http_sign_in
from tests.support.calls_api import ANSWER, BUSY, advance, place
from tests.support.factories import AccountFixture, make_account
from tests.support.live_server import ADMIN_TOKEN, LiveServer
from trunkline.domain.flows.definition import parse_flow

SCRIPT = "<script>alert(1)</script>"
FLOW = """name: "Menu <script>alert(1)</script>"
applets:
  - {id: menu, type: ivr, prompt: Press 1 or 2, branches: {"1": sales, "2": menu}, default: bye}
  - {id: sales, type: connect, numbers: ["+919999900001"], on_no_answer: bye}
  - {id: bye, type: hangup}
"""


@pytest.fixture
def admin(console_server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=console_server.base_url, timeout=30) as http:
        assert http_sign_in(http).status_code == 303
        yield http


@contextmanager
def _as_account(console_server: LiveServer, account: AccountFixture) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=console_server.base_url, timeout=30) as http:
        assert http_sign_in(http, account=account).status_code == 303
        yield http


def _post(http: httpx.Client, page: str, action: str, **fields: str) -> httpx.Response:
    return http.post(action, data={"csrf": csrf_of(http.get(page).text), **fields})


def test_an_account_is_refused_the_network_page_and_its_forms(
    console_server: LiveServer, console_account: AccountFixture
) -> None:
    before = console_server.services.sandbox.scenario().document
    with _as_account(console_server, console_account) as http:
        overview = http.get("/console/overview")
        assert overview.status_code == 200
        assert 'href="/console/network"' not in overview.text
        assert http.get("/console/network").status_code == 403
        token = csrf_of(overview.text)
        for action, fields in (
            ("/console/network/scenario", {"scenario": '{"rules": []}'}),
            ("/console/network/advance", {"seconds": "60"}),
            ("/console/network/reset", {"account": console_account.sid, "confirm": "yes"}),
            ("/console/flows", {"app_id": "x", "flow": FLOW}),
        ):
            assert http.post(action, data={"csrf": token, **fields}).status_code == 403, action
    assert console_server.services.sandbox.scenario().document == before


def test_a_bad_scenario_is_shown_inline_and_changes_nothing(
    console_server: LiveServer, admin: httpx.Client
) -> None:
    before = console_server.services.sandbox.scenario().document
    typed = '{"rules": [{"match": "+9198*", "answer": "often"}]}'
    refused = _post(admin, "/console/network", "/console/network/scenario", scenario=typed)
    assert refused.status_code == 400
    assert 'id="scenario-error"' in refused.text and "rules[0]" in refused.text
    assert "+9198*" in refused.text  # the text as typed, to fix it
    broken = _post(admin, "/console/network", "/console/network/scenario", scenario="rules: [\n  {")
    assert broken.status_code == 400 and "not valid JSON or YAML (line" in broken.text
    assert admin.post("/console/network/scenario", data={"scenario": typed}).status_code == 403  # no CSRF
    assert console_server.services.sandbox.scenario().document == before
    good = "rules:\n  - match: '+9198*'\n    answer: 1\n    busy: 0\n    no_answer: 0\n    fail: 0\n"
    saved = _post(admin, "/console/network", "/console/network/scenario", scenario=good)
    assert saved.status_code == 303 and "done=scenario" in saved.headers["location"]
    assert console_server.services.sandbox.scenario().document["rules"][0]["match"] == "+9198*"
    _post(admin, "/console/network", "/console/network/scenario", scenario='{"rules": []}')


def test_the_clock_advances_and_bad_seconds_are_refused(
    console_server: LiveServer, admin: httpx.Client
) -> None:
    page = admin.get("/console/network")
    assert "+919999900002" in page.text and "is busy" in page.text  # the magic numbers

    def clock() -> dict[str, int]:
        headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
        return httpx.get(f"{console_server.base_url}/admin/clock", headers=headers).json()  # type: ignore[no-any-return]

    for bad in ("soon", "-5", "nan"):
        refused = _post(admin, "/console/network", "/console/network/advance", seconds=bad)
        assert refused.status_code == 400 and 'id="advance-error"' in refused.text
    was = clock()["now_ms"]
    assert _post(admin, "/console/network", "/console/network/advance", seconds="90").status_code == 303
    assert clock()["now_ms"] >= was + 90_000


def test_traffic_starts_shows_progress_and_stops(console_server: LiveServer, admin: httpx.Client) -> None:
    account = make_account(console_server.db)
    page = f"/console/network?account={account.sid}"
    spec = f'{{"exophones": ["{account.exophones[0]}"], "rate_per_minute": 6, "count": 20}}'
    refused = _post(admin, page, f"/console/network/traffic?account={account.sid}", spec=spec)
    assert refused.status_code == 400 and "has no flow" in refused.text
    services = console_server.services
    services.flows.put(account.sid, parse_flow("f", {"applets": [{"id": "bye", "type": "hangup"}]}))
    services.flows.assign(account.sid, account.exophones[0], "f")
    started = _post(admin, page, f"/console/network/traffic?account={account.sid}", spec=spec)
    assert started.status_code == 303
    listed = admin.get(page).text
    generator = services.flows.traffic(account.sid)[0]
    assert f'data-generator="{generator.id}"' in listed and "/ 20" in listed
    stopped = _post(admin, page, f"/console/network/traffic/{generator.id}/stop")
    assert stopped.status_code == 303
    assert services.flows.generator(generator.id).state != "running"
    for missing in ("999999", "99999999999999999999999", "x"):
        assert _post(admin, page, f"/console/network/traffic/{missing}/stop").status_code == 404


def test_reset_deletes_the_accounts_calls(console_server: LiveServer, admin: httpx.Client) -> None:
    account = make_account(console_server.db)
    with httpx.Client(base_url=console_server.base_url, timeout=30) as api:
        place(api, account, From=ANSWER, To=BUSY)
        advance(api, 30)
    page = f"/console/network?account={account.sid}"
    unconfirmed = _post(admin, page, "/console/network/reset", account=account.sid)
    assert unconfirmed.status_code == 400 and "Tick the box" in unconfirmed.text
    assert 'id="kpi-total">1<' in admin.get(f"/console/overview?account={account.sid}&window=24h").text
    reset = _post(admin, page, "/console/network/reset", account=account.sid, confirm="yes")
    assert reset.status_code == 303
    overview = admin.get(f"/console/overview?account={account.sid}&window=24h")
    assert re.search(r'id="kpi-total">0<', overview.text)


def test_flows_are_created_drawn_assigned_and_read_only_for_accounts(
    console_server: LiveServer, admin: httpx.Client
) -> None:
    account = make_account(console_server.db)
    listing = f"/console/flows?account={account.sid}"
    bad = FLOW.replace("on_no_answer: bye", "on_no_answer: nowhere")
    refused = _post(admin, listing, f"/console/flows?account={account.sid}", app_id="menu", flow=bad)
    assert refused.status_code == 400 and "which is not an applet" in refused.text
    assert console_server.services.flows.get(account.sid, "menu") is None
    created = _post(admin, listing, f"/console/flows?account={account.sid}", app_id="menu", flow=FLOW)
    assert created.status_code == 303
    page = admin.get(created.headers["location"]).text
    assert page.count('class="box') == 3
    assert 'data-from="menu" data-to="sales"' in page and 'data-from="menu" data-to="menu"' in page
    assert SCRIPT not in page and "&lt;script&gt;" in page
    assign = _post(
        admin,
        created.headers["location"],
        f"/console/flows/menu/assign?account={account.sid}",
        exophone=account.exophones[0],
    )
    assert assign.status_code == 303
    assert console_server.services.flows.get(account.sid, "menu").exophones == [account.exophones[0]]  # type: ignore[union-attr]
    edit = f"/console/flows/menu?account={account.sid}"
    broken = _post(admin, edit, edit, flow="applets: []")
    assert broken.status_code == 400 and 'id="edit-error"' in broken.text
    with _as_account(console_server, account) as http:
        mine = http.get("/console/flows/menu")
        assert mine.status_code == 200 and "<textarea" not in mine.text and 'class="flow-yaml"' in mine.text
        assert (
            http.post("/console/flows/menu", data={"csrf": csrf_of(mine.text), "flow": FLOW}).status_code
            == 403
        )
        assert http.get("/console/flows/nosuch").status_code == 404


def test_the_overview_draws_a_bar_per_hour_and_refuses_a_bad_window(
    console_server: LiveServer, console_account: AccountFixture
) -> None:
    with httpx.Client(base_url=console_server.base_url, timeout=30) as api:
        for to in (ANSWER, BUSY, ANSWER):
            place(api, console_account, From=ANSWER, To=to)
        advance(api, 200)
    with _as_account(console_server, console_account) as http:
        page = http.get("/console/overview?window=24h")
        assert page.text.count('<g class="bar"') == 24
        assert len(re.findall(r'<rect class="seg seg-completed"', page.text)) >= 1
        assert 'id="kpi-total">3<' in page.text and "66.7 %" in page.text
        assert http.get("/console/overview?window=90d&step=hour").status_code == 400
        assert http.get("/console/overview?window=forever").status_code == 400
        # An account never picks another account.
        other = make_account(console_server.db)
        assert console_account.sid in http.get(f"/console/overview?account={other.sid}").text


def test_agents_and_tracking_are_listed_and_escaped(console_server: LiveServer, admin: httpx.Client) -> None:
    account = make_account(console_server.db)
    services = console_server.services
    services.agents.create(
        account.sid,
        user_id=None,
        name=f"Asha {SCRIPT}",
        contact_uri="+919876500001",
        device_state="on",
    )
    services.tracking.create_property(account.sid, f"Shop {SCRIPT}", None, ["+918049990001"])
    for path in ("/console/agents", "/console/tracking"):
        page = admin.get(f"{path}?account={account.sid}")
        assert page.status_code == 200
        assert SCRIPT not in page.text and "&lt;script&gt;" in page.text
    assert "+919876500001" in admin.get(f"/console/agents?account={account.sid}").text
    assert "+918049990001" in admin.get(f"/console/tracking?account={account.sid}").text
