"""Work off the UI thread (a tool run through the tool process, decoding, saving): a QThread per task,
progress and time left, and a Cancel that stops.

The work is a callable ``work(progress, note)``. ``progress(fraction)`` is what the tool is given as its
progress callback: it forwards the fraction to the window (at most :data:`EMIT_INTERVAL` apart, so a
tool that reports every row does not flood the event loop), and raises :class:`Cancelled` once Cancel
was asked, which unwinds the tool from the inside at its next report. ``note(obj)`` sends anything else
to the window (a batch's per-file status). Exceptions never leave the thread: they arrive as ``failed``.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Callable

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

from restora.gui.engine import Cancelled

EMIT_INTERVAL = 0.05  # seconds between progress signals: 20 a second is smooth and cheap
MIN_FRACTION_FOR_ETA = 0.02  # below this the rate is mostly start-up cost, not a forecast

Progress = Callable[[float], None]
Work = Callable[[Progress, Callable[[Any], None]], Any]


def seconds_left(fraction: float, elapsed: float) -> float | None:
    """A linear forecast of the time left, or None while too little is done to tell."""
    if fraction < MIN_FRACTION_FOR_ETA or fraction >= 1.0 or elapsed <= 0:
        return None
    return elapsed * (1.0 - fraction) / fraction


class Worker(QObject):
    """Runs ``work`` once in the thread it was moved to; exactly one of succeeded/failed/cancelled, then done."""

    progressed = Signal(float, object)  # fraction, seconds left (float or None)
    noted = Signal(object)
    succeeded = Signal(object)
    failed = Signal(object)  # the exception
    cancelled = Signal()
    done = Signal()

    def __init__(self, work: Work) -> None:
        super().__init__()
        self._work = work
        self._cancel = threading.Event()
        self._started = 0.0
        self._last_emit = 0.0

    def cancel(self) -> None:
        self._cancel.set()  # read by the worker thread at the tool's next progress report

    @property
    def cancel_requested(self) -> bool:
        return self._cancel.is_set()

    def report(self, fraction: float) -> None:
        if self._cancel.is_set():
            raise Cancelled()
        now = time.monotonic()
        if now - self._last_emit >= EMIT_INTERVAL or fraction >= 1.0:
            self._last_emit = now
            fraction = min(1.0, max(0.0, float(fraction)))
            self.progressed.emit(fraction, seconds_left(fraction, now - self._started))

    @Slot()
    def run(self) -> None:
        self._started = time.monotonic()
        try:
            if self._cancel.is_set():
                raise Cancelled()
            result = self._work(self.report, self.noted.emit)
            if self._cancel.is_set():
                raise Cancelled()  # a tool that never reported progress still honours a late Cancel
        except Cancelled:
            self.cancelled.emit()
        except Exception as exc:  # every failure, MemoryError included, becomes a dialog, not a crash
            self.failed.emit(exc)
        else:
            self.succeeded.emit(result)
        finally:
            self.done.emit()


class Task:
    """A worker on its own QThread; keep the Task while it runs (it owns both)."""

    def __init__(self, work: Work) -> None:
        self.thread = QThread()
        self.worker = Worker(work)
        self.worker.moveToThread(self.thread)
        self.thread.started.connect(self.worker.run)
        # direct: quit from the worker thread itself, so a UI thread waiting in wait() is not deadlocked
        self.worker.done.connect(self.thread.quit, Qt.ConnectionType.DirectConnection)
        self.started_at = 0.0

    def start(self) -> None:
        self.started_at = time.monotonic()
        self.thread.start()

    def cancel(self) -> None:
        self.worker.cancel()

    def elapsed(self) -> float:
        return time.monotonic() - self.started_at

    def is_running(self) -> bool:
        return self.thread.isRunning()

    def wait(self, milliseconds: int = 60_000) -> bool:
        return self.thread.wait(milliseconds)
