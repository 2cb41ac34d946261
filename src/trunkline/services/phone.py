"""The console's Phone: a person holds numbers, answers the calls that ring them, presses keys,
hangs up, and dials an ExoPhone to walk its flow.

Rules, all account-scoped:
- a number is held by one account at a time (another account's live hold refuses it), never a
  magic test number or an ExoPhone; it stays held while any of the account's pages renews it
  (``phone_hold_seconds``), after which the simulated network answers it again;
- a leg ringing a held number waits for the person (``engine.carriers.console``); answering,
  rejecting, keys and hanging up are played at once on the locked call (``CallEngine.act``), so of
  two pages the first to act wins and the second is refused with a stable code
  (``domain.calls.phone``);
- a call the person dials comes from one of the account's held numbers to one of its ExoPhones, and
  runs that ExoPhone's flow as any inbound call does.

Plain (blocking) methods: the console runs them in the thread pool.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from typing import Any

from trunkline.domain.calls import phone as rules
from trunkline.domain.calls.model import Call
from trunkline.domain.calls.phone import PhoneAction
from trunkline.domain.calls.run_state import CallRun, TimerKind
from trunkline.domain.errors import Conflict, InvalidParameter
from trunkline.domain.network.magic_numbers import magic_plan
from trunkline.domain.numbers.phone import UnparseableNumber, to_e164
from trunkline.engine.calls.engine import CallEngine
from trunkline.engine.calls.service import Caller, CallService
from trunkline.engine.carriers.console import HeldNumbers
from trunkline.engine.clock import wall_ms
from trunkline.services.accounts import AccountService
from trunkline.store.flows import FlowStore
from trunkline.store.phone import HeldNumber, PhoneStore, StoredPhoneLeg

__all__ = ["DialTarget", "HeldNumber", "PhoneLeg", "PhoneOutcome", "PhoneService"]

_HOLDER = re.compile(r"[A-Za-z0-9_-]{8,64}")


class NumberTaken(Conflict):
    code = "phone.number-taken"


class UnusableNumber(InvalidParameter):
    code = "phone.unusable-number"


class NotHeld(Conflict):
    code = "phone.not-held"


@dataclass(frozen=True, slots=True)
class PhoneLeg:
    """A live leg the person answers (``incoming``) or placed (``outgoing``), as a page shows it."""

    call_sid: str
    leg: int
    number: str
    """The held number this leg rings (or calls from)."""
    direction: str
    status: str
    """dialing, ringing or answered."""
    other_party: str
    """Who is calling (the caller id shown) or, for an outgoing call, the ExoPhone called."""
    since: int
    """Network ms: when it started ringing, or was answered."""
    ring_deadline: int | None
    """Network ms: when it stops ringing unanswered."""
    menu: str | None
    """The IVR applet waiting for this leg's keys now, if any."""
    applet: str | None
    keys: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class DialTarget:
    """One of the account's ExoPhones, and the flow that answers it (None: calls to it are refused)."""

    number: str
    app_id: str | None


@dataclass(frozen=True, slots=True)
class PhoneOutcome:
    """What an action did: the leg afterwards and the call's events it caused."""

    call_sid: str
    leg: int
    leg_status: str
    call_status: str
    events: list[dict[str, Any]]


class PhoneService:
    def __init__(
        self,
        accounts: AccountService,
        store: PhoneStore,
        engine: CallEngine,
        placing: CallService,
        held: HeldNumbers,
        flows: FlowStore,
        *,
        hold_seconds: int,
    ) -> None:
        self._accounts, self._store, self._engine, self._placing = accounts, store, engine, placing
        self._flows = flows
        self._held, self._hold_ms = held, hold_seconds * 1000

    @property
    def hold_seconds(self) -> int:
        return self._hold_ms // 1000

    # --- numbers ---

    def suggest(self, account_sid: str) -> str:
        """A number nobody holds, to offer the person (a mobile number, never a magic one)."""
        self._accounts.get(account_sid)
        live = self._store.live(wall_ms())
        for _ in range(50):
            number = f"+9170{secrets.randbelow(10**8):08d}"
            if number not in live and not self._store.is_exophone(number):
                return number
        raise Conflict("no free number found; type one instead")

    def hold(self, account_sid: str, holder: str, number: str) -> HeldNumber:
        """Hold (or renew) one number for one page."""
        account = self._accounts.get(account_sid)
        wanted = self._usable(number)
        now = wall_ms()
        if not self._store.hold(account.id, _holder(holder), [wanted], now + self._hold_ms, now)[wanted]:
            raise NumberTaken(f"{wanted} is held by another account's phone", parameter="number")
        self._held.changed()
        return next(h for h in self._store.of_account(account.id, now) if h.number == wanted)

    def renew(
        self, account_sid: str, holder: str, numbers: list[str]
    ) -> tuple[list[HeldNumber], dict[str, str]]:
        """A page's heartbeat: hold each of its numbers again (at most 20). A number refused meanwhile
        (another account took it after this page's hold ran out) does not stop the others. Returns the
        account's holds after, and the refused numbers with why."""
        refused: dict[str, str] = {}
        for number in numbers[:20]:
            try:
                self.hold(account_sid, holder, number)
            except (NumberTaken, UnusableNumber) as error:
                refused[number] = error.message
        return self.held(account_sid), refused

    def release(self, account_sid: str, holder: str, number: str | None = None) -> None:
        """A page lets go of a number (or of all its numbers: it is closing)."""
        account = self._accounts.get(account_sid)
        self._store.release(account.id, _holder(holder), None if number is None else self._parse(number))
        self._held.changed()

    def held(self, account_sid: str) -> list[HeldNumber]:
        return self._store.of_account(self._accounts.get(account_sid).id, wall_ms())

    # --- calls ---

    def legs(self, account_sid: str) -> list[PhoneLeg]:
        """The account's ringing and answered console legs, oldest first."""
        return [_view(stored) for stored in self._store.legs(self._accounts.get(account_sid).id)]

    def answer(self, account_sid: str, call_sid: str, leg: int) -> PhoneOutcome:
        return self._act(account_sid, call_sid, leg, PhoneAction.ANSWER)

    def reject(self, account_sid: str, call_sid: str, leg: int) -> PhoneOutcome:
        """The person declines: the leg is busy."""
        return self._act(account_sid, call_sid, leg, PhoneAction.REJECT)

    def press(self, account_sid: str, call_sid: str, leg: int, keys: str) -> PhoneOutcome:
        """Keys for the menu listening on the call now."""
        return self._act(account_sid, call_sid, leg, PhoneAction.PRESS, rules.check_keys(keys))

    def hang_up(self, account_sid: str, call_sid: str, leg: int) -> PhoneOutcome:
        return self._act(account_sid, call_sid, leg, PhoneAction.HANG_UP)

    def dial(self, account_sid: str, from_number: str, exophone: str) -> Call:
        """The person calls one of the account's ExoPhones from a number they hold: an inbound call
        that runs the ExoPhone's flow, with the person's keys."""
        account = self._accounts.get(account_sid)
        number = self._parse(from_number)
        if number not in {h.number for h in self._store.of_account(account.id, wall_ms())}:
            raise NotHeld(f"{number} is not held by this account's phone; hold it first", parameter="from")
        try:
            target = to_e164(exophone)
        except UnparseableNumber as exc:
            raise InvalidParameter(str(exc), parameter="exophone") from None
        return self._placing.inbound(Caller(account.id, account.sid), number, target, console_caller=True)

    def exophones(self, account_sid: str) -> list[DialTarget]:
        """What the person can dial: the account's ExoPhones and their flows."""
        account = self._accounts.get(account_sid)
        assigned = self._flows.exophone_flows(account.id, list(account.exophones))
        return [
            DialTarget(number, assigned[number].app_id if number in assigned else None)
            for number in account.exophones
        ]

    def _act(
        self, account_sid: str, call_sid: str, leg: int, action: PhoneAction, keys: str = ""
    ) -> PhoneOutcome:
        account = self._accounts.get(account_sid)
        acted = self._engine.act(
            account.id, call_sid, lambda run, at: rules.action_timer(run, leg, action, at, keys)
        )
        if acted is None:
            raise rules.NoSuchPhoneLeg(f"no live call {call_sid} in this account")
        run = acted.run
        return PhoneOutcome(
            call_sid,
            leg,
            run.legs[leg - 1].status,
            run.status,
            [{"name": e.name, "at": e.at, "detail": e.detail} for e in acted.events],
        )

    # --- checks ---

    def _parse(self, number: str) -> str:
        try:
            return to_e164(number)
        except UnparseableNumber as exc:
            raise UnusableNumber(str(exc), parameter="number") from None

    def _usable(self, number: str) -> str:
        parsed = self._parse(number)
        if parsed.startswith("sip:"):
            raise UnusableNumber("a phone number, not a SIP address", parameter="number")
        if magic_plan(parsed) is not None:
            raise UnusableNumber(
                f"{parsed} is a magic test number of the simulated network", parameter="number"
            )
        if self._store.is_exophone(parsed):
            raise UnusableNumber(f"{parsed} is an ExoPhone", parameter="number")
        return parsed


def _holder(holder: str) -> str:
    if not _HOLDER.fullmatch(holder):
        raise InvalidParameter("holder must be 8 to 64 letters, digits, - or _", parameter="holder")
    return holder


def _view(stored: StoredPhoneLeg) -> PhoneLeg:
    run: CallRun = stored.run
    leg = run.legs[stored.leg - 1]
    outgoing = run.console_caller and stored.leg == 1
    deadline = next(
        (t.at for t in run.timers if t.kind == TimerKind.RING_TIMEOUT and t.leg == stored.leg), None
    )
    return PhoneLeg(
        call_sid=stored.call_sid,
        leg=stored.leg,
        number=leg.number,
        direction="outgoing" if outgoing else "incoming",
        status=leg.status,
        other_party=(run.to_number or run.caller_id) if outgoing else run.caller_id,
        since=leg.answered_at if leg.answered_at is not None else leg.dialed_at,
        ring_deadline=deadline if leg.answered_at is None else None,
        menu=rules.listening_menu(run, stored.leg),
        applet=run.flow.applet if run.flow is not None else None,
        keys=list(run.flow.keys) if run.flow is not None else [],
    )
