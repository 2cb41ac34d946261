"""The shapes of the recordings route's JSON answers, for the OpenAPI document (TypedDicts: plain
dicts at run time, so describing them costs the file route nothing).

Recordings answer errors as Exotel's storage does, in the v1 ``RestException`` shape; the shape is
declared here rather than borrowed from ``exotel_v1`` so that each dialect folder stands alone."""

from __future__ import annotations

from typing_extensions import TypedDict


class RecordingErrorBody(TypedDict):
    Status: int
    """Equals the HTTP status."""
    Message: str


class RecordingError(TypedDict):
    """Every recordings error: ``{"RestException": {"Status", "Message"}}``."""

    RestException: RecordingErrorBody
