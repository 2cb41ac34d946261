"""Numbers a person answers in the web console's Phone, in front of the simulated network.

A leg dialled to a number an account holds (``store.phone``: a hold with an expiry, renewed by the
account's open Phone pages) rings the page instead of following a drawn plan: the carrier marks it
``console`` and reports only that it rings. Its answer, rejection, keys and hang-up come from the
person (``CallEngine.act``); if nobody acts, the call's own ring timeout ends it as no-answer. Only
calls of the holding account ring its page (another account's calls to that number see the network
as usual: accounts never see each other's calls). Every other leg goes to the inner carrier.

Which numbers are held is read from the store at most every ``refresh_ms`` of wall time (the engine
ticks at least twice a second), so a hold taken by another process rings here within that time;
a hold taken in this process is seen at once (``HeldNumbers.changed``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from trunkline.domain.calls.effects import Gather, Incoming, Listen
from trunkline.domain.calls.run_state import CallRun, Signal, Timer, TimerKind
from trunkline.engine.carriers.base import Carrier

RINGS_AFTER_MS = 500
"""How long after dialling a console leg reports ringing (the simulated network takes up to 1 s)."""


class HeldNumbers:
    """The live holds as this process last read them: number -> (account Sid, held until, wall ms)."""

    def __init__(self, load: Callable[[int], dict[str, tuple[str, int]]], *, refresh_ms: int = 250) -> None:
        self._load = load
        self._refresh_ms = refresh_ms
        self._held: dict[str, tuple[str, int]] = {}
        self._read_at = 0
        self._reads = self._applied = 0
        """Reads begun, and the latest begun whose result is in ``_held``."""
        self._lock = threading.Lock()

    def refresh(self, *, force: bool = False) -> None:
        now = int(time.time() * 1000)
        if not force and now - self._read_at < self._refresh_ms:
            return
        with self._lock:
            self._reads += 1
            read = self._reads
        held = self._load(now)
        with self._lock:
            # Reads overlap (the engine's tick, a hold taken on a request thread): one that began
            # before a hold was written must not replace one that began after it, or the new hold
            # would be unseen until the next read, and a call placed meanwhile would not ring.
            if read > self._applied:
                self._held, self._read_at, self._applied = held, now, read

    def changed(self) -> None:
        """A hold was taken or let go in this process: read them again now."""
        self.refresh(force=True)

    def holder(self, number: str) -> str | None:
        """The account whose page answers ``number`` now, if any."""
        with self._lock:
            found = self._held.get(number)
        if found is None or found[1] <= int(time.time() * 1000):
            return None
        return found[0]


class ConsolePhones:
    """A carrier: console legs ring the page; everything else is ``inner``'s."""

    def __init__(self, inner: Carrier, held: HeldNumbers) -> None:
        self.inner = inner
        self.held = held
        self.side_effect_free = inner.side_effect_free

    def dial(self, run: CallRun, leg: int, at_ms: int) -> list[Timer]:
        dialled = run.legs[leg - 1]
        if self.held.holder(dialled.number) != run.account_sid:
            return self.inner.dial(run, leg, at_ms)
        dialled.console = True
        return [Timer(at_ms + RINGS_AFTER_MS, TimerKind.SIGNAL, leg=leg, signal=Signal.RINGING)]

    def hangup(self, run: CallRun, leg: int, at_ms: int) -> None:
        self.inner.hangup(run, leg, at_ms)

    def incoming(self, run: CallRun, effect: Incoming) -> list[Timer]:
        """A person who dialled an ExoPhone stays until they hang up (or the flow ends)."""
        return [] if _caller_is_a_person(run) else self.inner.incoming(run, effect)

    def gather(self, run: CallRun, effect: Gather) -> list[Timer]:
        """A person's keys come when they press them; silence lets the prompt's timeout move on."""
        return [] if _caller_is_a_person(run) else self.inner.gather(run, effect)

    def listen(self, run: CallRun, effect: Listen) -> list[Timer]:
        """A person's message lasts until they hang up, or the applet's limit cuts it."""
        return [] if _caller_is_a_person(run) else self.inner.listen(run, effect)


def _caller_is_a_person(run: CallRun) -> bool:
    return bool(run.legs) and run.legs[0].console
