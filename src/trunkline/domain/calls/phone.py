"""What a person at the console's Phone may do to a leg they answer, as the timer it becomes.

A console leg (``LegRun.console``) gets no outcome from the simulated network: it rings until the
person answers or rejects it, or its ring timeout passes; once answered its keys and its hang-up
come from the person too. Each action is a timer at "now" that the state machine plays like any
network signal. The checks here run on the call as it is at that moment, inside the transaction
that locks it (``CallEngine.act``), so of two pages acting on one ringing leg the first wins and
the second is told why not, with a stable code.
"""

from __future__ import annotations

import re
from enum import StrEnum

from trunkline.domain.calls.flow_steps import flow_of
from trunkline.domain.calls.run_state import (
    NOT_ANSWERED_STATUSES,
    CallRun,
    LegStatus,
    Signal,
    Timer,
    TimerKind,
)
from trunkline.domain.errors import Conflict, InvalidParameter, NotFound

KEYS = re.compile(r"[0-9*#]{1,20}")
"""What a keypad sends: digits, star and hash."""


class PhoneAction(StrEnum):
    ANSWER = "answer"
    REJECT = "reject"
    PRESS = "press"
    HANG_UP = "hangup"


class PhoneRefused(Conflict):
    """The leg is not in a state where the action applies (someone else acted first, it rang out)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class NoSuchPhoneLeg(NotFound):
    code = "phone.no-such-leg"


def check_keys(keys: str) -> str:
    if not KEYS.fullmatch(keys):
        raise InvalidParameter("keys must be 1 to 20 of 0-9, * and #", parameter="keys")
    return keys


def listening_menu(run: CallRun, leg_no: int) -> str | None:
    """The IVR applet waiting for this leg's keys, if any: only the caller (leg 1) talks to the flow."""
    if leg_no != 1 or run.flow is None or run.flow.applet is None or run.is_over:
        return None
    applet = flow_of(run).applet(run.flow.applet)
    return applet.id if applet is not None and applet.type == "ivr" else None


def action_timer(run: CallRun, leg_no: int, action: PhoneAction, at: int, keys: str = "") -> Timer:
    """The timer ``action`` on leg ``leg_no`` becomes at ``at``, or ``PhoneRefused`` saying why not."""
    if leg_no < 1 or leg_no > len(run.legs) or not run.legs[leg_no - 1].console:
        raise NoSuchPhoneLeg(f"call {run.sid} has no leg {leg_no} answered in the console")
    leg = run.legs[leg_no - 1]
    if run.is_over or leg.status not in (LegStatus.DIALING, LegStatus.RINGING, LegStatus.ANSWERED):
        raise PhoneRefused("phone.call-ended", f"the call has ended ({leg.status})")
    rings_the_person = not (run.console_caller and leg_no == 1)
    if action in (PhoneAction.ANSWER, PhoneAction.REJECT):
        if not rings_the_person:
            raise PhoneRefused("phone.not-ringing", "this is a call you placed: it rings the ExoPhone")
        if leg.status not in NOT_ANSWERED_STATUSES:
            raise PhoneRefused("phone.already-answered", "the call was already answered")
        signal = Signal.ANSWERED if action == PhoneAction.ANSWER else Signal.BUSY
        return Timer(at, TimerKind.SIGNAL, leg=leg_no, signal=signal, answered_by="human")
    if action == PhoneAction.HANG_UP:
        if leg.status != LegStatus.ANSWERED and rings_the_person:
            raise PhoneRefused("phone.not-answered", "answer or reject a ringing call; hang up once answered")
        return Timer(at, TimerKind.SIGNAL, leg=leg_no, signal=Signal.HANGUP)
    if action == PhoneAction.PRESS:
        check_keys(keys)
        if leg.status != LegStatus.ANSWERED:
            raise PhoneRefused("phone.not-answered", "keys can be pressed once the call is answered")
        if listening_menu(run, leg_no) is None:
            raise PhoneRefused("phone.no-menu", "no menu is listening for keys on this call now")
        assert run.flow is not None
        return Timer(at, TimerKind.FLOW_INPUT, value=keys, seq=run.flow.seq)
    raise InvalidParameter(f"unknown action {action!r}", parameter="action")
