"""What the engine needs from a telephone network.

``dial`` starts a leg and may return the signals the network will send for it, with their times
(the simulator knows them in advance; a real carrier returns none and reports each one as it
happens, through ``CallEngine.signal``). ``hangup`` ends a leg the engine gave up on (ring timeout,
TimeLimit, the other party hung up).

The caller's side of a flow comes from the network too: ``incoming`` (an inbound caller was
answered: when do they hang up), ``gather`` (the keys pressed after an IVR prompt) and ``listen``
(when a caller leaving voicemail is done). Each returns the timers it already knows.
"""

from __future__ import annotations

from typing import Protocol

from trunkline.domain.calls.effects import Gather, Incoming, Listen
from trunkline.domain.calls.run_state import CallRun, Timer


class Carrier(Protocol):
    side_effect_free: bool
    """True when ``dial`` only plans (the simulator): a new call's leg 1 is then dialled before the
    call is stored, saving the engine a step. A real carrier says False: it is dialled only once
    the call is stored."""

    def dial(self, run: CallRun, leg: int, at_ms: int) -> list[Timer]: ...

    def hangup(self, run: CallRun, leg: int, at_ms: int) -> None: ...

    def incoming(self, run: CallRun, effect: Incoming) -> list[Timer]: ...

    def gather(self, run: CallRun, effect: Gather) -> list[Timer]: ...

    def listen(self, run: CallRun, effect: Listen) -> list[Timer]: ...
