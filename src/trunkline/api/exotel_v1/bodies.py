"""The shapes of v1 answers, as TypedDicts: what ``render.py`` builds and what the OpenAPI document
describes (``openapi.py`` generates the schemas from these with pydantic). Plain dicts at run time.

Key order is the order of the fields in Exotel's answers and of the elements in the XML form.
"""

from __future__ import annotations

from typing_extensions import NotRequired, TypedDict  # noqa: UP035 - pydantic needs these on 3.11

Nullable = str | None
"""``null`` while the call is live, ``""`` once it has ended (docs/api-choices.md §Conflicts)."""


class V1LegId(TypedDict):
    Id: str
    OnCallDuration: int | None


class V1Leg(TypedDict):
    Leg: V1LegId


class V1CallLegs(TypedDict):
    """``details=true``: the conversation and its two legs."""

    ConversationDuration: int
    Leg1Status: str | None
    Leg2Status: str | None
    Legs: list[V1Leg]


class V1Call(TypedDict):
    """The v1 ``Call`` object, in Exotel's field order."""

    Sid: str
    ParentCallSid: Nullable
    DateCreated: str
    DateUpdated: str
    AccountSid: str
    To: Nullable
    From: Nullable
    PhoneNumberSid: Nullable
    Status: str
    StartTime: Nullable
    EndTime: Nullable
    Duration: str | None
    Price: str | None
    Direction: str
    AnsweredBy: Nullable
    ForwardedFrom: Nullable
    CallerName: Nullable
    Uri: str
    RecordingUrl: Nullable
    PhoneNumber: NotRequired[Nullable]
    """Bulk list only: the ExoPhone again, under the name bulk clients read."""
    PreSignedRecordingUrl: NotRequired[Nullable]
    """With ``RecordingUrlValidity``: a link to the recording that needs no credentials."""
    Details: NotRequired[V1CallLegs]
    """With ``details=true``."""


class V1CallAnswer(TypedDict):
    """Connect and call details: ``{"Call": {...}}`` (XML: ``<TwilioResponse><Call>…``)."""

    Call: V1Call


class V1PageMetadata(TypedDict):
    Total: int
    PageSize: int
    FirstPageUri: str
    PrevPageUri: str
    NextPageUri: str


class V1CallsPage(TypedDict):
    """One page of the bulk list; in XML each call is a ``<Call>`` element inside ``<Calls>``."""

    Metadata: V1PageMetadata
    Calls: list[V1Call]


class V1CallsPageXml(TypedDict):
    """The bulk page as the XML form is built: each call wrapped in its own ``Call`` element."""

    Metadata: V1PageMetadata
    Calls: list[V1CallAnswer]


class V1Number(TypedDict):
    PhoneNumber: str
    Circle: str
    CircleName: str
    Type: str
    Operator: str
    OperatorName: str
    DND: str
    """``Yes``, ``No`` or ``Unavailable``."""


class V1NumberAnswer(TypedDict):
    Numbers: V1Number


class V1ErrorBody(TypedDict):
    Status: int
    """Equals the HTTP status."""
    Message: str


class V1Error(TypedDict):
    """Every v1 error (and every recordings error): ``{"RestException": {"Status", "Message"}}``."""

    RestException: V1ErrorBody
