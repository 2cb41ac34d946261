"""Several server processes on one PostgreSQL, behaving as one: who is alive, and taking over the
work of a process that is not.

Each process registers itself (its lease-holder instance id, host, pid, start time) and heartbeats
every ``heartbeat_s``. A process whose heartbeat is older than ``gone_after_s`` counts as gone: no
admin request waits for it, the first live process to notice deletes its row and takes back its
leases (webhook deliveries, Passthru requests), which are then worked at once instead of when the
lease runs out. A gone process that was only paused (a long GC, a lost database) registers again
on its next heartbeat; whatever it was sending meanwhile may then be sent twice: at least once.

The registry also carries the sandbox generation (``store.processes.GENERATION_KEY``): a clock
move, a reset or a new scenario bumps it, each engine tick takes the change up and acknowledges it,
and the admin request that made it waits (``wait_seen``, at most ``SEEN_WAIT_S``) until every live
process has. On SQLite one process serves the store and the registry is off.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import anyio.to_thread

from trunkline.domain.clock import now_ms
from trunkline.services.leases import LeaseService
from trunkline.store.processes import ProcessStore

log = logging.getLogger("trunkline.processes")

SEEN_WAIT_S = 2.0
"""How long an admin change waits for every live process to take it up."""


class ProcessRegistry:
    def __init__(
        self,
        store: ProcessStore,
        leases: LeaseService,
        *,
        enabled: bool,
        heartbeat_s: float,
        gone_after_s: float,
        on_takeover: Callable[[], None] = lambda: None,
    ) -> None:
        self._store, self._leases = store, leases
        self.enabled = enabled
        self.instance_id = leases.instance_id
        self.heartbeat_s, self.gone_after_ms = heartbeat_s, int(gone_after_s * 1000)
        self._on_takeover = on_takeover
        """Wakes this process's workers, so leases taken back are worked now (thread-safe)."""
        self._task: asyncio.Task[None] | None = None
        self._last_beat: float | None = None
        """When this process's last heartbeat was written (monotonic)."""
        self._generation = 0
        """The newest sandbox generation this process has taken up."""
        self._started_ms = now_ms()

    # --- lifecycle ---

    async def start(self) -> None:
        if not self.enabled:
            return
        self._generation = await anyio.to_thread.run_sync(self._store.generation)
        await anyio.to_thread.run_sync(self._register)
        self._task = asyncio.create_task(self._run(), name="process-heartbeat")

    async def stop(self) -> None:
        """Leave the registry and hand back this process's leases, so that a live process works
        them at once (the SIGTERM path: after the workers have stopped)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if not self.enabled:
            return
        try:
            await anyio.to_thread.run_sync(self._leave)
        except Exception:
            log.exception(
                "could not leave the process registry; others take over in %d ms", self.gone_after_ms
            )

    def _register(self) -> None:
        self._store.register(self.instance_id, socket.gethostname(), os.getpid(), self._generation)

    def _leave(self) -> None:
        self._store.remove(self.instance_id)
        self._leases.take_back([self.instance_id])

    async def _run(self) -> None:
        while True:
            try:
                await anyio.to_thread.run_sync(self.beat)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the database is down: keep trying, one line each time
                log.warning("heartbeat failed: %s", type(exc).__name__)
            await asyncio.sleep(self.heartbeat_s)

    def beat(self) -> list[str]:
        """One heartbeat: refresh this process's row (again if others counted it gone), then take
        over every process whose heartbeat stopped. Returns the instance ids taken over."""
        if not self._store.heartbeat(self.instance_id):
            log.warning("this process was counted as gone; registering again")
            self._register()
        now = time.monotonic()
        previous, self._last_beat = self._last_beat, now
        if previous is None or (now - previous) * 1000 > self.gone_after_ms:
            # This process could not beat either (the database was down, or it was paused): the
            # others may be as late as it was. Give them a heartbeat's time before judging them.
            return []
        gone = self._store.remove_gone(self.gone_after_ms)
        if gone:
            webhooks, requests = self._leases.take_back(gone)
            self._on_takeover()
            log.info(
                "took over %d stopped process(es) %s: %d webhook deliveries, %d Passthru requests",
                len(gone),
                ", ".join(gone),
                webhooks,
                requests,
            )
        return gone

    # --- the sandbox generation ---

    def take_up(self, refresh: RefreshHook) -> None:
        """From the engine's tick: when the stored generation moved, ``refresh`` this process's
        copies (the exact clock, the scenario) and acknowledge it. On SQLite, just ``refresh``."""
        if not self.enabled:
            refresh(changed=False)
            return
        generation = self._store.generation()
        changed = generation != self._generation
        refresh(changed=changed)
        if changed:
            self._store.acknowledge(self.instance_id, generation)
            self._generation = generation

    async def wait_seen(self) -> list[str]:
        """After this process made a sandbox change: wait (at most ``SEEN_WAIT_S``) until every
        live process has taken it up. Returns the instance ids still behind (logged)."""
        if not self.enabled:
            return []
        generation = await anyio.to_thread.run_sync(self._store.generation)
        self._generation = max(self._generation, generation)
        # This process made the change, so it has taken it up: its row says so too.
        await anyio.to_thread.run_sync(self._store.acknowledge, self.instance_id, generation)
        deadline = time.monotonic() + SEEN_WAIT_S
        while True:
            behind = await anyio.to_thread.run_sync(
                lambda: self._store.behind(generation, self.gone_after_ms, besides=self.instance_id)
            )
            if not behind or time.monotonic() >= deadline:
                break
            await asyncio.sleep(0.02)
        if behind:
            log.warning(
                "processes %s did not take up change %d within %.0f s", behind, generation, SEEN_WAIT_S
            )
        return behind

    def live(self) -> list[LiveProcess]:
        """Every live server process on this store, oldest first, for operators (``GET
        /admin/processes``). With the registry off (SQLite: one process), this process alone."""
        if not self.enabled:
            return [
                LiveProcess(self.instance_id, socket.gethostname(), os.getpid(), self._started_ms, 0, 0, True)
            ]
        now, rows = self._store.live(self.gone_after_ms)
        return [
            LiveProcess(
                row.instance_id,
                row.host,
                row.pid,
                row.started_ms,
                max(0, now - row.heartbeat_ms),
                row.generation,
                row.instance_id == self.instance_id,
            )
            for row in rows
        ]


@dataclass(frozen=True, slots=True)
class LiveProcess:
    instance_id: str
    """Its name on the leases it holds."""
    host: str
    pid: int
    started_ms: int
    heartbeat_age_ms: int
    """How long ago its last heartbeat was written, by the database's clock."""
    generation: int
    """The newest sandbox change (clock, reset, scenario) it has taken up."""
    this_process: bool
    """Whether it is the process answering."""


class RefreshHook(Protocol):
    """Takes up the stored sandbox state; ``changed``: a generation moved since the last call."""

    def __call__(self, *, changed: bool) -> None: ...
