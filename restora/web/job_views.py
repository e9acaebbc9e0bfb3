"""How a job looks to its owner: the JSON the pages poll, readable parameters, translated states."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from restora.jobs.models import DONE, FAILED, QUEUED, RUNNING, Job
from restora.tools import TOOLS
from restora.tools.base import declared_views
from restora.web.content import tool_text as translated
from restora.web.extensions import settings_of
from restora.web.uploads import describe_stored

STATUS_TEXT = {
    QUEUED: _l("Waiting"),
    RUNNING: _l("Working"),
    DONE: _l("Done"),
    FAILED: _l("Failed"),
}

# The tools' own refusals (English in restora/tools), translated for the page; others show as written.
TOOL_MESSAGES = {
    "nothing to do: choose a rotation or a brightness other than 1": _l(
        "Nothing to do: choose a rotation or a brightness other than 1."
    ),
}


# The job runner's reasons (restora/jobs/runner.py, queue.py) are stored in English; these patterns give
# them back in the page's language, keeping the technical detail as it is.
RUNNER_MESSAGES = (
    (re.compile(r"^the picture could not be read: (?P<detail>.*)$", re.S),
     _l("The picture could not be read: %(detail)s")),
    (re.compile(r"^the (?P<tool>\w+) model is not available on this server: (?P<detail>.*)$", re.S),
     _l("The model of this tool is not installed on this server: %(detail)s")),
    (re.compile(r"^(?P<tool>\w+) could not be run with these settings \((?P<detail>.*)\)$", re.S),
     _l("This tool could not run with these settings (%(detail)s).")),
    (re.compile(r"^(?P<tool>\w+) could not process this picture: (?P<detail>.*)$", re.S),
     _l("This tool could not process this picture: %(detail)s")),
    (re.compile(r"^the machine ran out of memory while processing this picture$"),
     _l("The server ran out of memory while processing this picture. Try a smaller picture.")),
    (re.compile(r"^a temporary problem stopped the job \((?P<detail>.*)\)$"),
     _l("A temporary problem stopped the job (%(detail)s); it was tried again and then given up.")),
    (re.compile(r"^the job stopped unexpectedly (?P<detail>\d+) times"),
     _l("The job stopped unexpectedly %(detail)s times and will not be tried again; the picture may be too large for this server.")),
)


def status_text(status: str) -> str:
    return str(STATUS_TEXT.get(status, status))


def translate_tool_message(message: str) -> str:
    """A tool's or the runner's message in the page's language (unknown ones as written)."""
    if message in TOOL_MESSAGES:
        return str(TOOL_MESSAGES[message])
    for pattern, template in RUNNER_MESSAGES:
        match = pattern.match(message)
        if match:
            return str(template) % {"detail": match.groupdict().get("detail", "")}
    return message


def tool_text(tool) -> tuple[Any, Any]:
    """(title, description) of a tool in the page's language."""
    return translated(tool, tool.title or tool.name), translated(tool, tool.card_text)


def describe_params(job: Job) -> list[tuple[str, str]]:
    """[(label, value)] in the tool's order, as a person would say them."""
    tool = TOOLS.get(job.tool)
    values = job.params
    if tool is None:
        return [(name, str(values[name])) for name in sorted(values) if values[name] not in ("", None)]
    described = []
    for param in tool.params:
        value = values.get(param.name)
        if value in ("", None):
            continue
        shown = translated(tool, param.choice_label(value)) if param.kind == "choice" else value
        described.append((translated(tool, param.title), str(shown)))
    given = job.inputs
    described.extend((translated(tool, param.title), _("uploaded")) for param in tool.params if param.name in given)
    return described


@dataclass(frozen=True)
class InputView:
    """A picture a job took besides the photo, as its page shows it: hints are laid over the photo."""

    name: str
    label: Any
    kind: str
    url: str


def describe_inputs(job: Job) -> list[InputView]:
    """The job's other pictures in the tool's order (an unknown tool's by name), with their links."""
    tool = TOOLS.get(job.tool)
    given = job.inputs
    params = [p for p in tool.params if p.name in given] if tool is not None else []
    named = {p.name: (translated(tool, p.title), p.kind) for p in params}
    owner = current_user.username
    return [
        InputView(name, *named.get(name, (name, "image")),
                  url=url_for("tools.job_input", username=owner, job_id=job.id, name=name))
        for name in [*(p.name for p in params), *sorted(set(given) - set(named))]
    ]


@dataclass(frozen=True)
class ViewLink:
    """A side picture of a finished job (a tool's declared view, such as a mask), with its links."""

    name: str
    label: Any
    url: str
    download_url: str


def finished_views(job: Job) -> list[tuple[str, str]]:
    """[(name, English label)] of the views a finished job has, in the tool's declared order, then any the
    tool no longer declares (or of a tool not installed here) by name."""
    if job.status != DONE:
        return []
    given = job.views
    labels = {view.name: view.label for view in declared_views(TOOLS.get(job.tool)) if view.name in given}
    return [(name, labels.get(name, name)) for name in [*labels, *sorted(set(given) - set(labels))]]


def describe_views(job: Job) -> list[ViewLink]:
    """The views of a finished job as its page shows them: labels in the page's language, links."""
    tool, owner = TOOLS.get(job.tool), current_user.username
    return [
        ViewLink(name, translated(tool, label),
                 url=url_for("tools.job_view", username=owner, job_id=job.id, name=name),
                 download_url=url_for("tools.job_view", username=owner, job_id=job.id, name=name, download="1"))
        for name, label in finished_views(job)
    ]


def job_json(job: Job) -> dict[str, Any]:
    owner = current_user.username
    urls = {
        "status_url": url_for("tools.job_status", username=owner, job_id=job.id),
        "page_url": url_for("tools.job_page", username=owner, job_id=job.id),
        "original_url": url_for("tools.original", username=owner, job_id=job.id),
    }
    if job.status == DONE:
        urls["result_url"] = url_for("tools.result", username=owner, job_id=job.id)
        urls["download_url"] = url_for("tools.result", username=owner, job_id=job.id, download="1")
    done = job.status == DONE and job.result_path
    return {
        "id": job.id,
        "tool": job.tool,
        "status": job.status,
        "status_text": status_text(job.status),
        "progress": round(float(job.progress or 0.0), 3),
        "attempt": job.attempt,
        "error": translate_tool_message(job.error) if job.status == FAILED and job.error else None,
        "created_at": job.created_at.isoformat() + "Z" if job.created_at else None,
        "finished_at": job.finished_at.isoformat() + "Z" if job.finished_at else None,
        # "JPEG, 29.8 KB" or "PNG, 246.4 KB": the result as stored (a JPEG where the tool had to fit a file size).
        "result_file": describe_stored(settings_of().data_dir / job.result_path) if done else None,
        "views": [{"name": view.name, "label": str(view.label), "url": view.url, "download_url": view.download_url}
                  for view in describe_views(job)],
        **urls,
    }
