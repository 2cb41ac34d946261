"""Recording files on disk, under ``TRUNKLINE_RECORDINGS_DIR``.

A file is rendered the first time it is asked for, then kept and reused. Not ahead of time: a
seeded history holds hundreds of thousands of recordings nobody will play, most sandbox calls'
recordings are never fetched, and the bytes are a pure function of the recording's row, so a file
can always be made again (deleting the directory is safe). The cost moves to the first request:
0.1–0.3 s for a minute of call, 3–12 s for an hour (BENCHMARKS.md).

Each file is named after its recording and a digest of everything its bytes depend on
(``<recordings_dir>/<AccountSid>/<CallSid>.<digest>.mp3``), so a changed encoder or length never
serves a stale file. Rendering writes a temporary file in the same directory and renames it into
place, so a reader sees either no file or a whole one. Concurrent requests for one file in this
process share a single render; several processes may each render it, and since the bytes are
identical the last rename wins harmlessly. At most ``RENDERS_AT_ONCE`` renders run together, in
worker threads, so the event loop keeps serving.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import anyio.to_thread

from trunkline.domain.recordings import encoding
from trunkline.domain.recordings.render import RecordingAudio, cache_key, media_type, render
from trunkline.store.recordings import Recording

log = logging.getLogger("trunkline.recordings")

RENDERS_AT_ONCE = 2
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


class HeldSource(Protocol):
    """Where kept copies of recordings are looked up (``held.HeldRecordings``)."""

    def file(self, account_sid: str, call_sid: str) -> RecordingFile | None: ...


@dataclass(frozen=True, slots=True)
class RecordingFile:
    path: Path
    media_type: str
    etag: str
    """A strong ETag: the digest in the file name, quoted."""


def audio_of(recording: Recording) -> RecordingAudio:
    return RecordingAudio(
        recording.call_sid, recording.kind, recording.channels, recording.format, recording.duration_ms
    )


class RecordingFiles:
    def __init__(
        self, directory: str | os.PathLike[str], *, mp3: bool | None = None, held: HeldSource | None = None
    ) -> None:
        """``mp3=False`` forces the WAV fallback (tests); ``None`` uses MP3 when lameenc is there.
        ``held``: files copied from another server (``held.py``), served in place of a rendering."""
        self.directory = Path(directory)
        self.held = held
        self._mp3 = encoding.mp3_available() if mp3 is None else mp3
        self._pending: dict[Path, asyncio.Future[RecordingFile]] = {}
        self._renders: asyncio.Semaphore | None = None

    def file_for(self, recording: Recording) -> RecordingFile:
        """Where the recording's file lives (whether or not it is rendered yet)."""
        codec = encoding.codec_name(mp3=self._mp3)
        digest = cache_key(audio_of(recording), codec)
        folder, name = safe_name(recording.account_sid), safe_name(recording.call_sid)
        path = self.directory / folder / f"{name}.{digest}.{codec}"
        return RecordingFile(path, media_type(codec), f'"{digest}"')

    def ensure(self, recording: Recording) -> RecordingFile:
        """The recording's file, rendered now if it is not on disk yet. Blocking."""
        if self.held is not None and (kept := self.held.file(recording.account_sid, recording.call_sid)):
            return kept
        file = self.file_for(recording)
        if _is_whole(file.path):
            return file
        file.path.parent.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        fd, temp = tempfile.mkstemp(dir=file.path.parent, prefix=f".{file.path.name}.", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as out:
                for piece in render(audio_of(recording), mp3=self._mp3):
                    out.write(piece)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temp, file.path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        log.info(
            "rendered recording",
            extra={
                "call_sid": recording.call_sid,
                "duration_ms": recording.duration_ms,
                "channels": recording.channels,
                "format": recording.format,
                "seconds": round(time.perf_counter() - started, 3),
            },
        )
        return file

    async def get(self, recording: Recording) -> RecordingFile:
        """``ensure`` off the event loop; concurrent callers for one file share one render, which
        finishes even when the request that started it goes away."""
        if self.held is not None:
            kept = await anyio.to_thread.run_sync(self.held.file, recording.account_sid, recording.call_sid)
            if kept is not None:
                return kept
        file = self.file_for(recording)
        if await anyio.to_thread.run_sync(_is_whole, file.path):
            return file
        pending = self._pending.get(file.path)
        if pending is None:
            pending = asyncio.ensure_future(self._render_limited(recording))
            self._pending[file.path] = pending
            pending.add_done_callback(lambda done: self._finished(file.path, done))
        return await asyncio.shield(pending)

    def _finished(self, path: Path, done: asyncio.Future[RecordingFile]) -> None:
        self._pending.pop(path, None)
        if not done.cancelled() and done.exception() is not None:
            log.error("rendering a recording failed", exc_info=done.exception(), extra={"path": str(path)})

    async def _render_limited(self, recording: Recording) -> RecordingFile:
        if self._renders is None:
            self._renders = asyncio.Semaphore(RENDERS_AT_ONCE)
        async with self._renders:
            return await anyio.to_thread.run_sync(self.ensure, recording)


def _is_whole(path: Path) -> bool:
    """A finished file: renames make it appear whole; an empty one (a crash's leftover) is redone."""
    try:
        return path.stat().st_size > 0
    except OSError:
        return False


def safe_name(name: str) -> str:
    """A file-system-safe name: Sids are (letters, digits, '_', '-'); anything else is hashed."""
    if _SAFE_NAME.match(name):
        return name
    return "x" + hashlib.sha256(name.encode()).hexdigest()[:32]
