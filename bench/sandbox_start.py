"""How long the ``trunkline`` pytest fixture's sandbox takes: importing the server, the first start
in a process (which also prepares the store template), later starts, a reset between tests, a stop.

    PYTHONPATH=src:client/src python3 bench/sandbox_start.py [--rounds 10]

Prints the figures (wall seconds); nothing is asserted.
"""

from __future__ import annotations

import argparse
import statistics
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10, help="starts (and resets) to time, 1-100")
    rounds = max(1, min(100, parser.parse_args().rounds))

    began = time.perf_counter()
    from trunkline.testing.sandbox import SandboxServer

    imported = time.perf_counter() - began
    first = SandboxServer()
    first.stop()
    starts, resets, stops = [], [], []
    for _ in range(rounds):
        began = time.perf_counter()
        server = SandboxServer()
        starts.append(time.perf_counter() - began)
        sandbox = server.sandbox
        call = sandbox.client.calls.connect(
            from_="+919999900001", to="+919999910005", caller_id=sandbox.exophone
        )
        sandbox.sandbox.wait_for(call.sid)
        began = time.perf_counter()
        sandbox.reset()
        resets.append(time.perf_counter() - began)
        began = time.perf_counter()
        server.stop()
        stops.append(time.perf_counter() - began)

    print(f"import of the server:          {imported:.3f} s")
    print(f"first start (makes template):  {first.start_seconds:.3f} s")
    for name, values in (("start", starts), ("reset", resets), ("stop", stops)):
        print(
            f"{name:<6} median {statistics.median(values):.3f} s  "
            f"min {min(values):.3f} s  max {max(values):.3f} s  ({rounds} rounds)"
        )


if __name__ == "__main__":
    main()
