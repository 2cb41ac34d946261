"""Running the simulated network until nothing is due: the virtual clock's advance."""

from __future__ import annotations

import anyio
import anyio.to_thread

from trunkline.engine.calls.engine import CallEngine
from trunkline.engine.flows.passthru import PassthruRequester
from trunkline.store.flow_requests import FlowRequestStore


async def run_network(
    engine: CallEngine,
    passthru: PassthruRequester,
    flow_requests: FlowRequestStore,
    *,
    max_wait_s: float = 60.0,
) -> int:
    """Run everything due on the network clock, flows' HTTP requests included: a call waiting
    for a Passthru answer goes on once it has come, until nothing due is left (the virtual
    clock's advance). Returns the calls advanced."""
    advanced, deadline = 0, anyio.current_time() + max_wait_s
    while True:
        # Count the requests out before draining: a reply that lands after the count is seen by
        # the next round, so the loop only ends after a drain that followed the last reply.
        out = await anyio.to_thread.run_sync(flow_requests.pending)
        advanced += await anyio.to_thread.run_sync(engine.drain)
        if not out and not await anyio.to_thread.run_sync(flow_requests.pending):
            break
        if anyio.current_time() > deadline:
            break
        if not await passthru.run_pending():
            await anyio.sleep(0.01)  # the background worker holds them: let it finish
    return advanced
