"""Group commit for new calls: one writer thread stores every call placed meanwhile in one
transaction. SQLite takes one writer at a time and a commit costs more than the rows in it, so
under load (many clients placing calls at once) this multiplies the calls accepted per second;
a lone request waits for no one. A group that fails is stored again one call at a time, so only
the call at fault fails."""

from __future__ import annotations

import logging
import queue
import threading
from concurrent.futures import Future

from trunkline.store.call_runs import CallRunStore
from trunkline.store.call_writes import NewRun
from trunkline.store.database import unreachable

log = logging.getLogger("trunkline.engine.admission")
_STOP = object()


class CallWriter:
    def __init__(self, runs: CallRunStore, *, max_batch: int = 256) -> None:
        self._runs = runs
        self._max_batch = max_batch
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def submit(self, item: NewRun) -> Future[int | None]:
        """Queue a new call; the future gives its row id (None: unknown caller id)."""
        future: Future[int | None] = Future()
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="call-writer", daemon=True)
                self._thread.start()
        self._queue.put((item, future))
        return future

    def close(self) -> None:
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(_STOP)
            thread.join(timeout=10)

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is _STOP:
                return
            batch = [first]
            stop = False
            while len(batch) < self._max_batch:
                try:
                    extra = self._queue.get_nowait()
                except queue.Empty:
                    break
                if extra is _STOP:
                    stop = True
                    break
                batch.append(extra)
            self._write(batch)  # type: ignore[arg-type]
            if stop:
                return

    def _write(self, batch: list[tuple[NewRun, Future[int | None]]]) -> None:
        try:
            ids = self._runs.start_many([item for item, _ in batch])
        except Exception as exc:
            if unreachable(exc):  # every call of the batch fails alike: each request answers 503
                log.warning("storing %d new calls failed: the database cannot be reached", len(batch))
                for _, future in batch:
                    future.set_exception(exc)
                return
            if len(batch) > 1:
                # One bad call must not fail the others placed with it: each is tried on its own.
                log.warning("storing %d new calls together failed, one at a time: %s", len(batch), exc)
                for each in batch:
                    self._write([each])
                return
            log.exception("storing a new call failed")
            batch[0][1].set_exception(exc)
            return
        for (_, future), call_id in zip(batch, ids, strict=True):
            future.set_result(call_id)
