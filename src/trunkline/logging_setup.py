"""Structured logs: one JSON object per line, with any ``extra=`` fields kept as keys.

Every line logged while a request is served carries that request's id (``request_id``, the
``X-Request-Id`` its answer has): the id is kept in a context variable for the request's task, and
``RequestIdFilter`` copies it onto each record, so a log line from any library (uvicorn, SQLAlchemy,
the engine's hooks) finds its request without each call site passing it.
"""

from __future__ import annotations

import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime

import orjson

_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}
_LEFT_OUT = _STANDARD | {"color_message"}
"""Record attributes that are not fields of a line: the standard ones, and uvicorn's copy of its
message with terminal colour codes (``msg`` already says it, without escape sequences)."""


current_request_id: ContextVar[str | None] = ContextVar("trunkline_request_id", default=None)
"""The id of the request the running task serves (set by ``api.request_id.RequestIds``). uvicorn
runs each request in a task of its own, which copies the context: no id leaks to the next request."""


class RequestIdFilter(logging.Filter):
    """Puts the current request's id on every record that does not name one already."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            rid = current_request_id.get()
            if rid is not None:
                record.request_id = rid
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        line.update({k: v for k, v in record.__dict__.items() if k not in _LEFT_OUT})
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return orjson.dumps(line, default=str).decode()


def configure(level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Alembic announces its context and each revision at info on every start: noise for the
    # person reading the banner. Shown at debug, where someone is looking for it.
    logging.getLogger("alembic").setLevel(logging.DEBUG if level.lower() == "debug" else logging.WARNING)
