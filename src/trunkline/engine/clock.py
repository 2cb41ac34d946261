"""The network clock: what "now" is for calls, their timers and the records they produce.

* real, ``time_scale`` 1: the wall clock.
* real, ``time_scale`` K: K times faster than the wall clock, from an anchor kept in the store, so
  a restarted server continues the same timeline (and what fell due while it was down, happens).
* virtual: stands still until advanced (admin API, ``trunkline clock advance``), like Stripe's test
  clocks; its value lives in the store, so every process and every restart share it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import orjson

from trunkline.domain.clock import ms_to_ist
from trunkline.domain.errors import InvalidParameter
from trunkline.store import meta_values
from trunkline.store.database import Database
from trunkline.store.processes import bump_generation

VIRTUAL_KEY = "clock.virtual_ms"
ANCHOR_KEY = "clock.anchor"
MAX_ADVANCE_MS = 366 * 86_400_000


def wall_ms() -> int:
    return time.time_ns() // 1_000_000


class NetworkClock:
    def __init__(
        self, db: Database, *, mode: str = "real", time_scale: float = 1.0, wall: Callable[[], int] = wall_ms
    ) -> None:
        if mode not in ("real", "virtual"):
            raise ValueError(f"unknown clock mode {mode!r}")
        self._db, self.mode, self.time_scale, self._wall = db, mode, time_scale, wall
        self._virtual_ms = 0
        # Serialises the virtual clock's moves in this process: the background task's refresh reads
        # the store while an admin advance writes it, and without the lock a refresh that read the
        # store before the advance committed would put the clock back after it.
        self._moving = threading.Lock()
        self._anchor_sim = self._anchor_wall = 0
        if mode == "virtual":
            self._virtual_ms = self._load_virtual()
        elif time_scale != 1.0:
            self._anchor_sim, self._anchor_wall = self._load_anchor()

    @property
    def is_virtual(self) -> bool:
        return self.mode == "virtual"

    def now_ms(self) -> int:
        if self.mode == "virtual":
            return self._virtual_ms
        if self.time_scale == 1.0:
            return self._wall()
        return self._anchor_sim + int((self._wall() - self._anchor_wall) * self.time_scale)

    def wall_delay_s(self, network_ms: int) -> float:
        """How long the wall clock takes to cover ``network_ms`` of network time (infinite when virtual)."""
        if self.mode == "virtual":
            return float("inf")
        return max(network_ms, 0) / 1000 / self.time_scale

    def refresh(self, *, exact: bool = False) -> None:
        """Pick up an advance made by another process (the CLI, another server). Forwards only,
        unless ``exact``: the caller knows a change was made since (a reset moves it back)."""
        if self.mode == "virtual":
            with self._moving:
                stored = self._load_virtual()
                self._virtual_ms = stored if exact else max(self._virtual_ms, stored)

    def advance(self, ms: int) -> int:
        if self.mode != "virtual":
            raise InvalidParameter(
                "the network clock is real; start the server with --clock virtual to advance it",
                parameter="seconds",
            )
        if ms < 0 or ms > MAX_ADVANCE_MS:
            raise InvalidParameter("the clock moves forward only, by at most 366 days", parameter="seconds")
        with self._moving:
            self._virtual_ms = advance_stored(self._db, ms, self._wall)
            return self._virtual_ms

    def reset(self) -> None:
        """Back to the wall clock's time (sandbox reset)."""
        if self.mode == "virtual":
            with self._moving:
                now = self._wall()
                with self._db.write() as conn:
                    meta_values.write(conn, VIRTUAL_KEY, str(now))
                    bump_generation(conn)  # every live server process takes the reset up
                self._virtual_ms = now

    def describe(self) -> dict[str, Any]:
        return describe_clock(self.mode, self.time_scale, self.now_ms())

    def _load_virtual(self) -> int:
        value = meta_values.get(self._db, VIRTUAL_KEY)
        if value is None:
            return advance_stored(self._db, 0, self._wall)
        return int(value)

    def _load_anchor(self) -> tuple[int, int]:
        wall = self._wall()
        with self._db.write() as conn:
            raw = meta_values.read(conn, ANCHOR_KEY, for_update=True)
            if raw is not None:
                anchor = orjson.loads(raw)
                if anchor["scale"] == self.time_scale:
                    return int(anchor["sim"]), int(anchor["wall"])
                # A new speed continues from where the old timeline is now.
                sim = int(anchor["sim"]) + int((wall - int(anchor["wall"])) * anchor["scale"])
            else:
                sim = wall
            meta_values.write(
                conn, ANCHOR_KEY, orjson.dumps({"sim": sim, "wall": wall, "scale": self.time_scale}).decode()
            )
        return sim, wall


def advance_stored(db: Database, ms: int, wall: Callable[[], int] = wall_ms) -> int:
    """Move the stored virtual clock forward by ``ms`` (starting it at the wall clock's time)."""
    with db.write() as conn:
        current = meta_values.read(conn, VIRTUAL_KEY, for_update=True)
        value = (int(current) if current is not None else wall()) + ms
        meta_values.write(conn, VIRTUAL_KEY, str(value))
        if ms:
            bump_generation(conn)  # every live server process takes the move up (services/processes.py)
    return value


def describe_clock(mode: str, time_scale: float, now_ms: int) -> dict[str, Any]:
    """A clock as the admin API shows it (``NetworkClock.describe``; the OpenAPI examples build one
    at a fixed instant)."""
    return {"mode": mode, "time_scale": time_scale, "now_ms": now_ms, "now_ist": ms_to_ist(now_ms)}
