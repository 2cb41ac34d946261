"""Recording files copied from another server (``trunkline sync --recordings``), kept for good.

The rendered files (``files.py``) are a cache: their bytes are a pure function of the recording's
row, so they can be made again. A synced recording's bytes are the source's, and the source's
retention drops them, so they are data: they live in their own directory
(``TRUNKLINE_RECORDINGS_ARCHIVE_DIR``), never in the cache, and the server serves them in place of
rendering one.

Layout: ``<dir>/<AccountSid>/<CallSid>.mp3`` with a sidecar ``<CallSid>.json`` holding the size,
SHA-256, media type and the source's ETag. The audio is written to a temporary file and renamed into
place, then the sidecar likewise, so a file is held only once both are whole: a download killed
midway leaves nothing that counts, and the next run fetches it again. A file is held when its size
is the sidecar's; a later run skips it without a request.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from trunkline.engine.recordings.files import RecordingFile, safe_name


@dataclass(frozen=True, slots=True)
class HeldFile:
    size: int
    sha256: str
    media_type: str
    source_etag: str | None


class HeldRecordings:
    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)

    def _paths(self, account_sid: str, call_sid: str) -> tuple[Path, Path]:
        folder = self.directory / safe_name(account_sid)
        name = safe_name(call_sid)
        return folder / f"{name}.mp3", folder / f"{name}.json"

    def held(self, account_sid: str, call_sid: str) -> HeldFile | None:
        """The file's record when the whole file is here (its size is the sidecar's), else None."""
        audio, sidecar = self._paths(account_sid, call_sid)
        try:
            meta = json.loads(sidecar.read_text(encoding="utf-8"))
            found = HeldFile(
                int(meta["size"]), str(meta["sha256"]), str(meta["media_type"]), meta.get("etag")
            )
            if audio.stat().st_size != found.size:
                return None
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return found

    def file(self, account_sid: str, call_sid: str) -> RecordingFile | None:
        """The held file to serve, or None (the server then renders one as for any recording)."""
        found = self.held(account_sid, call_sid)
        if found is None:
            return None
        audio, _ = self._paths(account_sid, call_sid)
        return RecordingFile(audio, found.media_type, f'"{found.sha256[:32]}"')

    def store(
        self,
        account_sid: str,
        call_sid: str,
        chunks: Iterable[bytes],
        *,
        media_type: str,
        source_etag: str | None,
    ) -> HeldFile:
        """Write the file from ``chunks`` (streamed: memory stays flat), then its sidecar. Blocking."""
        audio, sidecar = self._paths(account_sid, call_sid)
        audio.parent.mkdir(parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        fd, temp = tempfile.mkstemp(dir=audio.parent, prefix=f".{audio.name}.", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in chunks:
                    out.write(chunk)
                    digest.update(chunk)
                    size += len(chunk)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temp, audio)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        found = HeldFile(size, digest.hexdigest(), media_type, source_etag)
        meta = {"size": size, "sha256": found.sha256, "media_type": media_type, "etag": source_etag}
        fd, temp = tempfile.mkstemp(dir=audio.parent, prefix=f".{sidecar.name}.", suffix=".part")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(meta, out)
        os.replace(temp, sidecar)
        return found
