"""Every setting of Trunkline, declared once.

Each field is also the environment variable ``TRUNKLINE_<NAME>``; the CLI options of
``trunkline serve`` override them. ``docs/configuration.md`` lists them and a test
fails when a setting is missing there.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal, Self

from pydantic import Field, model_validator
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
    webhook_allow_private: bool = Field(
        True,
        description="Allow status callbacks to loopback and private addresses (sandbox use). Turn off "
        "on shared deployments so callbacks cannot reach internal services.",
    )

    @model_validator(mode="after")
    def _fill_defaults(self) -> Self:
        """Settings whose default depends on others or on the user's environment."""
        if not self.public_url:
            self.public_url = base_url(self.host, self.port)
        self.public_url = self.public_url.rstrip("/")
        if not self.recordings_dir:
            self.recordings_dir = str(default_recordings_dir())
        return self


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
