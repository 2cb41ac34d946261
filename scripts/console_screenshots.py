"""Screenshots of the console for docs/console.md, taken with Playwright on Debian's chromium.

    PYTHONPATH=src python3 scripts/console_screenshots.py

Starts a server on a throwaway SQLite store (virtual clock), makes an account with a few calls,
signs in and saves one small PNG per page under docs/images/console/. Other pages add an entry to
``SHOTS``.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.console.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.support.factories import make_account  # noqa: E402
from tests.support.live_server import ADMIN_TOKEN, start_server  # noqa: E402
from trunkline.store.database import Database  # noqa: E402

OUT = ROOT / "docs" / "images" / "console"
SHOTS = {
    "signin": "/console/login",
    "calls": "/console/calls",
    "live": "/console/live",
    "overview": "/console/overview",
    "network": "/console/network",
    "flows": "/console/flows",
    "agents": "/console/agents",
    "tracking": "/console/tracking",
}
"""File name -> path (the account is added); the Call page is shot separately, from a call's Sid."""


def main() -> None:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as temp:
        db = Database(f"sqlite:///{temp}/shots.db")
        db.migrate()
        server = start_server(db, clock="virtual", settle_delay_seconds=0)
        account = make_account(db)
        admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
        sids = []
        for i in range(6):
            answer = httpx.post(
                f"{server.base_url}/v1/Accounts/{account.sid}/Calls/connect.json",
                auth=account.auth,
                data={"From": f"+9198765432{i:02d}", "CallerId": account.exophone, "To": "+919812345678"},
            )
            sids.append(answer.json()["Call"]["Sid"])
            httpx.post(f"{server.base_url}/admin/clock/advance", json={"seconds": 90}, headers=admin)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 960, "height": 560})
                page.goto(server.base_url + "/console/login")
                page.screenshot(path=OUT / "signin.png")
                page.fill("#token", ADMIN_TOKEN)
                page.click("#admin-signin button[type=submit]")
                page.wait_for_url("**/console/calls*")
                for name, path in SHOTS.items():
                    if name == "signin":
                        continue
                    page.goto(f"{server.base_url}{path}?account={account.sid}")
                    page.screenshot(path=OUT / f"{name}.png")
                page.goto(f"{server.base_url}/console/calls/{sids[-1]}?account={account.sid}")
                page.screenshot(path=OUT / "call.png")
                browser.close()
        finally:
            server.stop()
    for png in sorted(OUT.glob("*.png")):
        print(f"{png.relative_to(ROOT)}  {png.stat().st_size // 1024} KiB")


if __name__ == "__main__":
    main()
