"""``HeldNumbers``, the carrier's view of which numbers ring a Phone page: a hold taken in this
process is seen at once, even while the engine's own periodic read of the holds is under way (that
read began before the hold was written and ended after it; it used to win, so the hold went unseen
for up to a read interval and a call placed meanwhile rang the simulated network instead)."""

from __future__ import annotations

import threading
import time

from trunkline.engine.carriers.console import HeldNumbers

FAR = 2**62


class SlowStore:
    """The holds as a store would return them; the first read stalls until told to go on."""

    def __init__(self) -> None:
        self.holds: dict[str, tuple[str, int]] = {}
        self.first_read_started = threading.Event()
        self.let_first_read_finish = threading.Event()
        self._reads = 0

    def load(self, _now: int) -> dict[str, tuple[str, int]]:
        self._reads += 1
        snapshot = dict(self.holds)
        if self._reads == 1:
            self.first_read_started.set()
            assert self.let_first_read_finish.wait(10)
        return snapshot


def test_a_read_that_began_before_a_hold_does_not_hide_it() -> None:
    store = SlowStore()
    held = HeldNumbers(store.load, refresh_ms=60_000)
    tick = threading.Thread(target=held.refresh)  # the engine's tick: reads the holds, slowly
    tick.start()
    assert store.first_read_started.wait(10)
    store.holds["+917012345678"] = ("acme", FAR)  # a page takes a hold meanwhile
    held.changed()
    assert held.holder("+917012345678") == "acme"
    store.let_first_read_finish.set()  # the stale read ends last
    tick.join(10)
    assert held.holder("+917012345678") == "acme"


def test_a_later_read_replaces_an_earlier_one() -> None:
    holds = {"+917012345678": ("acme", FAR)}
    held = HeldNumbers(lambda _now: dict(holds), refresh_ms=0)
    held.refresh()
    assert held.holder("+917012345678") == "acme"
    holds.clear()
    time.sleep(0.002)
    held.refresh()
    assert held.holder("+917012345678") is None
