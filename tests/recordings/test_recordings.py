"""Recording files through HTTP, on both stores: a recorded call's RecordingUrl plays — the MP3
decodes to the conversation's length with the asked-for channels — with the account's
credentials or a pre-signed link, byte ranges work, and no odd request gets a 500."""

from __future__ import annotations

import io
import socket
import threading
import time
import wave
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import httpx
import miniaudio
import pytest

from tests.support.calls_api import ANSWER, STAYS, advance, details, place
from tests.support.factories import AccountFixture, make_account, make_call
from tests.support.live_server import LiveServer
from trunkline.domain.recordings.encoding import MP3_FRAME_SAMPLES
from trunkline.domain.recordings.signed_links import presign
from trunkline.engine.recordings.files import RecordingFiles

TALKS_45_S = "+919999910045"  # answers after 2 s, hangs up 45 s later: a 45-second conversation
RATES = {"mp3": 8000, "mp3-hq": 16000}


def _recorded_call(client: httpx.Client, account: AccountFixture, **params: str) -> dict[str, object]:
    """A call recorded with ``params`` that talked for 45 s and has ended."""
    call = place(client, account, From=STAYS, To=TALKS_45_S, Record="true", **params)
    advance(client, 60)
    done = details(client, account, call["Sid"])
    # On PostgreSQL the engine's own loop may hold the call (SKIP LOCKED) while the advance
    # request drains; it finishes it a moment later.
    deadline = time.monotonic() + 10
    while done["Status"] == "in-progress" and time.monotonic() < deadline:
        time.sleep(0.05)
        done = details(client, account, call["Sid"])
    assert done["Status"] == "completed" and done["Details"]["ConversationDuration"] == 45
    return done


def _path(url: object) -> str:
    """The path (and query) of a RecordingUrl: public_url points elsewhere than the test server."""
    assert isinstance(url, str) and url
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _fetch(client: httpx.Client, account: AccountFixture, path: str, **kwargs: object) -> httpx.Response:
    return client.get(path, auth=account.auth, **kwargs)  # type: ignore[arg-type]


def _assert_rest_exception(response: httpx.Response, status: int) -> None:
    assert response.status_code == status, response.text[:300]
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["RestException"]["Status"] == status


@pytest.mark.parametrize("recording_format", ["mp3", "mp3-hq"])
@pytest.mark.parametrize("channels", ["single", "dual"])
def test_given_a_recorded_call_when_get_recording_url_then_an_mp3_of_the_conversation(
    engine_client: httpx.Client, engine_account: AccountFixture, channels: str, recording_format: str
) -> None:
    done = _recorded_call(
        engine_client, engine_account, RecordingChannels=channels, RecordingFormat=recording_format
    )
    path = _path(done["RecordingUrl"])
    assert path == f"/exotelrecordings/{engine_account.sid}/{done['Sid']}.mp3"

    response = _fetch(engine_client, engine_account, path)

    assert response.status_code == 200
    assert response.headers["content-type"] == "audio/mpeg"
    assert int(response.headers["content-length"]) == len(response.content)
    assert response.headers["accept-ranges"] == "bytes"
    decoded = miniaudio.mp3_read_s16(response.content)
    assert decoded.sample_rate == RATES[recording_format]
    assert decoded.nchannels == (2 if channels == "dual" else 1)
    seconds = decoded.num_frames / decoded.sample_rate
    frame_s = MP3_FRAME_SAMPLES / decoded.sample_rate
    assert 45.0 - frame_s <= seconds <= 45.0 + 2 * frame_s
    samples = decoded.samples
    if channels == "dual":  # two people: both sides speak
        assert max(map(abs, samples[0::2])) > 2000 and max(map(abs, samples[1::2])) > 2000
    else:
        assert max(map(abs, samples)) > 2000


def test_given_a_file_once_rendered_when_fetched_again_then_the_same_file_is_served(
    engine_client: httpx.Client, engine_account: AccountFixture, engine_server: LiveServer
) -> None:
    done = _recorded_call(engine_client, engine_account)
    path = _path(done["RecordingUrl"])
    first = _fetch(engine_client, engine_account, path)
    files = list((engine_server.services.recordings.files.directory / engine_account.sid).iterdir())
    assert [f.name.split(".")[0] for f in files] == [done["Sid"]]
    written = files[0].stat().st_mtime_ns
    second = _fetch(engine_client, engine_account, path)
    assert second.content == first.content and second.headers["etag"] == first.headers["etag"]
    assert files[0].stat().st_mtime_ns == written
    assert (
        engine_client.get(
            path, auth=engine_account.auth, headers={"If-None-Match": first.headers["etag"]}
        ).status_code
        == 304
    )


def test_given_many_first_requests_at_once_then_one_whole_file_for_all(
    engine_server: LiveServer, engine_account: AccountFixture, engine_client: httpx.Client
) -> None:
    done = _recorded_call(engine_client, engine_account, RecordingChannels="dual", RecordingFormat="mp3-hq")
    path = _path(done["RecordingUrl"])

    def get(_: int) -> bytes:
        with httpx.Client(base_url=engine_server.base_url, timeout=60) as own:
            response = own.get(path, auth=engine_account.auth)
            assert response.status_code == 200
            return response.content

    with ThreadPoolExecutor(8) as pool:
        bodies = set(pool.map(get, range(8)))
    assert len(bodies) == 1
    names = [
        f.name for f in (engine_server.services.recordings.files.directory / engine_account.sid).iterdir()
    ]
    assert len(names) == 1 and not names[0].endswith(".part")


def test_given_a_presigned_link_then_it_serves_without_credentials_until_it_expires(
    engine_client: httpx.Client, engine_account: AccountFixture, engine_server: LiveServer
) -> None:
    done = _recorded_call(engine_client, engine_account)
    sid = done["Sid"]
    with_auth = _fetch(engine_client, engine_account, _path(done["RecordingUrl"])).content
    linked = engine_client.get(
        f"/v1/Accounts/{engine_account.sid}/Calls/{sid}.json",
        params={"RecordingUrlValidity": 5},
        auth=engine_account.auth,
    ).json()["Call"]["PreSignedRecordingUrl"]

    response = engine_client.get(_path(linked))
    assert response.status_code == 200 and response.content == with_auth

    # The link's expiry is wall time: sign one that has just expired with the server's key.
    file_path = f"exotelrecordings/{engine_account.sid}/{sid}.mp3"
    expired = presign(engine_server.services.recordings.signing_key, "", file_path, int(time.time()) - 1)
    _assert_rest_exception(engine_client.get(expired), 403)
    assert engine_client.get(expired, auth=engine_account.auth).status_code == 200  # credentials still work
    still_valid = presign(engine_server.services.recordings.signing_key, "", file_path, int(time.time()) + 30)
    assert engine_client.get(still_valid).status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "Expires={future}&Signature=00000000000000000000000000000000",
        "Expires={future}&Signature={signature}x",
        "Expires={later}&Signature={signature}",
        "Expires=soon&Signature={signature}",
        "Expires=-1&Signature={signature}",
        "Expires=" + "9" * 5000 + "&Signature={signature}",
        "Expires=1e9&Signature={signature}",
        "Expires={future}&Signature=%C3%A9%C3%A9",
        "Expires={future}",
        "Signature={signature}",
    ],
)
def test_given_a_forged_or_malformed_link_when_get_then_403(
    engine_client: httpx.Client, engine_account: AccountFixture, engine_server: LiveServer, query: str
) -> None:
    (call,) = engine_account.add_calls(make_call(engine_account, conversation_duration=3))
    file_path = f"exotelrecordings/{engine_account.sid}/{call.sid}.mp3"
    future = int(time.time()) + 600
    signature = presign(engine_server.services.recordings.signing_key, "", file_path, future).rsplit("=", 1)[
        1
    ]
    query = query.format(future=future, later=future + 1, signature=signature)
    _assert_rest_exception(engine_client.get(f"/{file_path}?{query}"), 403)


def test_given_credentials_of_another_account_then_403_and_its_own_path_404(
    engine_client: httpx.Client, engine_account: AccountFixture, engine_server: LiveServer
) -> None:
    done = _recorded_call(engine_client, engine_account)
    path = _path(done["RecordingUrl"])
    other = make_account(engine_server.db)
    _assert_rest_exception(engine_client.get(path, auth=other.auth), 403)
    _assert_rest_exception(
        engine_client.get(f"/exotelrecordings/{other.sid}/{done['Sid']}.mp3", auth=other.auth), 404
    )
    # The legacy form, account SID as the user name, works as on v1.
    assert engine_client.get(path, auth=(engine_account.sid, engine_account.api_token)).status_code == 200


def test_given_no_or_wrong_credentials_then_401(
    engine_client: httpx.Client, engine_account: AccountFixture
) -> None:
    done = _recorded_call(engine_client, engine_account)
    path = _path(done["RecordingUrl"])
    response = engine_client.get(path)
    _assert_rest_exception(response, 401)
    assert response.headers["www-authenticate"].startswith("Basic")
    _assert_rest_exception(engine_client.get(path, auth=(engine_account.api_key, "wrong")), 401)


def test_given_unknown_recordings_then_404(
    engine_client: httpx.Client, engine_account: AccountFixture
) -> None:
    (unrecorded,) = engine_account.add_calls(make_call(engine_account))
    for name in ("0" * 32, unrecorded.sid, "nosuchcall"):
        _assert_rest_exception(
            _fetch(engine_client, engine_account, f"/exotelrecordings/{engine_account.sid}/{name}.mp3"), 404
        )
    # A call still ringing has no recording yet either.
    ringing = place(engine_client, engine_account, From=ANSWER, To=STAYS, Record="true")
    _assert_rest_exception(
        _fetch(engine_client, engine_account, f"/exotelrecordings/{engine_account.sid}/{ringing['Sid']}.mp3"),
        404,
    )


def test_given_a_range_request_then_206_with_those_bytes(
    engine_client: httpx.Client, engine_account: AccountFixture
) -> None:
    done = _recorded_call(engine_client, engine_account, RecordingChannels="dual")
    path = _path(done["RecordingUrl"])
    whole = _fetch(engine_client, engine_account, path).content
    size = len(whole)

    middle = _fetch(engine_client, engine_account, path, headers={"Range": "bytes=100-1123"})
    assert middle.status_code == 206
    assert middle.content == whole[100:1124]
    assert middle.headers["content-range"] == f"bytes 100-1123/{size}"
    assert middle.headers["content-length"] == "1024"

    tail = _fetch(engine_client, engine_account, path, headers={"Range": "bytes=-500"})
    assert tail.status_code == 206 and tail.content == whole[-500:]
    rest = _fetch(engine_client, engine_account, path, headers={"Range": f"bytes={size - 10}-"})
    assert rest.status_code == 206 and rest.content == whole[-10:]
    beyond_end = _fetch(
        engine_client, engine_account, path, headers={"Range": f"bytes={size - 10}-{size * 2}"}
    )
    assert beyond_end.status_code == 206 and beyond_end.content == whole[-10:]

    past = _fetch(engine_client, engine_account, path, headers={"Range": f"bytes={size}-"})
    _assert_rest_exception(past, 416)
    assert past.headers["content-range"] == f"bytes */{size}"
    _assert_rest_exception(
        _fetch(engine_client, engine_account, path, headers={"Range": "bytes=" + "9" * 30 + "-"}), 416
    )

    # Unparseable, other units, several ranges or a stale If-Range: the whole file.
    for header in (
        {"Range": "bytes=abc"},
        {"Range": "items=0-10"},
        {"Range": "bytes=0-1,5-9"},
        {"Range": "bytes=20-10"},
        {"Range": "bytes=0-10", "If-Range": '"stale"'},
    ):
        response = _fetch(engine_client, engine_account, path, headers=header)
        assert response.status_code == 200 and response.content == whole, header


def test_given_head_then_headers_without_a_body(
    engine_client: httpx.Client, engine_account: AccountFixture
) -> None:
    done = _recorded_call(engine_client, engine_account)
    path = _path(done["RecordingUrl"])
    size = len(_fetch(engine_client, engine_account, path).content)
    response = engine_client.head(path, auth=engine_account.auth)
    assert response.status_code == 200
    assert response.headers["content-length"] == str(size) and response.content == b""
    ranged = engine_client.head(path, auth=engine_account.auth, headers={"Range": "bytes=0-99"})
    assert ranged.status_code == 206 and ranged.headers["content-length"] == "100"


def test_given_a_seeded_call_with_a_recording_path_then_it_serves_too(
    engine_client: httpx.Client, engine_account: AccountFixture
) -> None:
    """Loaded in bulk (``trunkline seed``): a recording path but no recording row."""
    sid = "cd" * 16
    engine_account.add_calls(
        make_call(
            engine_account,
            sid=sid,
            conversation_duration=8,
            recording_path=f"exotelrecordings/{engine_account.sid}/{sid}.mp3",
        )
    )
    response = _fetch(engine_client, engine_account, f"/exotelrecordings/{engine_account.sid}/{sid}.mp3")
    assert response.status_code == 200
    decoded = miniaudio.mp3_read_s16(response.content)
    assert (decoded.sample_rate, decoded.nchannels) == (8000, 1)
    assert 8.0 <= decoded.num_frames / 8000 <= 8.0 + 2 * MP3_FRAME_SAMPLES / 8000


def test_given_no_mp3_encoder_then_wav_is_served(
    engine_client: httpx.Client, engine_account: AccountFixture, engine_server: LiveServer
) -> None:
    done = _recorded_call(engine_client, engine_account, RecordingChannels="dual")
    recordings = engine_server.services.recordings
    mp3_files = recordings.files
    recordings.files = RecordingFiles(mp3_files.directory, mp3=False)
    try:
        response = _fetch(engine_client, engine_account, _path(done["RecordingUrl"]))
    finally:
        recordings.files = mp3_files
    assert response.status_code == 200
    assert response.headers["content-type"] == "audio/wav"
    with wave.open(io.BytesIO(response.content)) as audio:
        assert (audio.getnchannels(), audio.getframerate(), audio.getnframes()) == (2, 8000, 45 * 8000)


def _raw_status(base_url: str, target: str, authorization: str | None = None) -> tuple[int, bytes]:
    """Send ``target`` byte for byte (no client-side normalisation of ``..`` or escapes)."""
    host, port = urlsplit(base_url).hostname, urlsplit(base_url).port
    assert host and port
    lines = [f"GET {target} HTTP/1.1", f"Host: {host}", "Connection: close"]
    if authorization:
        lines.append(f"Authorization: {authorization}")
    with socket.create_connection((host, port), timeout=30) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


def test_given_odd_paths_and_queries_then_never_a_server_error(
    engine_client: httpx.Client, engine_account: AccountFixture, engine_server: LiveServer
) -> None:
    done = _recorded_call(engine_client, engine_account)
    sid = done["Sid"]
    basic = httpx.BasicAuth(engine_account.api_key, engine_account.api_token)._auth_header
    base = f"/exotelrecordings/{engine_account.sid}"
    targets = [
        f"{base}/..",
        f"{base}/../../etc/passwd",
        f"{base}/..%2F..%2Fetc%2Fpasswd",
        f"{base}/%2e%2e",
        f"/exotelrecordings/../{engine_account.sid}/{sid}.mp3",
        f"/exotelrecordings/..%2F{engine_account.sid}/{sid}.mp3",
        f"{base}/{sid}.mp3%00",
        f"{base}/{sid}.MP3",
        f"{base}/{sid}.wav",
        f"{base}/{sid}",
        f"{base}/.{sid}.mp3",
        f"{base}/{'a' * 5000}.mp3",
        f"{base}/%ff%fe.mp3",
        f"{base}/%E2%82%AC.mp3",
        f"/exotelrecordings/%ff/{sid}.mp3",
        f"/exotelrecordings/{'x' * 300}/{sid}.mp3",
        f"{base}/{sid}.mp3/extra",
        f"{base}/{sid}.mp3?Expires=&Signature=",
        f"{base}/{sid}.mp3?Expires=99999999999999999999999999&Signature=%00",
        f"{base}/{sid}.mp3?Expires[]=1&Signature[]=2",
        "/exotelrecordings/",
        "/exotelrecordings//",
    ]
    for target in targets:
        for authorization in (basic, None, "Basic %%%", "Bearer x"):
            status, body = _raw_status(engine_server.base_url, target, authorization)
            assert status < 500, (target, authorization, status, body[:200])
            if target.startswith("/exotelrecordings/") and status >= 400:
                assert b"RestException" in body or status == 404, (target, body[:200])
    assert engine_client.post(f"{base}/{sid}.mp3", auth=engine_account.auth).status_code == 405
    # None of those left anything outside the recordings directory or broke the real file.
    assert _fetch(engine_client, engine_account, f"{base}/{sid}.mp3").status_code == 200


def test_the_recordings_route_is_documented(engine_client: httpx.Client) -> None:
    paths = engine_client.get("/openapi.json").json()["paths"]
    operation = paths["/exotelrecordings/{account_sid}/{file}"]["get"]
    assert {"Expires", "Signature", "Range"} <= {p["name"] for p in operation["parameters"]}


def test_rendering_does_not_stop_the_server_answering(
    engine_client: httpx.Client, engine_account: AccountFixture, engine_server: LiveServer
) -> None:
    """A half-hour recording renders for a second or more in a worker thread; other requests go on
    being answered meanwhile."""
    sid = "ef" * 16
    engine_account.add_calls(
        make_call(
            engine_account,
            sid=sid,
            conversation_duration=1800,
            recording_path=f"exotelrecordings/{engine_account.sid}/{sid}.mp3",
        )
    )
    result: dict[str, httpx.Response] = {}

    def fetch() -> None:
        with httpx.Client(base_url=engine_server.base_url, timeout=120) as own:
            result["long"] = own.get(
                f"/exotelrecordings/{engine_account.sid}/{sid}.mp3", auth=engine_account.auth
            )

    worker = threading.Thread(target=fetch)
    worker.start()
    time.sleep(0.2)
    slowest = 0.0
    while worker.is_alive():
        started = time.perf_counter()
        assert engine_client.get("/openapi.json").status_code == 200
        slowest = max(slowest, time.perf_counter() - started)
        time.sleep(0.05)
    worker.join()
    assert result["long"].status_code == 200
    assert slowest < 1.0
