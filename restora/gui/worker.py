"""Work off the UI thread (a tool run through the tool process, decoding, saving): a Python thread per
task, progress and time left, and a Cancel that stops.

The work is a callable ``work(progress, note)``. ``progress(fraction)`` is what the tool's progress reaches:
it raises :class:`Cancelled` once Cancel was asked, which unwinds the work from the inside at its next
report. ``note(obj)`` sends anything else to the window (a batch's per-file status).

The thread never touches Qt. It puts events on a queue, and a QTimer on the UI thread takes them off and
emits the :class:`Worker`'s signals there, so every Qt object is used from the one thread that owns it and
a burst of progress reports costs one signal per tick. Exceptions never leave the thread: they arrive as
``failed``.
"""

from __future__ import annotations

import queue
import threading
import time
from typing import Any, Callable

from PySide6.QtCore import QObject, QTimer, Signal

from restora.gui.engine import Cancelled

POLL_MS = 30  # how often the UI thread takes the thread's news: smooth for a bar, nothing for the CPU
EMIT_INTERVAL = 0.05  # seconds between progress events: 20 a second is plenty
MIN_FRACTION_FOR_ETA = 0.02  # below this the rate is mostly start-up cost, not a forecast

Progress = Callable[[float], None]
Work = Callable[[Progress, Callable[[Any], None]], Any]


def seconds_left(fraction: float, elapsed: float) -> float | None:
    """A linear forecast of the time left, or None while too little is done to tell."""
    if fraction < MIN_FRACTION_FOR_ETA or fraction >= 1.0 or elapsed <= 0:
        return None
    return elapsed * (1.0 - fraction) / fraction


class Worker(QObject):
    """The task's signals, all emitted on the UI thread: exactly one of succeeded/failed/cancelled, then done."""

    progressed = Signal(float, object)  # fraction, seconds left (float or None)
    noted = Signal(object)
    succeeded = Signal(object)
    failed = Signal(object)  # the exception
    cancelled = Signal()
    done = Signal()


class Task:
    """``work`` on its own thread; keep the Task while it runs."""

    def __init__(self, work: Work) -> None:
        self.worker = Worker()
        self._work = work
        self._events: queue.SimpleQueue = queue.SimpleQueue()
        self._cancel = threading.Event()
        self._thread = threading.Thread(target=self._run, name="restora-task", daemon=True)
        self._timer = QTimer()
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._deliver)
        self._last_emit = 0.0
        self.started_at = 0.0
        self.finished = False

    def start(self) -> None:
        self.started_at = time.monotonic()
        self._timer.start()
        self._thread.start()

    def cancel(self) -> None:
        self._cancel.set()  # read by the thread at the work's next progress report

    @property
    def cancel_requested(self) -> bool:
        return self._cancel.is_set()

    def elapsed(self) -> float:
        return time.monotonic() - self.started_at

    def is_running(self) -> bool:
        return self._thread.is_alive()

    def wait(self, milliseconds: int = 60_000) -> bool:
        if self._thread.ident is not None:
            self._thread.join(milliseconds / 1000)
        return not self._thread.is_alive()

    # --- on the worker thread ----------------------------------------------------------------------
    def report(self, fraction: float) -> None:
        if self._cancel.is_set():
            raise Cancelled()
        now = time.monotonic()
        if now - self._last_emit >= EMIT_INTERVAL or fraction >= 1.0:
            self._last_emit = now
            fraction = min(1.0, max(0.0, float(fraction)))
            self._events.put(("progress", fraction, seconds_left(fraction, now - self.started_at)))

    def _note(self, item: Any) -> None:
        self._events.put(("note", item))

    def _run(self) -> None:
        try:
            if self._cancel.is_set():
                raise Cancelled()
            result = self._work(self.report, self._note)
            if self._cancel.is_set():
                raise Cancelled()  # work that never reported progress still honours a late Cancel
        except Cancelled:
            self._events.put(("cancelled",))
        except Exception as exc:  # every failure, MemoryError included, becomes a dialog, not a crash
            self._events.put(("failed", exc))
        else:
            self._events.put(("succeeded", result))
        finally:
            self._events.put(("done",))

    # --- on the UI thread ----------------------------------------------------------------------------
    def _deliver(self) -> None:
        progress = None
        while True:
            try:
                event = self._events.get_nowait()
            except queue.Empty:
                break
            kind = event[0]
            if kind == "progress":
                progress = event  # only the latest matters
                continue
            if progress is not None:
                self.worker.progressed.emit(progress[1], progress[2])
                progress = None
            if kind == "note":
                self.worker.noted.emit(event[1])
            elif kind == "succeeded":
                self.worker.succeeded.emit(event[1])
            elif kind == "failed":
                self.worker.failed.emit(event[1])
            elif kind == "cancelled":
                self.worker.cancelled.emit()
            elif kind == "done":
                self._timer.stop()
                self.finished = True
                self.worker.done.emit()
                return
        if progress is not None:
            self.worker.progressed.emit(progress[1], progress[2])
