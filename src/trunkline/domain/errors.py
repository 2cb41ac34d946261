"""Errors every layer raises, each with a stable code; each dialect renders them in its own envelope."""

from __future__ import annotations


class TrunklineError(Exception):
    """Base error: ``code`` is stable (tests and clients may rely on it), ``message`` is for people."""

    status: int = 500
    code: str = "internal-error"

    def __init__(self, message: str, *, parameter: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.parameter = parameter


class InvalidParameter(TrunklineError):
    status = 400
    code = "invalid-parameter"


class NotFound(TrunklineError):
    status = 404
    code = "not-found"


class AuthenticationFailed(TrunklineError):
    status = 401
    code = "authentication-failed"


class Forbidden(TrunklineError):
    status = 403
    code = "forbidden"


class RateLimited(TrunklineError):
    status = 429
    code = "rate-limited"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class MethodNotAllowed(TrunklineError):
    status = 405
    code = "method-not-allowed"


class Conflict(TrunklineError):
    """The request clashes with what is stored (a duplicate, or a resource in the wrong state)."""

    status = 409
    code = "conflict"


class ServiceUnavailable(TrunklineError):
    """The store cannot be reached (PostgreSQL restarting, a lost connection): nothing was done,
    and the same request may be sent again shortly (``Retry-After``)."""

    status = 503
    code = "service-unavailable"


class PayloadTooLarge(TrunklineError):
    """A request body over the limit, refused as it streams in (before it is held whole)."""

    status = 413
    code = "payload-too-large"

    @classmethod
    def over(cls, limit: int) -> PayloadTooLarge:
        """The one wording every front end uses, in its own envelope: "larger than 64 KiB (65,536
        bytes)", so a client reads the same limit whichever API it called."""
        size = f"{limit // 1024} KiB ({limit:,} bytes)" if limit % 1024 == 0 else f"{limit:,} bytes"
        return cls(f"the request body is larger than {size}")
