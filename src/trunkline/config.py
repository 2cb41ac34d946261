"""Every setting of Trunkline, declared once.

Each field is also the environment variable ``TRUNKLINE_<NAME>``; the CLI options of
``trunkline serve`` override them. ``docs/configuration.md`` lists them and a test
fails when a setting is missing there.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from typing import Literal, Self

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TRUNKLINE_", extra="ignore")

    database_url: str = Field(
        "sqlite:///trunkline.db",
        description="SQLAlchemy URL of the call store: a SQLite path (sqlite:///file.db) or a PostgreSQL "
        "URL (postgresql://user:pass@host/db). Migrations are applied on start.",
    )
    host: str = Field("127.0.0.1", description="Address `trunkline serve` binds to.")
    port: int = Field(8000, description="Port `trunkline serve` listens on.")
    public_url: str = Field(
        "",
        description="Base URL clients reach this server at; used to build RecordingUrl and signed links. "
        "When empty, the address the server binds (127.0.0.1 for a wildcard bind such as 0.0.0.0) and "
        "its port; set it when clients reach the server through another name or a proxy.",
    )
    rate_limit_per_minute: int = Field(
        200,
        ge=0,
        description="Requests per minute per account on the v1 API (Exotel's limit); 0 turns it off.",
    )
    login_failures_per_minute: int = Field(
        30,
        ge=1,
        description="Failed logins allowed per client address and per API key, as a bucket of this many "
        "that refills over a minute; past it, logins not already verified get a 429 with Retry-After, "
        "unhashed. See docs/accounts.md.",
    )
    trusted_proxies: str = Field(
        "",
        description="Comma-separated addresses or networks (CIDR) of reverse proxies whose "
        "X-Forwarded-For names the client, for the failed-login limit. Empty (the default): the "
        "connecting address is the client, and X-Forwarded-For is ignored.",
    )
    secret_key: str | None = Field(
        None,
        description="Key that signs pagination cursors and recording links. When unset, a random key is "
        "generated once and kept in the database, so cursors survive restarts.",
    )
    demo_account: bool = Field(
        True,
        description="Create the `demo` account on start and print its credentials. "
        "Turn off on shared servers.",
    )
    log_level: str = Field("info", description="Log level: debug, info, warning or error.")
    default_list_window_days: int = Field(
        31,
        ge=1,
        description="Days searched by the bulk call list when DateCreated is not given (Exotel: 31).",
    )
    max_record_age_days: int = Field(
        183, ge=1, description="Oldest records the bulk call list may query, in days (Exotel: 6 months)."
    )

    # --- the call engine and the simulated network ---
    clock: Literal["real", "virtual"] = Field(
        "real",
        description="Network clock: `real` follows the wall clock (sped up by time_scale); `virtual` "
        "stands still until advanced through the admin API or `trunkline clock advance`.",
    )
    time_scale: float = Field(
        1.0, gt=0, description="With the real clock, run the network this many times faster than real time."
    )
    network_seed: int = Field(
        0,
        description="Seed of the simulated network's outcomes: the same seed, calls and scenario give "
        "the same results.",
    )
    scenario_file: str | None = Field(
        None,
        description="JSON file of network scenario rules loaded on start (replaces the stored scenario). "
        "See docs/simulated-network.md.",
    )
    default_ring_timeout_seconds: int = Field(
        30, ge=1, le=60, description="How long each leg rings when a connect request gives no TimeOut."
    )
    settle_delay_seconds: int = Field(
        120,
        ge=0,
        description="Seconds after a call ends before its Duration and Price are set (Exotel: about two "
        "minutes); 0 sets them at once.",
    )
    call_rates: dict[str, float] = Field(
        default_factory=lambda: {"+91": 0.5, "": 1.2},
        description='Price per minute by destination prefix (E.164, longest prefix wins; "" is the '
        "fallback), charged per started billing pulse of each answered leg. JSON in the environment.",
    )
    billing_pulse_seconds: int = Field(60, ge=1, description="Length of one billing pulse in seconds.")
    engine_batch_size: int = Field(
        500, ge=1, description="Calls the engine advances per database transaction."
    )
    worker_threads: int = Field(
        8,
        ge=1,
        le=256,
        description="Threads that run store work off the event loop (anyio's default is 40). Each "
        "one can hold a database connection, so this bounds the server's memory under load.",
    )
    admin_token: str | None = Field(
        None,
        description="Bearer token of the admin API (/admin/…). When unset, one is generated at start "
        "and printed.",
    )
    # --- recordings ---
    recordings_dir: str = Field(
        "",
        description="Directory of rendered recording files (relative paths are from the working "
        "directory). When empty, the user's cache directory: $XDG_CACHE_HOME/trunkline/recordings, "
        "else ~/.cache/trunkline/recordings. A file is rendered on its first request and reused; the "
        "directory is a cache and may be deleted at any time. See docs/recordings.md.",
    )
    recordings_archive_dir: str = Field(
        "",
        description="Directory of the recording files `trunkline sync --recordings` copies from its "
        "source, which the server then serves in place of rendering one. Unlike TRUNKLINE_RECORDINGS_DIR "
        "this is data, not a cache: keep it with the store. When empty, the user's data directory: "
        "$XDG_DATA_HOME/trunkline/recordings, else ~/.local/share/trunkline/recordings.",
    )
    # --- export and sync (docs/archive.md) ---
    export_batch_size: int = Field(
        10_000,
        ge=100,
        le=200_000,
        description="Calls `trunkline calls export` gathers into one Parquet row group (as compact Arrow "
        "columns; the store is read 2,000 calls at a time); memory grows with it, not with the store.",
    )
    sync_requests_per_minute: int = Field(
        180,
        ge=1,
        description="Requests per minute `trunkline sync` sends to its source (Exotel allows 200); a 429's "
        "Retry-After is honoured as well.",
    )
    sync_lookback_hours: int = Field(
        24,
        ge=24,
        description="How far before the newest call it holds a later `trunkline sync` starts again, so calls "
        "still live or unsettled at the last run are fetched again (at least a day).",
    )
    sync_page_size: int = Field(
        100,
        ge=1,
        le=100,
        description="Calls per bulk-list page `trunkline sync` asks for (v1's maximum: 100).",
    )
    sync_max_retries: int = Field(
        8,
        ge=0,
        description="Retries of one request after a 429, a 5xx or a broken connection before "
        "`trunkline sync` stops (it resumes from there on its next run).",
    )
    sync_recording_downloads: int = Field(
        4,
        ge=1,
        le=32,
        description="Recording files `trunkline sync --recordings` downloads at once (each request still "
        "keeps to TRUNKLINE_SYNC_REQUESTS_PER_MINUTE).",
    )
    sync_timeout_seconds: float = Field(
        30.0, gt=0, description="How long `trunkline sync` waits for one answer from its source."
    )
    # --- status callbacks ---
    webhook_timeout_seconds: float = Field(
        15.0, gt=0, description="How long a status-callback receiver has to answer (Exotel: 15 s)."
    )
    webhook_retries: int = Field(
        2, ge=0, description="Retries after a failed status-callback delivery (Exotel: 2)."
    )
    webhook_backoff_seconds: float = Field(
        10.0,
        ge=0,
        description="Wait before the first retry; each further retry waits three times longer.",
    )
    webhook_allow_private: bool | None = Field(
        None,
        description="Allow status callbacks and Passthru requests to loopback, private and metadata "
        "addresses. Unset: allowed while the server binds a loopback address (a local sandbox), "
        "refused when it binds any other (exposed), so callbacks cannot reach internal services.",
    )

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies_parse(cls, value: str) -> str:
        """Refuse a proxy list with a typo at start, not at the first forwarded request."""
        for part in value.split(","):
            if part.strip():
                ipaddress.ip_network(part.strip(), strict=False)  # ValueError names the bad entry
        return value

    def callbacks_allow_private(self) -> bool:
        """``webhook_allow_private`` as set, else whether the server binds only a loopback address."""
        if self.webhook_allow_private is not None:
            return self.webhook_allow_private
        return _is_loopback(self.host)


    @model_validator(mode="after")
    def _fill_defaults(self) -> Self:
        """Settings whose default depends on others or on the user's environment."""
        if not self.public_url:
            self.public_url = base_url(self.host, self.port)
        self.public_url = self.public_url.rstrip("/")
        if not self.recordings_dir:
            self.recordings_dir = str(default_recordings_dir())
        if not self.recordings_archive_dir:
            self.recordings_archive_dir = str(default_recordings_archive_dir())
        return self



def _is_loopback(host: str) -> bool:
    """Whether a bind address is loopback only (``localhost``, 127/8, ``::1``); a wildcard or any
    other address exposes the server."""
    name = host.strip().strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False  # a name that resolves to who knows what: treat as exposed



WILDCARD_HOSTS = frozenset({"0.0.0.0", "::", ""})


def base_url(host: str, port: int) -> str:
    """The URL a client on this machine reaches a server bound to ``host:port`` at: a wildcard
    bind is reached through 127.0.0.1 (there is no better guess; ``public_url`` says otherwise)."""
    if host in WILDCARD_HOSTS:
        host = "127.0.0.1"
    if ":" in host:  # an IPv6 literal
        host = f"[{host}]"
    return f"http://{host}:{port}"


def default_recordings_dir() -> Path:
    """The user's cache directory, not the working one: a server started anywhere leaves no
    folder behind. Files are named by a digest of everything their bytes depend on, so stores
    can share it."""
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "trunkline" / "recordings"


def default_recordings_archive_dir() -> Path:
    """The user's data directory: synced recordings are kept, unlike the rendered cache."""
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data) / "trunkline" / "recordings"
