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
    # Errors never quote the value given: URLs and tokens hold secrets.
    model_config = SettingsConfigDict(env_prefix="TRUNKLINE_", extra="ignore", hide_input_in_errors=True)

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
    phone_hold_seconds: int = Field(
        15,
        ge=3,
        le=300,
        description="How long the console's Phone holds a number after its page last renewed it (pages "
        "renew every few seconds); once no page holds it, the number is answered by the simulated network.",
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
    workers: int = Field(
        1,
        ge=1,
        le=64,
        description="Server processes `trunkline serve` runs on its one port (PostgreSQL only; SQLite "
        "serves one process). See docs/scaling.md.",
    )
    heartbeat_seconds: float = Field(
        1.0,
        gt=0,
        le=60,
        description="How often each server process on PostgreSQL writes its heartbeat to the process "
        "registry.",
    )
    process_gone_seconds: float = Field(
        5.0,
        gt=0,
        le=600,
        description="A server process whose heartbeat is older than this counts as gone: admin changes "
        "stop waiting for it and a live process takes back its leases (webhook deliveries, Passthru "
        "requests). Keep it several heartbeats long.",
    )
    # --- read replicas (docs/scaling.md) ---
    read_replica_urls: str = Field(
        "",
        description="Comma-separated PostgreSQL URLs of streaming replicas of the database. Reads of "
        "call records (details, bulk lists, Get Calls, CCM details and legs) go to a healthy one, "
        "except an account's reads within read_your_writes_seconds of its last write; everything "
        "else goes to the primary. Empty (the default): every read goes to the primary.",
    )
    read_your_writes_seconds: float = Field(
        3.0,
        gt=0,
        description="For this long after a write of an account's call records (in any process), the "
        "account's reads go to the primary, so a client sees its own writes.",
    )
    replica_max_lag_seconds: float = Field(
        1.0,
        ge=0,
        description="A replica whose replay lags the primary by more than this is skipped until it "
        "catches up (checked twice a second, off the request path). Must be at least 1 s less than "
        "read_your_writes_seconds.",
    )
    admin_token: str | None = Field(
        None,
        description="Bearer token of the admin API (/admin/…). When unset, one is generated at start "
        "and printed.",
    )
    # --- web console ---
    console_session_hours: int = Field(
        12,
        ge=1,
        le=24 * 30,
        description="How long a sign-in to the web console (/console) lasts before the person signs in "
        "again.",
    )
    console_events_poll_ms: int = Field(
        250,
        ge=20,
        le=10_000,
        description="How often the web console's live updates read new call events from the store, in "
        "milliseconds (one read per server process, however many pages are open).",
    )
    # --- running in production (docs/deployment.md) ---
    readiness_max_lag_seconds: float = Field(
        30.0,
        gt=0,
        description="`/readyz` answers 503 when the earliest due work (a call's timer, a webhook "
        "delivery, a Passthru request) is overdue by this many seconds or more: the engine is not "
        "keeping up.",
    )
    shutdown_timeout_seconds: int = Field(
        30,
        ge=0,
        description="On SIGTERM, how long requests in flight may take to finish before they are cut "
        "off; new connections are refused at once. Keep it under your orchestrator's kill timeout.",
    )
    metrics_token: str | None = Field(
        None,
        description="Bearer token `/metrics` asks for. Unset: `/metrics` is open (keep it unreachable "
        "from outside, as on a loopback bind or behind a proxy that does not forward it).",
    )
    access_log: bool = Field(
        False,
        description="Log one line per request (logger `trunkline.access`, level info: method, path, "
        "route, status, duration and the request id). Off by default: a sandbox's terminal stays "
        "quiet, and a reverse proxy usually logs requests already.",
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
        50_000,
        ge=100,
        le=200_000,
        description="Calls `trunkline calls export` gathers into one Parquet row group (as compact Arrow "
        "columns; the store is read 2,000 calls at a time). A larger group holds more while it is "
        "written; a smaller one makes more groups, whose metadata the writer keeps until the file "
        "closes (10,000 took a 10M-call export to 222 MiB; 50,000 holds 166-167 MiB at 1M and at 10M).",
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

    def binds_loopback(self) -> bool:
        """Whether the server listens on a loopback address only (nothing outside this machine
        reaches it)."""
        return _is_loopback(self.host)

    @model_validator(mode="after")
    def _replicas_fit(self) -> Self:
        """PostgreSQL replicas, and a lag bound that keeps read-your-writes: a replica is checked every
        0.5 s and its lag is known to 0.5 s, so one in use may be up to the bound plus 1 s behind;
        the window must cover that."""
        for url in self.replica_urls():
            if not url.startswith(("postgresql", "postgres:")):
                raise ValueError(f"read_replica_urls: not a PostgreSQL URL: ...@{url.split('@')[-1]}")
        if self.replica_max_lag_seconds + 1.0 > self.read_your_writes_seconds:
            raise ValueError(
                "replica_max_lag_seconds must be at least 1 s less than read_your_writes_seconds"
            )
        return self

    def replica_urls(self) -> list[str]:
        return [url.strip() for url in self.read_replica_urls.split(",") if url.strip()]

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
