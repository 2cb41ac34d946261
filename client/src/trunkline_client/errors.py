"""The exceptions the SDK raises, and reading each dialect's error body into them.

Every API has its own error envelope (v1 ``RestException``; CCM ``{http_code, response:
{code, error_data}}``; Fone Dynamics ``ResponseStatus``; the sandbox's ``{"error": {code,
message}}``). Callers should not have to know which one they talked to, so all of them become
one hierarchy keyed by HTTP status, with the dialect's own code and message kept on the exception.
"""

from __future__ import annotations

import re
from typing import Any

import httpx

_LEADING_NAME = re.compile(r"^([A-Za-z_][A-Za-z0-9_.\[\]]*)(\s*:)?")


class TrunklineClientError(Exception):
    """Base of every exception this SDK raises."""


class TransportError(TrunklineClientError):
    """The server could not be reached, or the connection broke, after all retries."""


class WaitTimeout(TrunklineClientError):
    """``wait_for`` gave up before the call reached the status it waited for."""


class ApiError(TrunklineClientError):
    """The server answered with an error status.

    ``code`` is the dialect's own code (CCM's numeric ``error_data.code``, Fone's ``ErrorCode``,
    v1's numeric ``Code`` when sent); ``parameter`` names the offending request parameter when the
    server said which one; ``body`` is the decoded error document, whatever its shape."""

    def __init__(
        self,
        message: str,
        *,
        status: int,
        code: str | int | None = None,
        parameter: str | None = None,
        body: Any = None,
        headers: httpx.Headers | None = None,
    ) -> None:
        super().__init__(f"HTTP {status}: {message}")
        self.message = message
        self.status = status
        self.code = code
        self.parameter = parameter
        self.body = body
        self.headers = headers if headers is not None else httpx.Headers()


class ValidationError(ApiError):
    """400 (or 415/422): a parameter is missing or wrong; ``parameter`` names it when the server did."""


class AuthenticationError(ApiError):
    """401: missing or wrong credentials."""


class PermissionDeniedError(ApiError):
    """403: the credentials are good but do not give access (another account, KYC, DND)."""


class NotFoundError(ApiError):
    """404: no such call, number, user or property."""


class ConflictError(ApiError):
    """409: a duplicate, or a resource in the wrong state (CCM: the agent's device is off or busy)."""


class RateLimitedError(ApiError):
    """429: the account's request budget is spent; ``retry_after`` is the server's wait in seconds."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ServerError(ApiError):
    """5xx: the server failed; the request may be retried later."""


def retry_after_seconds(headers: httpx.Headers) -> float | None:
    """``Retry-After`` in seconds (only the delta-seconds form: every API here sends that one)."""
    raw = headers.get("retry-after")
    if raw is None:
        return None
    try:
        return max(0.0, float(raw.strip()))
    except ValueError:
        return None


def _class_for(status: int) -> type[ApiError]:
    if status in (400, 415, 422):
        return ValidationError
    if status == 401:
        return AuthenticationError
    if status == 403:
        return PermissionDeniedError
    if status == 404:
        return NotFoundError
    if status == 409:
        return ConflictError
    if status == 429:
        return RateLimitedError
    if status >= 500:
        return ServerError
    return ApiError


def _leading_name(message: str, sent: frozenset[str]) -> str | None:
    """``"PageSize: must be at most 100"`` or ``"Sid accepts at most 100 values"`` → the parameter:
    how v1 and CCM name a bad one, having no field for it in their envelopes. A first word counts
    when a colon follows it or when it is (the root of) a parameter the request sent."""
    found = _LEADING_NAME.match(message)
    if found is None:
        return None
    name = found.group(1).rstrip(".")
    root = re.split(r"[.\[]", name, maxsplit=1)[0].lower()
    return name if found.group(2) or root in sent else None


def _v1(body: Any, sent: frozenset[str]) -> tuple[str, str | int | None, str | None]:
    rest = body.get("RestException") if isinstance(body, dict) else None
    if not isinstance(rest, dict):
        return "", None, None
    message = str(rest.get("Message") or "")
    return message, rest.get("Code"), _leading_name(message, sent)


def _ccm(body: Any, sent: frozenset[str]) -> tuple[str, str | int | None, str | None]:
    response = body.get("response") if isinstance(body, dict) else None
    data = response.get("error_data") if isinstance(response, dict) else None
    if not isinstance(data, dict):
        return "", None, None
    description = str(data.get("description") or data.get("message") or "")
    return description, data.get("code"), _leading_name(description, sent)


def _fone(body: Any, sent: frozenset[str]) -> tuple[str, str | int | None, str | None]:
    status = body.get("ResponseStatus") if isinstance(body, dict) else None
    if not isinstance(status, dict):
        return "", None, None
    message = str(status.get("Message") or "")
    errors = status.get("Errors") or []
    field = errors[0].get("FieldName") if errors and isinstance(errors[0], dict) else None
    return message, status.get("ErrorCode"), field or _leading_name(message, sent)


def _admin(body: Any, sent: frozenset[str]) -> tuple[str, str | int | None, str | None]:
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        message = str(error.get("message") or "")
        return message, error.get("code"), _leading_name(message, sent)
    detail = body.get("detail") if isinstance(body, dict) else None
    return (str(detail) if detail else ""), None, None


_READERS = {"v1": _v1, "ccm": _ccm, "fone": _fone, "admin": _admin}


def error_from_response(api: str, response: httpx.Response, sent: frozenset[str] = frozenset()) -> ApiError:
    """The exception for an error answer of ``api`` (``v1``, ``ccm``, ``fone`` or ``admin``);
    ``sent`` holds the lower-cased names of the parameters the request carried."""
    try:
        body: Any = response.json()
    except ValueError:
        body = response.text
    message, code, parameter = _READERS[api](body, sent)
    if not message:
        message = response.reason_phrase or "error"
    kind = _class_for(response.status_code)
    common: dict[str, Any] = {
        "status": response.status_code,
        "code": code,
        "parameter": parameter if kind is ValidationError else None,
        "body": body,
        "headers": response.headers,
    }
    if kind is RateLimitedError:
        return RateLimitedError(message, retry_after=retry_after_seconds(response.headers), **common)
    return kind(message, **common)
