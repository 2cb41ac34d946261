"""Recordings: the recording a path names, its file (rendered on first request), and the key that
signs and checks pre-signed links."""

from __future__ import annotations

from trunkline.engine.recordings.files import RecordingFile, RecordingFiles
from trunkline.services.store_runner import StoreRunner
from trunkline.store.recordings import RecordingStore

__all__ = ["RecordingFile", "RecordingService"]


class RecordingService:
    def __init__(
        self, runner: StoreRunner, store: RecordingStore, files: RecordingFiles, signing_key: bytes
    ) -> None:
        self._runner, self._store = runner, store
        self.files = files
        """Where files are rendered and kept (a test swaps in a WAV-only one)."""
        self.signing_key = signing_key
        """The server's secret: it signs ``PreSignedRecordingUrl`` links and checks them."""

    async def file(self, account_sid: str, path: str) -> RecordingFile | None:
        """The file of the recording at ``path`` (``exotelrecordings/<AccountSid>/<name>``), rendered
        first if needed; None when there is none or it is another account's."""
        recording = await self._runner.read(self._store.find, path)
        if recording is None or recording.account_sid != account_sid:
            return None
        return await self.files.get(recording)
