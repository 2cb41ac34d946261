"""Who holds the outboxes' leases, and taking back those of a server process that is gone.

The webhook outbox and the Passthru requests are claimed with a lease, so that no two workers send
the same row at once and a row whose worker died comes back. A lease names its holder: the
``instance_id`` a server makes, at random, when it is built. A process that is killed leaves its
leases behind; without a holder they could only be waited out (60 s: a callback a minute late).

On SQLite one process serves a store, so every lease found when a server starts is a dead
process's, and ``start`` takes them all back at once. PostgreSQL may be shared by several processes,
whose leases are live: there nothing is taken back on start, and leases run out as before. The
scale-out design builds on the holder: each process heartbeats in the store, and the leases of a
holder whose heartbeat stopped a few seconds ago are taken back (``take_back`` with its id).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Sequence

from trunkline.domain.clock import now_ms
from trunkline.store.flow_requests import FlowRequestStore
from trunkline.store.webhooks import WebhookStore

log = logging.getLogger("trunkline.leases")


def new_instance_id() -> str:
    """A server process's name as a lease holder: random, so a restarted process never takes a
    dead one's leases for its own."""
    return secrets.token_hex(8)


class LeaseService:
    def __init__(
        self,
        instance_id: str,
        webhooks: WebhookStore,
        flow_requests: FlowRequestStore,
        *,
        sole_process: bool,
        wall_clock: Callable[[], int] = now_ms,
    ) -> None:
        self.instance_id = instance_id
        self._webhooks, self._flow_requests = webhooks, flow_requests
        self._sole_process, self._wall = sole_process, wall_clock

    def take_back(self, holders: Sequence[str] | None = None) -> tuple[int, int]:
        """Free the leases of ``holders`` (of every holder when ``None``): their webhooks fall due
        now and their Passthru requests are made again. Returns (webhooks, requests) taken back."""
        webhooks = self._webhooks.take_back_leases(self._wall(), holders)
        requests = self._flow_requests.take_back_leases(holders)
        return webhooks, requests

    def on_stop(self) -> None:
        """When this process stops (SIGTERM, after its workers): free the leases it still holds.
        A failure is logged, not raised: the leases then run out by themselves, as after a crash."""
        try:
            webhooks, requests = self.take_back([self.instance_id])
        except Exception:
            log.exception("could not hand back this process's leases; they run out by themselves")
            return
        if webhooks or requests:
            log.info(
                "handed back this process's leases: %d webhook deliveries, %d Passthru requests",
                webhooks,
                requests,
            )

    def on_start(self) -> None:
        """Before this process's workers claim anything: on a store only it serves (SQLite), take
        back every lease, since whoever held them has stopped."""
        if not self._sole_process:
            return
        webhooks, requests = self.take_back()
        if webhooks or requests:
            log.info(
                "took back the leases of a stopped server: %d webhook deliveries, %d Passthru requests",
                webhooks,
                requests,
            )
