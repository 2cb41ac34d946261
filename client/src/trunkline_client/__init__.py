"""Python SDK for Trunkline, and for the APIs it speaks: Exotel Voice v1, Exotel CCM v2 and Fone
Dynamics Get Calls. The same code runs against Trunkline and the vendors' hosts."""

from trunkline_client.clients import AsyncTrunkline, Trunkline
from trunkline_client.errors import (
    ApiError,
    AuthenticationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    ServerError,
    TransportError,
    TrunklineClientError,
    ValidationError,
    WaitTimeout,
)
from trunkline_client.exotel_ccm.models import CallLegs, CallState, CcmCall, CcmCallStatus, CcmLeg, MadeCall
from trunkline_client.exotel_v1.models import (
    Call,
    CallDetails,
    CallPage,
    CallStatus,
    Direction,
    NumberMetadata,
)
from trunkline_client.fone_dynamics.models import Disposition, TrackedCall, TrackedCallPage
from trunkline_client.retries import RetryPolicy
from trunkline_client.status_callbacks import (
    CallbackLeg,
    CcmStatusCallback,
    StatusCallback,
    V1StatusCallback,
    parse_status_callback,
)

__version__ = "0.1.0"
__all__ = [
    "ApiError",
    "AsyncTrunkline",
    "AuthenticationError",
    "Call",
    "CallDetails",
    "CallLegs",
    "CallPage",
    "CallState",
    "CallStatus",
    "CallbackLeg",
    "CcmCall",
    "CcmCallStatus",
    "CcmLeg",
    "CcmStatusCallback",
    "ConflictError",
    "Direction",
    "Disposition",
    "MadeCall",
    "NotFoundError",
    "NumberMetadata",
    "PermissionDeniedError",
    "RateLimitedError",
    "RetryPolicy",
    "ServerError",
    "StatusCallback",
    "TrackedCall",
    "TrackedCallPage",
    "TransportError",
    "Trunkline",
    "TrunklineClientError",
    "V1StatusCallback",
    "ValidationError",
    "WaitTimeout",
    "parse_status_callback",
]
