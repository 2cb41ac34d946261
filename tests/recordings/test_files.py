"""Rendered recording files on disk, and the pure HTTP helpers of the recordings route: a file is
rendered once, whole, under its own name; byte ranges and signed links are parsed safely."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest

from trunkline.api.recordings.params import ByteRange, Unsatisfiable, link_allows, parse_range
from trunkline.domain.recordings.signed_links import presign
from trunkline.engine.recordings.files import RecordingFiles
from trunkline.store.recordings import Recording

SID = "0123456789abcdef0123456789abcdef"


def _recording(**overrides: object) -> Recording:
    values: dict[str, object] = dict(
        account_id=1,
        account_sid="acme",
        call_sid=SID,
        path=f"exotelrecordings/acme/{SID}.mp3",
        kind="conversation",
        channels="single",
        format="mp3",
        duration_ms=5_000,
    )
    values.update(overrides)
    return Recording(**values)  # type: ignore[arg-type]


def test_a_file_is_rendered_once_and_then_reused(tmp_path: Path) -> None:
    files = RecordingFiles(tmp_path)
    first = files.ensure(_recording())
    assert first.path.parent == tmp_path / "acme" and first.path.name.startswith(SID + ".")
    assert first.media_type == "audio/mpeg" and first.path.suffix == ".mp3"
    written = first.path.stat().st_mtime_ns
    assert files.ensure(_recording()) == first
    assert first.path.stat().st_mtime_ns == written


def test_another_length_or_layout_is_another_file(tmp_path: Path) -> None:
    files = RecordingFiles(tmp_path)
    names = {
        files.ensure(_recording(**change)).path
        for change in ({}, {"duration_ms": 6_000}, {"channels": "dual"})
    }
    assert len(names) == 3


def test_an_empty_leftover_is_rendered_again(tmp_path: Path) -> None:
    files = RecordingFiles(tmp_path)
    target = files.file_for(_recording()).path
    target.parent.mkdir(parents=True)
    target.write_bytes(b"")
    assert files.ensure(_recording()).path.stat().st_size > 1000


def test_threads_rendering_one_file_at_once_leave_one_whole_file(tmp_path: Path) -> None:
    files = RecordingFiles(tmp_path)
    recording = _recording(duration_ms=30_000, channels="dual", format="mp3-hq")
    barrier = threading.Barrier(6)
    sizes: list[int] = []

    def render() -> None:
        barrier.wait()
        sizes.append(files.ensure(recording).path.stat().st_size)

    threads = [threading.Thread(target=render) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(sizes)) == 1
    assert [p.name for p in (tmp_path / "acme").iterdir()] == [files.file_for(recording).path.name]


def test_concurrent_requests_in_one_process_share_one_render(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = RecordingFiles(tmp_path)
    renders: list[str] = []
    real_ensure = files.ensure

    def counting_ensure(recording: Recording):  # type: ignore[no-untyped-def]
        renders.append(recording.call_sid)
        return real_ensure(recording)

    monkeypatch.setattr(files, "ensure", counting_ensure)

    async def main() -> set[Path]:
        results = await asyncio.gather(*(files.get(_recording()) for _ in range(10)))
        return {r.path for r in results}

    assert len(asyncio.run(main())) == 1
    assert renders == [SID]


def test_names_that_are_not_sids_are_hashed_into_safe_names(tmp_path: Path) -> None:
    files = RecordingFiles(tmp_path)
    path = files.file_for(_recording(account_sid="../../etc", call_sid="a/b")).path
    assert path.parent.parent == tmp_path and ".." not in path.parts and "/" not in path.name[:-4]


def test_without_lameenc_the_file_is_wav(tmp_path: Path) -> None:
    file = RecordingFiles(tmp_path, mp3=False).ensure(_recording())
    assert file.media_type == "audio/wav" and file.path.suffix == ".wav"
    assert file.path.read_bytes()[:4] == b"RIFF"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("bytes=0-99", ByteRange(0, 99)),
        ("bytes=100-", ByteRange(100, 999)),
        ("bytes=-100", ByteRange(900, 999)),
        ("bytes=-5000", ByteRange(0, 999)),
        ("bytes=990-5000", ByteRange(990, 999)),
        ("Bytes = 5 - 6 ", ByteRange(5, 6)),
        ("bytes=999-999", ByteRange(999, 999)),
        (None, None),
        ("", None),
        ("bytes=", None),
        ("bytes=-", None),
        ("bytes=a-b", None),
        ("bytes=5-1", None),
        ("bytes=0-1,3-4", None),
        ("pages=0-1", None),
        ("bytes=" + "1" * 300 + "-", None),
        ("bytes=0-" + "9" * 40, ByteRange(0, 999)),
    ],
)
def test_range_headers(header: str | None, expected: ByteRange | None) -> None:
    assert parse_range(header, 1000) == expected


@pytest.mark.parametrize("header", ["bytes=1000-", "bytes=5000-6000", "bytes=-0", "bytes=" + "9" * 40 + "-"])
def test_ranges_past_the_end_are_unsatisfiable(header: str) -> None:
    with pytest.raises(Unsatisfiable):
        parse_range(header, 1000)


def test_signed_links_are_valid_until_they_expire_and_only_for_their_path() -> None:
    key, path = b"k" * 32, "exotelrecordings/acme/abc.mp3"
    link = presign(key, "http://x", path, 1_000)
    expires, signature = link.split("?Expires=")[1].split("&Signature=")
    assert link_allows(key, path, expires, signature, now_s=999.5)
    assert link_allows(key, path, expires, signature, now_s=1_000)
    assert not link_allows(key, path, expires, signature, now_s=1_001)
    assert not link_allows(key, "exotelrecordings/acme/abd.mp3", expires, signature, now_s=0)
    assert not link_allows(b"other" * 8, path, expires, signature, now_s=0)
    assert not link_allows(key, path, "1001", signature, now_s=0)
    for bad_expires, bad_signature in [
        (None, signature),
        (expires, None),
        ("", signature),
        ("1e3", signature),
        (" 1000", signature),
        ("9" * 5000, signature),
        (expires, signature.upper()),
        (expires, "é" * 32),
        (expires, signature + "0"),
    ]:
        assert not link_allows(key, path, bad_expires, bad_signature, now_s=0)
