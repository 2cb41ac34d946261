"""The Phone page's screenshot for docs/console.md, taken with Playwright on Debian's chromium.

    PYTHONPATH=src python3 scripts/console_phone_screenshot.py

Starts a server on a throwaway SQLite store (virtual clock), makes an account whose ExoPhone answers
with a small IVR flow, holds a number in the Phone page, places a call to it and saves the page with
the call ringing as docs/images/console/phone.png (a few tens of KB). Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.console.conftest import CHROMIUM, CHROMIUM_ARGS, sign_in_account  # noqa: E402
from tests.support.factories import make_account  # noqa: E402
from tests.support.live_server import ADMIN_TOKEN, start_server  # noqa: E402
from trunkline.store.database import Database  # noqa: E402

OUT = ROOT / "docs" / "images" / "console" / "phone.png"
NUMBER = "+917012345678"
FLOW = {
    "name": "Support line",
    "applets": [
        {
            "id": "menu",
            "type": "ivr",
            "prompt": "Press 1 for sales, 2 for support",
            "branches": {"1": "sales", "2": "support"},
        },
        {"id": "sales", "type": "greeting", "text": "Sales"},
        {"id": "support", "type": "greeting", "text": "Support"},
    ],
}


def main() -> None:
    from playwright.sync_api import sync_playwright

    OUT.parent.mkdir(parents=True, exist_ok=True)
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    with tempfile.TemporaryDirectory() as temp:
        db = Database(f"sqlite:///{temp}/shots.db")
        db.migrate()
        server = start_server(db, clock="virtual", settle_delay_seconds=0)
        account = make_account(db)
        try:
            with httpx.Client(base_url=server.base_url, timeout=30) as http:
                http.put(f"/admin/accounts/{account.sid}/flows/support", json=FLOW, headers=admin)
                http.put(
                    f"/admin/accounts/{account.sid}/exophones/{account.exophone}/flow",
                    json={"app_id": "support"},
                    headers=admin,
                )
                with sync_playwright() as playwright:
                    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                    page = browser.new_page(viewport={"width": 800, "height": 600})
                    sign_in_account(page, server.base_url, account)
                    page.goto(server.base_url + "/console/phone")
                    page.fill("#hold-number", NUMBER)
                    page.click("#hold-form button[type=submit]")
                    page.locator("#held li", has_text=NUMBER).wait_for()
                    http.post(
                        f"/v1/Accounts/{account.sid}/Calls/connect.json",
                        auth=account.auth,
                        data={"From": NUMBER, "To": "+919812345678", "CallerId": account.exophone},
                    )
                    http.post("/admin/clock/advance", json={"seconds": 1}, headers=admin)
                    page.locator(".phone-leg button.answer").wait_for()
                    page.screenshot(path=OUT)
                    browser.close()
        finally:
            server.stop()
    print(f"{OUT.relative_to(ROOT)}  {OUT.stat().st_size // 1024} KiB")


if __name__ == "__main__":
    main()
