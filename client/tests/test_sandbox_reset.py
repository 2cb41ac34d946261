"""``sandbox.reset``'s requests, on a local httpx MockTransport: today's reset, and ``everything``,
which names the client's own account when none is given."""

from __future__ import annotations

import asyncio
import json

import httpx

from trunkline_client import AsyncTrunkline, Trunkline

ANSWER = {"calls_deleted": 0, "generators_stopped": 0, "clock": {"mode": "virtual", "now_ms": 0}}


def _recorder() -> tuple[list[dict[str, object]], httpx.MockTransport]:
    bodies: list[dict[str, object]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/admin/reset"
        assert request.headers["authorization"] == "Bearer admin"
        bodies.append(json.loads(request.content or b"{}"))
        return httpx.Response(200, json=ANSWER)

    return bodies, httpx.MockTransport(handler)


def test_reset_bodies_sync() -> None:
    bodies, transport = _recorder()
    with Trunkline(
        "acme", "key", "token", base_url="http://trunkline.test", admin_token="admin",
        http_client=httpx.Client(transport=transport),
    ) as client:  # fmt: skip
        assert client.sandbox.reset() == ANSWER
        client.sandbox.reset("other")
        client.sandbox.reset(everything=True)
        client.sandbox.reset("other", everything=True)
    assert bodies == [
        {},
        {"account_sid": "other"},
        {"account_sid": "acme", "everything": True},
        {"account_sid": "other", "everything": True},
    ]


def test_reset_bodies_async() -> None:
    bodies, transport = _recorder()

    async def main() -> None:
        async with AsyncTrunkline(
            "acme", "key", "token", base_url="http://trunkline.test", admin_token="admin",
            http_client=httpx.AsyncClient(transport=transport),
        ) as client:  # fmt: skip
            await client.sandbox.reset()
            await client.sandbox.reset(everything=True)

    asyncio.run(main())
    assert bodies == [{}, {"account_sid": "acme", "everything": True}]
