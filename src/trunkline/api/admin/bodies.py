"""What the admin API answers, as TypedDicts: FastAPI takes them as each operation's
``response_model``, so ``/openapi.json`` describes every success body (issue 17) from these types,
and the shared conformance hook of the test suite checks each answer against them.

The admin API is not a hot path: FastAPI validates the answer against its type, and every type
forbids keys it does not name, so a service that starts answering a new field fails loudly (a 500
in the tests) instead of the field being dropped or going undocumented. The dialects never pay this:
their bodies are checked by mypy only (``api/*/bodies.py``).
"""

from __future__ import annotations

from typing import Any, NotRequired, Required

from pydantic import ConfigDict, with_config
from typing_extensions import TypedDict

STRICT = ConfigDict(extra="forbid")
"""Every admin answer type forbids keys it does not name (see the module's docstring)."""


@with_config(STRICT)
class ClockState(TypedDict):
    mode: str
    """``real`` or ``virtual``."""
    time_scale: float
    now_ms: int
    now_ist: str
    """``YYYY-MM-DD HH:MM:SS`` in IST, as the dialects write times."""


class ClockAnswer(ClockState):
    calls_in_flight: int


class AdvanceAnswer(ClockState):
    calls_advanced: int
    """Calls whose state moved while the clock advanced."""


@with_config(STRICT)
class CallEventBody(TypedDict):
    at_ms: int
    at_ist: str
    name: str
    detail: dict[str, Any]


@with_config(STRICT)
class CallEventsAnswer(TypedDict):
    call_sid: str
    events: list[CallEventBody]


@with_config(STRICT)
class DeliveryBody(TypedDict):
    id: int
    account_id: int
    call_id: int | None
    event: str
    url: str
    content_type: str
    payload: dict[str, Any]
    state: str
    attempts: int
    next_attempt_at: int | None
    created_at: int
    last_response_status: int | None


@with_config(STRICT)
class AttemptBody(TypedDict):
    attempted_at: int
    duration_ms: int
    response_status: int | None
    response_excerpt: str
    error: str | None


@with_config(STRICT)
class DeliveryLogBody(TypedDict):
    delivery: DeliveryBody
    attempts: list[AttemptBody]


@with_config(STRICT)
class CallWebhooksAnswer(TypedDict):
    call_sid: str
    deliveries: list[DeliveryLogBody]


@with_config(STRICT)
class RedeliverAnswer(TypedDict):
    delivery_id: int
    state: str


@with_config(STRICT)
class ResetAnswer(TypedDict):
    calls_deleted: int
    generators_stopped: int
    flows_deleted: NotRequired[int]
    """This and the next four: with ``everything`` only."""
    agents_deleted: NotRequired[int]
    properties_deleted: NotRequired[int]
    generators_deleted: NotRequired[int]
    scenario_cleared: NotRequired[bool]
    clock: ClockState


@with_config(STRICT)
class AgentBody(TypedDict):
    """A CCM agent (user), as the admin API shows it."""

    user_id: str
    name: str
    contact_uri: str
    """E.164 number, or a ``sip:`` URI kept as given."""
    device_state: str
    created_at: str
    """IST, ``YYYY-MM-DD HH:MM:SS``."""
    updated_at: str


@with_config(STRICT)
class AgentsAnswer(TypedDict):
    users: list[AgentBody]


@with_config(STRICT)
class TalkSeconds(TypedDict, total=False):
    mean: int | float
    max: int | float


@with_config(STRICT)
class ScenarioRule(TypedDict, total=False):
    """One rule as it was given (``domain.network.scenarios`` validates it): numbers keep their
    JSON spelling, so ``int | float`` rather than ``float``, which would turn ``1`` into ``1.0``."""

    match: Required[str]
    answer: int | float
    busy: int | float
    no_answer: int | float
    fail: int | float
    machine: int | float
    ring_seconds: list[int | float]
    """``[min, max]``."""
    talk_seconds: TalkSeconds
    press: list[str]
    keys: dict[str, int | float]
    think_seconds: list[int | float]
    message_seconds: list[int | float]


@with_config(STRICT)
class ScenarioAnswer(TypedDict):
    rules: list[ScenarioRule]


@with_config(STRICT)
class DeletedAnswer(TypedDict):
    """What deleting an account, a flow or a property answers: the id it deleted."""

    deleted: str


@with_config(STRICT)
class ApiKeyBody(TypedDict):
    """A credential without its token, which is stored hashed."""

    api_key: str
    created_at_ms: int


@with_config(STRICT)
class AccountBody(TypedDict):
    sid: str
    name: str
    exophones: list[str]
    """E.164 numbers."""
    api_keys: list[ApiKeyBody]


class CreatedAccountAnswer(AccountBody):
    api_token: str
    """The first credential's token, shown this once."""


@with_config(STRICT)
class AccountsAnswer(TypedDict):
    accounts: list[AccountBody]


@with_config(STRICT)
class CredentialAnswer(TypedDict):
    """A credential just made or rotated, with its token (shown this once)."""

    sid: str
    api_key: str
    api_token: str


@with_config(STRICT)
class RevokedAnswer(TypedDict):
    sid: str
    revoked: str
    """The API key revoked."""


@with_config(STRICT)
class ExophonesAnswer(TypedDict):
    sid: str
    exophones: list[str]
    """Every ExoPhone the account holds after the change."""


@with_config(STRICT)
class PropertyBody(TypedDict):
    sid: str
    name: str
    created_at_ms: int
    numbers: list[str]
    """Its tracking numbers, E.164."""


@with_config(STRICT)
class PropertiesAnswer(TypedDict):
    properties: list[PropertyBody]


@with_config(STRICT)
class ProcessBody(TypedDict):
    instance_id: str
    """The process's name on the leases it holds (webhook deliveries, Passthru requests)."""
    host: str
    pid: int
    started_ms: int
    started_ist: str
    heartbeat_age_ms: int
    """How long ago its last heartbeat was written; past ``gone_after_seconds`` it counts as gone."""
    generation: int
    """The newest sandbox change (clock, reset, scenario) it has taken up."""
    this_process: bool
    """Whether it is the process that answered this request."""


@with_config(STRICT)
class ProcessesAnswer(TypedDict):
    registry: bool
    """False on SQLite, where one process serves the store: then it lists itself alone."""
    heartbeat_seconds: float
    gone_after_seconds: float
    processes: list[ProcessBody]
