"""Pulling an account's history from another Exotel v1 server into this store (``trunkline sync``),
so the calls outlive the source's retention window.

The bulk list shows finished calls only, in DateCreated windows of at most 31 days, no further back
than about six months. A run walks those windows, oldest first, from ``since`` (default: as far back
as the source allows) to now, each window page by page (``SortBy=DateCreated:asc``, following
``NextPageUri``). Each page's calls are stored by Sid (``CallWrites.upsert_finished``: new ones
inserted, changed ones updated) in one transaction with the run's position (``sync_state``), so:

- a killed run resumes at the page after the last one stored (the source's cursors are signed with
  its own lasting key, so a ``NextPageUri`` stays good across its restarts);
- a later run starts again from the newest call it holds, less a look-back (at least a day) for calls
  that were still live or unsettled last time; a re-run over unchanged calls stores nothing.

With ``recordings``, each page's recording files (the calls' ``RecordingUrl``) are downloaded before
the page is stored, ``downloads`` at a time, into the kept recordings (``engine.recordings.held``);
a call whose file is held gets the local ``recording_path``, so the local server's RecordingUrl
points at itself and serves the same bytes. A file already held (whole, its size as recorded) is not
fetched again; a run killed mid-page fetches that page again on resume, and its missing files.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

from trunkline.domain.calls.bulk_filters import DAY_MS
from trunkline.domain.calls.model import Call
from trunkline.domain.clock import ms_to_ist, now_ms
from trunkline.domain.errors import InvalidParameter
from trunkline.engine.recordings.held import HeldRecordings
from trunkline.services.accounts import AccountService
from trunkline.services.archive.source import V1Source
from trunkline.services.archive.v1_calls import call_from_v1
from trunkline.store.call_writes import CallWrites
from trunkline.store.database import Database
from trunkline.store.sync_state import SyncPosition, SyncStateStore

WINDOW_MS = 31 * DAY_MS
"""The widest DateCreated window the bulk list takes."""
SOURCE_MAX_AGE_MS = 182 * DAY_MS
"""How far back a run reaches by default: the bulk list refuses windows older than about six months
(183 days on Trunkline); a day's margin keeps a slow first request inside it."""


@dataclass
class SyncReport:
    """What a run did; ``covered_ms``/``span_ms`` is how far through the history it is."""

    span_ms: int = 0
    covered_ms: int = 0
    pages: int = 0
    fetched: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: int = 0
    recordings_downloaded: int = 0
    recordings_held: int = 0
    """Files already kept from an earlier run: not fetched again."""
    recordings_missing: int = 0
    """RecordingUrls the source no longer serves (404/410)."""
    resumed: bool = False
    windows: list[tuple[int, int]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class SyncRequest:
    source: V1Source
    into_account: str
    since_ms: int | None = None
    page_size: int = 100
    lookback_ms: int = DAY_MS
    recordings: bool = False
    """Also copy the recording files (``--recordings``)."""
    downloads: int = 4
    """Recording files fetched at once."""


def recording_path(account_sid: str, call_sid: str) -> str:
    """A synced call's local ``recording_path``: the path the local server serves its file at."""
    return f"exotelrecordings/{account_sid}/{call_sid}.mp3"


class SyncService:
    def __init__(
        self, db: Database, accounts: AccountService, writes: CallWrites, held: HeldRecordings
    ) -> None:
        self._db, self._accounts, self._writes = db, accounts, writes
        self._states = SyncStateStore(db)
        self._held = held

    def position(self, account_sid: str, source_url: str, source_account: str) -> SyncPosition | None:
        account = self._accounts.get(account_sid)
        return self._states.find(account.id, source_url.rstrip("/"), source_account)

    def run(self, request: SyncRequest, on_page: Callable[[SyncReport], None] | None = None) -> SyncReport:
        """Walk the windows (see the module docstring); ``on_page`` is called after each stored page."""
        account = self._accounts.get(request.into_account)
        source = request.source
        if request.lookback_ms < DAY_MS:
            raise InvalidParameter("the look-back must be at least a day", parameter="lookback")
        now = now_ms()
        floor = now - SOURCE_MAX_AGE_MS
        state = self._states.find(account.id, source.base_url, source.account_sid) or SyncPosition(
            account.id, source.base_url, source.account_sid
        )
        report = SyncReport()
        next_page, resume_end = None, None
        if request.since_ms is not None:
            start = request.since_ms
        elif state.window_start is not None:
            start, next_page, report.resumed = state.window_start, state.next_page, True
            resume_end = state.window_end
        elif state.newest_ms is not None:
            start = state.newest_ms - request.lookback_ms
        else:
            start = floor
        start = max(start, floor) // 1000 * 1000  # v1 dates have whole seconds
        report.span_ms = max(1, now - start)
        newest = state.newest_ms
        while start <= now:
            # ``lte`` names a whole second and takes it in: the window is exactly 31 days at most.
            end = min(start + WINDOW_MS - 1000, now)
            if resume_end is not None:  # the interrupted window, as its NextPageUri has it
                end, resume_end = resume_end, None
            report.windows.append((start, end))
            params = [
                ("DateCreated", f"gte:{ms_to_ist(start)};lte:{ms_to_ist(end)}"),
                ("PageSize", str(request.page_size)),
                ("SortBy", "DateCreated:asc"),
                ("details", "true"),
            ]
            while True:
                body = source.next_page(next_page) if next_page else source.list_page(params)
                records = [call_from_v1(item, account.sid) for item in body["Calls"]]
                records = self._with_recordings(request, body["Calls"], records, report)
                found = body.get("Metadata")
                metadata: dict[str, Any] = found if isinstance(found, dict) else {}
                next_page = (metadata.get("NextPageUri") or None) if records else None
                if records:
                    newest = max(newest or 0, max(call.date_created for call in records))
                with self._db.write() as conn:
                    done = self._writes.upsert_finished(conn, account.id, records)
                    position = SyncPosition(
                        account.id, source.base_url, source.account_sid, start, end, next_page, newest
                    )
                    if next_page is None and end >= now:
                        position = SyncPosition(
                            account.id, source.base_url, source.account_sid, newest_ms=newest, finished_at=now
                        )
                    elif next_page is None:
                        position = SyncPosition(
                            account.id, source.base_url, source.account_sid, end + 1000, None, None, newest
                        )
                    SyncStateStore.save(conn, position)
                report.pages += 1
                report.fetched += len(records)
                report.inserted += done.inserted
                report.updated += done.updated
                report.unchanged += done.unchanged
                report.refused += done.refused
                reached = records[-1].date_created if next_page and records else end
                report.covered_ms = min(
                    report.span_ms, max(report.covered_ms, reached - (now - report.span_ms))
                )
                if on_page is not None:
                    on_page(report)
                if next_page is None:
                    break
            start = end + 1000
        report.covered_ms = report.span_ms
        return report

    def _with_recordings(
        self, request: SyncRequest, items: list[Any], records: list[Call], report: SyncReport
    ) -> list[Call]:
        """``records`` with the local ``recording_path`` of every call whose file is held, after
        downloading the page's missing files when asked to (``request.downloads`` at a time)."""
        account = records[0].account_sid if records else ""
        urls = {
            call.sid: str(item.get("RecordingUrl") or "").strip()
            for item, call in zip(items, records, strict=True)
        }
        wanted = [sid for sid, url in urls.items() if url]
        held = {sid for sid in wanted if self._held.held(account, sid) is not None}
        report.recordings_held += len(held) if request.recordings else 0
        missing = [sid for sid in wanted if sid not in held] if request.recordings else []
        if missing:
            source = request.source

            def fetch(sid: str) -> bool:
                def keep(chunks: Any, media_type: str, etag: str | None) -> bool:
                    self._held.store(account, sid, chunks, media_type=media_type, source_etag=etag)
                    return True

                return source.download(urls[sid], keep) is not None

            with ThreadPoolExecutor(max_workers=max(1, request.downloads)) as pool:
                fetched = dict(zip(missing, pool.map(fetch, missing), strict=True))
            for sid, ok in fetched.items():
                if ok:
                    held.add(sid)
                    report.recordings_downloaded += 1
                else:
                    report.recordings_missing += 1
        return [
            replace(call, recording_path=recording_path(account, call.sid)) if call.sid in held else call
            for call in records
        ]
