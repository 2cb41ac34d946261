"""The shapes of Fone Dynamics answers, as TypedDicts: what ``render.py`` and ``errors.py`` build and what
the OpenAPI document describes (``openapi.py`` generates the schemas from these). Plain dicts at run time."""

from __future__ import annotations

from typing_extensions import TypedDict  # noqa: UP035 - pydantic needs this on 3.11


class FoneCall(TypedDict):
    CallSid: str
    PropertySid: str
    Date_Start: str
    From: str
    From_CountryCode: str | None
    From_Region: str | None
    From_City: str | None
    To: str
    To_Friendly: str | None
    Duration: int | None
    Disposition: str | None
    Recording_Uri: str | None
    Endpoint: str | None
    Attribution_Source: str | None
    Attribution_Medium: str | None
    Attribution_Campaign: str | None
    Attribution_Content: str | None
    Session_Traffic_Type: str | None
    Session_Keywords: str | None
    Session_ConversionUri: str | None
    Session_LandingUri: str | None
    Survey_Type: str | None
    Survey_Value: str | None
    Survey_Custom1: str | None
    Survey_Custom2: str | None
    Survey_Custom3: str | None
    Survey_UniqueCode: str | None
    Prompts_Keys: str | None
    Notes: str | None
    CallType: str | None
    Google_Analytics_ClientId: str | None
    Google_Adwords_ClickId: str | None


"""One tracked call; ``Date_Start`` is epoch seconds as a string."""


class FoneCallAnswer(TypedDict):
    Call: FoneCall


class FoneCallsPage(TypedDict):
    Calls: list[FoneCall]
    TotalCount: int


class FoneNumber(TypedDict):
    """A tracking number's configuration, under the parameter names Configure Numbers takes."""

    Number: str
    PropertySid: str
    Status: str
    Friendly: str | None
    AddressSid: str | None
    Attribution_Source: str | None
    Attribution_Medium: str | None
    Attribution_Campaign: str | None
    Attribution_Content: str | None
    RoutingMethod: str | None
    EndpointNumber: str | None
    Flow: str | None
    Recording: str
    SendSmsFrom: str | None
    SendSmsTo: str | None
    SendEmailFrom: str | None
    SendEmailTo: str | None


class FonePurchased(TypedDict):
    Number: str
    Status: str


class FoneFieldError(TypedDict):
    FieldName: str
    ErrorCode: str
    Message: str


class FoneResponseStatus(TypedDict):
    ErrorCode: str
    """PARAMETER_INVALID, PARAMETER_REQUIRED, NUMBER_BELONGS_TO_DIFFERENT_PROPERTY, UNAUTHORIZED,
    FORBIDDEN, NOT_FOUND, RATE_LIMIT_EXCEEDED, METHOD_NOT_ALLOWED, PAYLOAD_TOO_LARGE, INTERNAL_ERROR."""
    Message: str
    Errors: list[FoneFieldError]


class FoneError(TypedDict):
    """Every Fone Dynamics error."""

    ResponseStatus: FoneResponseStatus
