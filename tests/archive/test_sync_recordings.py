"""``trunkline sync --recordings``: the recording files come across too, are kept for good, and the
local server serves them (its own RecordingUrl, the source's bytes)."""

from __future__ import annotations

import json
import secrets
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import httpx
import pytest
from typer.testing import CliRunner

from tests.support.factories import AccountFixture, make_account, make_call
from tests.support.live_server import LiveServer, start_server
from trunkline.cli.main import app
from trunkline.domain.calls.model import Call
from trunkline.services.commands import CommandServices
from trunkline.store.database import Database


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _recorded(account: AccountFixture, minutes_ago: float) -> Call:
    """A finished call with a recording (the source renders its file on first request)."""
    sid = secrets.token_hex(16)
    path = f"exotelrecordings/{account.sid}/{sid}.mp3"
    return make_call(account, minutes_ago=minutes_ago, sid=sid, recording_path=path)


def _server(db: Database, **settings: object) -> LiveServer:
    """A live server whose RecordingUrls name the port it really listens on."""
    port = _free_port()
    return start_server(
        db, port=port, public_url=f"http://127.0.0.1:{port}", rate_limit_per_minute=0, **settings
    )


@pytest.fixture
def source(tmp_path: Path) -> Iterator[tuple[LiveServer, AccountFixture, list[str]]]:
    db = Database(f"sqlite:///{tmp_path / 'source.db'}")
    db.migrate()
    account = make_account(db)
    calls = [_recorded(account, 30 + i * 90) for i in range(4)]
    calls += [make_call(account, minutes_ago=30 + i * 90) for i in range(4, 6)]
    recorded = [c.sid for c in calls[:4]]
    account.add_calls(*calls)
    server = _server(db)
    yield server, account, recorded
    server.stop()
    db.dispose()


def _sync(store: Database, server: LiveServer, account: AccountFixture, archive: Path, *more: str):  # type: ignore[no-untyped-def]
    args = ["sync", "--from", server.base_url, "--account", account.sid, "--api-key", account.api_key]
    args += ["--api-token", account.api_token, "--database-url", store.url, "--recordings", *more]
    env = {"TRUNKLINE_SYNC_PAGE_SIZE": "2", "TRUNKLINE_RECORDINGS_ARCHIVE_DIR": str(archive)}
    return CliRunner().invoke(app, args, env=env)


def _details(base: str, account: AccountFixture, sid: str, auth: tuple[str, str]) -> dict:  # type: ignore[type-arg]
    answer = httpx.get(f"{base}/v1/Accounts/{account.sid}/Calls/{sid}.json", auth=auth, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()["Call"]  # type: ignore[no-any-return]


def test_sync_copies_recordings_and_the_local_server_plays_the_same_bytes(
    store: Database, source, tmp_path: Path
) -> None:
    server, account, recorded = source
    archive = tmp_path / "kept"
    _, credential = CommandServices.over(store).accounts.create(account.sid)
    mine = (credential.api_key, credential.api_token)
    first = _sync(store, server, account, archive)
    assert first.exit_code == 0, first.output
    assert "6 new" in first.output
    assert "recordings: 4 downloaded, 0 already held, 0 gone from the source" in first.output

    local = _server(store, recordings_archive_dir=str(archive))
    try:
        for sid in recorded:
            there = _details(server.base_url, account, sid, account.auth)["RecordingUrl"]
            here = _details(local.base_url, account, sid, mine)["RecordingUrl"]
            assert there.startswith(server.base_url) and here.startswith(local.base_url)
            original = httpx.get(there, auth=account.auth, timeout=30)
            copy = httpx.get(here, auth=mine, timeout=30)
            assert original.status_code == copy.status_code == 200
            assert copy.content == original.content and len(copy.content) > 1000
            assert copy.headers["content-type"] == "audio/mpeg"
            part = httpx.get(here, auth=mine, headers={"Range": "bytes=10-19"}, timeout=30)
            assert part.status_code == 206 and part.content == original.content[10:20]
        unrecorded = set(_all_sids(store)) - set(recorded)
        for sid in unrecorded:
            assert _details(local.base_url, account, sid, mine)["RecordingUrl"] in ("", None)
    finally:
        local.stop()

    # Idempotent: a run over the same calls downloads nothing again.
    again = _sync(store, server, account, archive, "--since", "2000-01-01")
    assert again.exit_code == 0, again.output
    assert "0 new, 0 updated" in again.output
    assert "recordings: 0 downloaded, 4 already held" in again.output


def test_a_file_lost_or_cut_short_is_fetched_again(store: Database, source, tmp_path: Path) -> None:
    server, account, recorded = source
    archive = tmp_path / "kept"
    CommandServices.over(store).accounts.create(account.sid)
    assert _sync(store, server, account, archive).exit_code == 0
    files = sorted((archive / account.sid).glob("*.mp3"))
    assert len(files) == 4
    whole = files[0].read_bytes()
    files[0].write_bytes(whole[:100])  # a torn copy: its size is not the recorded one
    (archive / account.sid / f"{files[1].stem}.json").unlink()  # killed before its sidecar
    again = _sync(store, server, account, archive, "--since", "2000-01-01")
    assert again.exit_code == 0, again.output
    assert "recordings: 2 downloaded, 2 already held" in again.output
    assert files[0].read_bytes() == whole


class _LimitedSource(BaseHTTPRequestHandler):
    """A v1 source whose recording answers 429 (Retry-After: 0) twice before the file."""

    refusals = 2
    audio = bytes(range(256)) * 40
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.hits.append(self.path)
        host = f"http://127.0.0.1:{self.server.server_address[1]}"
        if "/Calls.json" in self.path:
            call = {
                "Sid": "a" * 32, "DateCreated": "2025-01-15 10:00:00", "DateUpdated": "2025-01-15 10:01:00",
                "From": "09876543210", "To": "09812345678", "PhoneNumberSid": "08047112233",
                "Status": "completed", "Direction": "outbound-api", "Duration": 21, "Price": "1.5",
                "StartTime": "2025-01-15 10:00:01", "EndTime": "2025-01-15 10:00:22",
                "RecordingUrl": f"{host}/exotelrecordings/src/{'a' * 32}.mp3",
            }  # fmt: skip
            body = json.dumps({"Metadata": {"NextPageUri": ""}, "Calls": [call]}).encode()
            self._answer(200, body, "application/json")
        elif _LimitedSource.refusals > 0:
            _LimitedSource.refusals -= 1
            self._answer(429, b"{}", "application/json", {"Retry-After": "0"})
        else:
            self._answer(200, self.audio, "audio/mpeg")

    def _answer(self, status: int, body: bytes, kind: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in {
            "Content-Type": kind,
            "Content-Length": str(len(body)),
            **(headers or {}),
        }.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_a_rate_limited_recording_is_waited_for_with_retry_after(store: Database, tmp_path: Path) -> None:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _LimitedSource)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{httpd.server_address[1]}"
        CommandServices.over(store).accounts.create("src")
        args = ["sync", "--from", base, "--account", "src", "--api-key", "k", "--api-token", "t"]
        args += ["--database-url", store.url, "--recordings", "--since", "2025-01-01"]
        result = CliRunner().invoke(
            app, args, env={"TRUNKLINE_RECORDINGS_ARCHIVE_DIR": str(tmp_path / "kept")}
        )
        assert result.exit_code == 0, result.output
        assert "recordings: 1 downloaded" in result.output
        assert int(result.output.split(" rate-limited")[0].rsplit(" ", 1)[-1]) == 2
        assert (tmp_path / "kept" / "src" / f"{'a' * 32}.mp3").read_bytes() == _LimitedSource.audio
    finally:
        httpd.shutdown()
        httpd.server_close()


def _all_sids(store: Database) -> list[str]:
    from sqlalchemy import select

    from trunkline.store.schema.calls import calls

    with store.read() as conn:
        return [row[0] for row in conn.execute(select(calls.c.sid))]
