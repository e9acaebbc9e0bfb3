"""Tools run in a separate process, one job at a time, fed and read by a thread of the window.

Why a process and not only a thread: a thread shares Python's lock (the GIL) with the UI thread, and
some work keeps it for seconds: the first ``import torch`` loads its libraries under the lock (measured:
the UI thread stalled 1.6 s; 2.7 s while a net ran on a 12-MP photo). A process shares nothing, so the window keeps
drawing; a tool that crashes the interpreter (a segfault in a native library, an out-of-memory kill)
takes only its process down, and the opened photos stay. The process is started on the first run and
kept, so nets built once (the tools' caches) serve the next runs.

Protocol over a ``multiprocessing`` pipe (spawn: no fork of a process with Qt threads):
parent -> child ``("run", tool, params, settings)`` and the image (:func:`send_image`), or ``("stop",)``;
child -> parent ``("progress", fraction)`` and one of ``("ok",)`` and the result, ``("problem", Problem)``,
``("cancelled",)``.
Cancel sets a shared Event that the tool's progress callback turns into :class:`Cancelled`; a tool that
does not report within :data:`CANCEL_GRACE` seconds has its process ended (a fresh one serves the next run).
This module imports no Qt, so the child process never loads it.
"""

from __future__ import annotations

import logging
import multiprocessing
import pickle
import time
from typing import Any, Callable

from restora.i18n import N_

log = logging.getLogger(__name__)

CANCEL_GRACE = 5.0  # seconds a tool has to reach its next progress report after Cancel
POLL = 0.05  # seconds between looks at the pipe (and at Cancel) while a tool runs


class Cancelled(Exception):
    """Raised inside the tool by its progress callback after the user pressed Cancel."""


class ToolCrashed(RuntimeError):
    """The tool's process ended without an answer (a native crash, an out-of-memory kill)."""


# --- the child process -----------------------------------------------------------------------------


def serve(conn, cancel) -> None:
    """The tool process: run jobs from ``conn`` until told to stop or the window goes away."""
    from restora.gui.errors import problem_for
    from restora.tools.base import run_with_views

    while True:
        try:
            data = conn.recv_bytes()
        except EOFError:
            return  # the window closed
        try:
            message = pickle.loads(data)
        except Exception as exc:  # a tool whose module this process cannot import: an answer, not a death
            conn.send(("problem", problem_for(exc)))
            continue
        if message[0] == "stop":
            return
        _, tool, params, settings = message
        image, _ = receive_image(conn)
        last = [0.0]

        def progress(fraction: float) -> None:
            if cancel.is_set():
                raise Cancelled()
            now = time.monotonic()
            if now - last[0] >= POLL or fraction >= 1.0:  # a tool reporting every row must not flood the pipe
                last[0] = now
                conn.send(("progress", float(fraction)))

        try:
            tool = _resolve(tool)
            tool.prepare(settings=settings, **params)  # missing weights: before any pixel work
            progress(0.0)
            # The window shows the result only; a tool's views (a mask) are the site's and the CLI's.
            result = run_with_views(tool, image, progress=progress, settings=settings, **params).image
            if cancel.is_set():
                raise Cancelled()
        except Cancelled:
            conn.send(("cancelled",))
        except Exception as exc:  # every failure is a Problem in plain words (the traceback is logged here)
            conn.send(("problem", problem_for(exc)))
        else:
            conn.send(("ok",))
            send_image(conn, result)


# Pictures cross the pipe as their raw bytes after a small header, not pickled: pickling a 12-MP image
# copied its 36 MB twice more while holding the GIL (0.57 s to pickle, a 157 ms stall of the UI thread).


def send_image(conn, image) -> None:
    if image.mode not in ("RGB", "RGBA", "L"):
        image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
    conn.send((image.mode, image.size, dict(image.info)))
    conn.send_bytes(image.tobytes())


def receive_image(conn):
    """(PIL image, its raw bytes): the bytes let the window show it without another copy."""
    from PIL import Image

    mode, size, info = conn.recv()
    data = conn.recv_bytes()
    image = Image.frombytes(mode, size, data)
    image.info = info
    return image, data


def _resolve(tool: Any) -> Any:
    """A tool sent by name is the child's registered one (the same code, its nets cached here)."""
    if isinstance(tool, str):
        from restora.tools import TOOLS, load_entry_points

        if tool not in TOOLS:
            load_entry_points()  # installed after this process started
        return TOOLS[tool]
    return tool


# --- the window's side ------------------------------------------------------------------------------


class ToolProcess:
    """The window's handle on its tool process; ``run`` blocks (call it from a worker thread)."""

    def __init__(self) -> None:
        self._context = multiprocessing.get_context("spawn")
        self._process = None
        self._conn = None
        self._cancel = None  # made with the process: a window that never runs a tool holds no semaphore

    def _start(self) -> None:
        parent, child = self._context.Pipe()
        if self._cancel is None:
            self._cancel = self._context.Event()
        self._cancel.clear()
        self._process = self._context.Process(target=serve, args=(child, self._cancel), daemon=True,
                                              name="restora-tool")
        self._process.start()
        child.close()
        self._conn = parent

    def alive(self) -> bool:
        return self._process is not None and self._process.is_alive()

    def run(self, tool: Any, image: Any, params: dict, settings: Any, progress: Callable[[float], None],
            notice: Callable[..., None] | None = None) -> Any:
        """(the tool's result, its raw bytes); ``progress`` gets fractions and may raise :class:`Cancelled`
        to stop the tool. ``notice(words, *values)`` is for what the window should mention besides the result
        (the remote engine's compressed upload); a local run has nothing to mention.

        :raises ProblemRaised: with the tool's Problem; :raises ToolCrashed: when the process died.
        """
        if not self.alive():
            self._start()
        self._cancel.clear()
        self._conn.send(("run", _sendable(tool), params, settings))
        send_image(self._conn, image)
        fraction = 0.0
        while True:
            try:
                if not self._conn.poll(POLL):
                    if not self._process.is_alive():
                        raise ToolCrashed(self._crash_message())
                    progress(fraction)  # also where Cancel is noticed
                    continue
                message = self._conn.recv()
            except Cancelled:
                self._stop_tool()
                raise
            except (EOFError, OSError):
                raise ToolCrashed(self._crash_message()) from None
            if message[0] == "progress":
                fraction = message[1]
                try:
                    progress(fraction)
                except Cancelled:
                    self._stop_tool()
                    raise
            elif message[0] == "ok":
                return receive_image(self._conn)
            elif message[0] == "problem":
                raise ProblemRaised(message[1])
            elif message[0] == "cancelled":
                raise Cancelled()

    def _stop_tool(self) -> None:
        """Ask the tool to stop at its next report; end the process if it does not answer in time."""
        self._cancel.set()
        deadline = time.monotonic() + CANCEL_GRACE
        while time.monotonic() < deadline:
            try:
                if self._conn.poll(POLL):
                    reply = self._conn.recv()[0]
                    if reply == "ok":
                        receive_image(self._conn)  # finished just as Cancel came: drop the result
                    if reply in ("ok", "problem", "cancelled"):
                        return
            except (EOFError, OSError):
                break
            if not self.alive():
                break
        self.close(wait=0)

    def _crash_message(self) -> str:
        code = None
        if self._process is not None:
            self._process.join(2)  # the pipe closes a moment before the exit status is known
            code = self._process.exitcode
        self.close(wait=0)
        return f"the tool's process ended unexpectedly (exit code {code})"

    def close(self, wait: float = 2.0) -> None:
        """Stop the process: politely, then by force after ``wait`` seconds."""
        if self._process is None:
            return
        try:
            if self._process.is_alive() and wait:
                self._conn.send(("stop",))
                self._process.join(wait)
        except (OSError, EOFError, BrokenPipeError):
            pass
        if self._process.is_alive():
            self._process.kill()
            self._process.join(5)
        self._conn.close()
        self._process = self._conn = None


class ProblemRaised(Exception):
    """A tool's failure, already in plain words (a :class:`restora.gui.errors.Problem`) by the tool process."""

    def __init__(self, problem) -> None:
        from restora.gui.errors import problem_message

        super().__init__(problem_message(problem))
        self.problem = problem


def _sendable(tool: Any) -> Any:
    """The tool itself when it pickles (a tool registered only in this process, e.g. by a test), else its
    name, for the child's registry."""
    try:
        pickle.dumps(tool)
        return tool
    except Exception:
        return tool.name


CRASH_TITLE = N_("The tool failed")
