"""Every setting of Trunkline, declared once.

Each field is also the environment variable ``TRUNKLINE_<NAME>``; the CLI options of
``trunkline serve`` override them. ``docs/configuration.md`` lists them and a test
fails when a setting is missing there.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
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
        "http://127.0.0.1:8000",
        description="Base URL clients reach this server at; used to build RecordingUrl and signed links.",
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


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
