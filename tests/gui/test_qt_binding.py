"""The pinned PySide6 keeps Python's reference counts: 6.12.0 dropped a reference to True on every
``Signal.emit()``, and a long run (a 12-MP deblur emits progress for minutes) ended in
"Fatal Python error: bool_dealloc". An upgrade to a binding with that bug fails here, not on a user."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class Emitter(QObject):
    progressed = Signal(float, object)
    done = Signal()


def test_emitting_signals_leaves_the_reference_counts_alone(qapp):
    emitter = Emitter()
    seen = []
    emitter.progressed.connect(lambda fraction, left: seen.append(fraction))
    emitter.done.connect(lambda: None)
    before = sys.getrefcount(True), sys.getrefcount(False)
    for _ in range(500):
        emitter.progressed.emit(0.5, None)
        emitter.done.emit()
    after = sys.getrefcount(True), sys.getrefcount(False)
    assert len(seen) == 500
    assert abs(after[0] - before[0]) < 50 and abs(after[1] - before[1]) < 50, (before, after)
