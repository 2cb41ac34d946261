"""``trunkline sync``: pull an account's call history from another Exotel v1 server (Exotel, or a
Trunkline) into this store. Thin: ``SyncService`` walks the windows and stores the pages; this module
reads the options and draws the progress bar (history covered, with an ETA) on stderr."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

from trunkline.cli.common import DatabaseUrlOption, fail, services_of
from trunkline.domain.calls.bulk_filters import DAY_MS
from trunkline.domain.errors import TrunklineError
from trunkline.services.archive.export import parse_when

_err = Console(stderr=True)


def sync_command(
    source_url: Annotated[
        str, typer.Option("--from", help="Base URL of the source: https://api.exotel.com, or a Trunkline.")
    ],
    account: Annotated[str, typer.Option("--account", help="The account SID at the source.")],
    api_key: Annotated[str, typer.Option("--api-key", help="API key of the source account.")],
    api_token: Annotated[str, typer.Option("--api-token", help="API token of the source account.")],
    since: Annotated[
        str | None,
        typer.Option(
            "--since", help="Start from this date (IST); default: as far back as the source allows."
        ),
    ] = None,
    into_account: Annotated[
        str | None,
        typer.Option("--into-account", help="The local account to store the calls in (default: --account)."),
    ] = None,
    recordings: Annotated[
        bool,
        typer.Option(
            "--recordings",
            help="Also copy each call's recording file, kept in TRUNKLINE_RECORDINGS_ARCHIVE_DIR and served "
            "by the local server. Covers the calls this run fetches: add --since to reach older ones.",
        ),
    ] = False,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Copy an account's finished calls (with legs) from a v1 source into this store; run it again to
    fetch what is new or changed, or to resume a run that was stopped."""
    # Here, not at the top: the HTTP client and the recordings encoder are for this command alone
    # (services/commands.py says why every command imports only what it runs).
    from trunkline.services.archive.source import V1Source
    from trunkline.services.archive.sync import SyncReport, SyncRequest

    services = services_of(database_url)
    settings = services.settings
    source = V1Source(
        source_url,
        account,
        api_key,
        api_token,
        requests_per_minute=settings.sync_requests_per_minute,
        max_retries=settings.sync_max_retries,
        timeout_s=settings.sync_timeout_seconds,
    )
    progress = Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=_err,
    )
    try:
        request = SyncRequest(
            source,
            into_account or account,
            since_ms=None if since is None else parse_when("since", since),
            page_size=settings.sync_page_size,
            lookback_ms=settings.sync_lookback_hours * DAY_MS // 24,
            recordings=recordings,
            downloads=settings.sync_recording_downloads,
        )
        with progress:
            task = progress.add_task(f"Syncing {account}", total=None)

            def shown(report: SyncReport) -> None:
                progress.update(
                    task,
                    total=report.span_ms,
                    completed=report.covered_ms,
                    description=f"Syncing {account}: {report.fetched:,} calls",
                )

            report = services.sync.run(request, on_page=shown)
    except TrunklineError as exc:
        raise fail(exc.message) from None
    finally:
        source.close()
        services.close()
    typer.echo(
        f"Synced {report.fetched:,} calls from {source.base_url} into {into_account or account}: "
        f"{report.inserted:,} new, {report.updated:,} updated, {report.unchanged:,} unchanged"
        + (f", {report.refused:,} refused (Sid held by another account)" if report.refused else "")
        + (
            f"; recordings: {report.recordings_downloaded:,} downloaded, {report.recordings_held:,} already "
            f"held, {report.recordings_missing:,} gone from the source"
            if recordings
            else ""
        )
        + f"; {source.requests} requests, {source.rate_limited} rate-limited"
        + (" (resumed)" if report.resumed else "")
        + "."
    )
