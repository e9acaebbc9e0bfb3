"""Exceptions turned into a title and a message for a person: never a traceback on screen.

The full traceback of an unexpected error goes to the log (stderr), for a bug report.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from restora.i18n import N_

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Problem:
    title: str  # an N_ text, translated where it is shown
    message: str  # already in plain words (a tool's refusal, the weights' how-to-get)
    kind: str  # "image" | "params" | "weights" | "memory" | "crash" | "bug"
    values: tuple[str, ...] = ()  # put into the translated message's {} ("29.3 KB"), each translated too


def problem_message(problem: Problem, language: str = "en") -> str:
    """The problem's message in ``language`` with its values put in (a template is translated before it is
    filled: filled, it would match no catalogue entry)."""
    from restora.gui.texts import text

    message = text(problem.message, language)
    return message.format(*(text(value, language) for value in problem.values)) if problem.values else message


def problem_for(exc: BaseException) -> Problem:
    """What to tell the user about ``exc``; unexpected errors are logged with their traceback."""
    from restora.gui.engine import ProblemRaised, ToolCrashed
    from restora.imaging.io import InvalidImage
    from restora.tools.base import InvalidParams
    from restora.weights import WeightsError

    if isinstance(exc, ProblemRaised):  # already put in words by the tool process
        return exc.problem
    if isinstance(exc, ToolCrashed):
        return Problem(N_("The tool failed"), _capital(str(exc)), "crash")
    if isinstance(exc, InvalidImage):
        return Problem(N_("This photo cannot be opened"), _capital(str(exc)), "image")
    if isinstance(exc, WeightsError):  # MissingWeights says where it looked and how to get them
        message = _capital(str(exc))
        if "restora models" not in message:
            message += "\n`restora models list` shows every weights file and whether this machine has it; " \
                       "`restora models fetch NAME` downloads those that can be fetched."
        return Problem(N_("Weights are missing"), message, "weights")
    if isinstance(exc, InvalidParams):
        return Problem(N_("The tool cannot run"), _capital(str(exc)), "params")
    if isinstance(exc, MemoryError):
        return Problem(N_("The tool failed"),
                       N_("Not enough memory for this photo; try a smaller photo or close other programs."), "memory")
    if isinstance(exc, OSError) and exc.strerror:
        return Problem(N_("Saving failed"), f"{exc.filename or ''}: {exc.strerror}".lstrip(": "), "image")
    log.error("a tool failed", exc_info=exc)
    detail = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
    return Problem(N_("The tool failed"), f"{_capital(detail)} ({type(exc).__name__})", "bug")


def _capital(message: str) -> str:
    return message[:1].upper() + message[1:] if message else message
