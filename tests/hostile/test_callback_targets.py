"""Callbacks and Passthru requests cannot be aimed at internal services when the server is
exposed: private targets are refused by default on a non-loopback bind, every IPv6 form that
embeds an IPv4 address is judged by that address, and a connection goes to the address checked."""

from __future__ import annotations

import asyncio
import ipaddress
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.support.calls_api import ADMIN, connect
from tests.support.factories import make_account
from tests.support.live_server import LiveServer, start_server
from tests.support.receiver import Receiver
from trunkline.config import Settings
from trunkline.engine.webhooks import target_policy
from trunkline.engine.webhooks.pinned import pinned_to, pinned_transport
from trunkline.engine.webhooks.target_policy import address_kind

REFUSED = {
    "6to4 of 10/8": "2002:a00:1::1",
    "6to4 of metadata": "2002:a9fe:a9fe::",
    "6to4 of loopback": "2002:7f00:1::",
    "NAT64 of 192.168/16": "64:ff9b::c0a8:101",
    "NAT64 of metadata": "64:ff9b::169.254.169.254",
    "local-use NAT64": "64:ff9b:1::5db8:d822",
    "IPv4-mapped loopback": "::ffff:127.0.0.1",
    "IPv4-mapped metadata": "::ffff:169.254.169.254",
    "IPv4-compatible 10/8": "::10.0.0.1",
    "IPv4-translated 10/8": "::ffff:0:10.0.0.1",
    "Teredo client 10/8": "2001:0:4136:e378:8000:63bf:f5ff:fffe",
    "Teredo server 192.168/16": "2001:0:c0a8:101::1",
    "ISATAP 10/8": "2001:db8::5efe:10.0.0.1",
    "ISATAP public-bit 172.16/12": "2606:4700::200:5efe:172.16.0.1",
    "plain metadata": "169.254.169.254",
    "plain loopback v6": "::1",
}
ALLOWED = {
    "6to4 of a public address": "2002:5db8:d822::1",
    "NAT64 of a public address": "64:ff9b::93.184.216.34",
    "public IPv6": "2606:4700:4700::1111",
    "public IPv4": "93.184.216.34",
}


@pytest.mark.parametrize("address", REFUSED.values(), ids=REFUSED.keys())
def test_an_address_embedding_a_private_ipv4_is_refused(address: str) -> None:
    assert address_kind(ipaddress.ip_address(address)) is not None


@pytest.mark.parametrize("address", ALLOWED.values(), ids=ALLOWED.keys())
def test_a_public_address_is_allowed(address: str) -> None:
    assert address_kind(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize(
    ("host", "given", "allowed"),
    [
        ("127.0.0.1", None, True),
        ("localhost", None, True),
        ("::1", None, True),
        ("0.0.0.0", None, False),
        ("::", None, False),
        ("192.168.1.20", None, False),
        ("0.0.0.0", True, True),
        ("127.0.0.1", False, False),
    ],
)
def test_private_targets_are_allowed_by_default_only_on_a_loopback_bind(
    host: str, given: bool | None, allowed: bool
) -> None:
    assert Settings(host=host, webhook_allow_private=given).callbacks_allow_private() is allowed


@pytest.fixture
def exposed(database_factory, monkeypatch: pytest.MonkeyPatch) -> Iterator[LiveServer]:  # type: ignore[no-untyped-def]
    """A server configured to bind every address (it listens on 127.0.0.1 in tests), with the
    guard left at its default, and a resolver that gives internal addresses (never real DNS)."""
    names = {"hooks.example.test": ["10.1.2.3"], "rebind.example.test": ["2002:a9fe:a9fe::1"]}

    async def resolve(host: str, port: int) -> list[str]:
        if host not in names:
            raise OSError(f"{host}: unknown name (test resolver)")
        return names[host]

    monkeypatch.setattr(target_policy, "resolve", resolve)
    live = start_server(
        database_factory("sqlite", "exposed"),
        host="0.0.0.0",
        rate_limit_per_minute=0,
        clock="virtual",
        settle_delay_seconds=0,
    )
    yield live
    live.stop()


def test_an_exposed_server_refuses_a_literal_private_callback(exposed: LiveServer) -> None:
    account = make_account(exposed.db)
    with httpx.Client(base_url=exposed.base_url, timeout=30) as client:
        for url in ["http://169.254.169.254/latest", "http://10.0.0.5/cb", "http://[2002:a00:1::1]/cb"]:
            response = connect(client, account, From="+919876543210", To="+919812345678", StatusCallback=url)
            assert response.status_code == 400, response.text
            assert "public address" in response.json()["RestException"]["Message"]


@pytest.mark.parametrize("name", ["hooks.example.test", "rebind.example.test"])
def test_a_callback_to_a_name_resolving_to_a_private_address_is_refused(
    exposed: LiveServer, name: str
) -> None:
    account = make_account(exposed.db)
    with httpx.Client(base_url=exposed.base_url, timeout=30) as client:
        response = connect(
            client, account, From="+919876543210", To="+919812345678", StatusCallback=f"http://{name}/cb"
        )
        assert response.status_code == 200, response.text
        sid = response.json()["Call"]["Sid"]
        client.post("/admin/clock/advance", json={"seconds": 3600}, headers=ADMIN)
        deadline = time.monotonic() + 15
        while True:
            deliveries = client.get(f"/admin/calls/{sid}/webhooks", headers=ADMIN).json()["deliveries"]
            errors = [a.get("error") or "" for d in deliveries for a in d.get("attempts", [])]
            if any("refused by policy" in e for e in errors) or time.monotonic() > deadline:
                break
            time.sleep(0.1)
    assert any("refused by policy" in e and "resolves to" in e for e in errors), deliveries


def test_a_pinned_connection_goes_to_the_checked_address_with_the_original_host() -> None:
    """The name does not resolve at all: the request arrives only because the connection goes to
    the pinned address, and it still says which host it is for."""
    receiver = Receiver()
    try:

        async def send() -> int:
            async with httpx.AsyncClient(
                transport=pinned_transport(httpx.Limits()), trust_env=False
            ) as client:
                with pinned_to("nowhere.example.test", "127.0.0.1"):
                    response = await client.post(
                        f"http://nowhere.example.test:{receiver.port}/cb", content=b"x"
                    )
                return response.status_code

        assert asyncio.run(send()) == 200
        (received,) = receiver.wait_for(1)
        assert received.headers["host"] == f"nowhere.example.test:{receiver.port}"
    finally:
        receiver.close()
