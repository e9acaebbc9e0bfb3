"""What the home page shows: the example carousel, the tool cards, the FAQ and the research notes.

Everything about a tool comes from the registry (its title, card text, icon, research note), translated
through the project's catalogue or the tool's own translations, so the site shows exactly the tools
that are installed. Site texts are marked with ``lazy_gettext``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from restora.i18n import plain_suffix
from restora.tools import TOOLS

STATIC = Path(__file__).parent / "static"
EXAMPLES_MANIFEST = STATIC / "examples" / "examples.json"  # written by docs/make_web_examples.py


def tool_text(tool, text: str) -> str:
    """One of ``tool``'s declared texts in the page's language: the tool's own translations (third-party
    tools), else the project's catalogue, else as written."""
    if not text:
        return text
    language = str(get_locale() or "en")
    own = getattr(tool, "translations", {}).get(language, {})
    text, suffix = plain_suffix(text)
    return (own.get(text) or gettext(text)) + suffix


@dataclass(frozen=True)
class Example:
    tool: str
    before: str  # path under static/
    after: str
    caption: str


def carousel_examples() -> list[Example]:
    """The before/after pairs of the manifest whose tool is installed and whose pictures exist."""
    try:
        entries = json.loads(EXAMPLES_MANIFEST.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return []
    language = str(get_locale() or "en")
    chosen = []
    for entry in entries:
        if entry["tool"] in TOOLS and (STATIC / entry["before"]).is_file() and (STATIC / entry["after"]).is_file():
            caption = entry["caption"].get(language) or entry["caption"]["en"]
            chosen.append(Example(entry["tool"], entry["before"], entry["after"], caption))
    return chosen


@dataclass(frozen=True)
class ToolCard:
    name: str
    title: str
    description: str
    icon: str | None  # URL of the tool's icon


def tool_cards() -> list[ToolCard]:
    """One card per registered tool, in registry order."""
    cards = []
    for name, tool in TOOLS.items():
        icon = url_for("pages.tool_icon", tool=name) if tool.icon_path() is not None else None
        cards.append(ToolCard(name=name, title=tool_text(tool, tool.title or name),
                              description=tool_text(tool, tool.card_text), icon=icon))
    return cards


@dataclass(frozen=True)
class Entry:
    title: object
    text: object


# Upload limits are filled in by the template from the settings (%(mb)d, %(mp)d).
FAQ = (
    Entry(_l("Do my photos leave my computer?"),
          _l("No. Restora runs on your own computer or server. Uploads and results stay in its data folder, "
             "and no model or data is downloaded while it runs.")),
    Entry(_l("Which files can I upload?"),
          _l("JPEG, PNG and WebP pictures. Every upload is checked and re-encoded before it is stored.")),
    Entry(_l("Why do I need an email code?"),
          _l("The code proves the address is yours, so you can set a new password if you forget yours.")),
    Entry(_l("How long are my results kept?"),
          _l("Until you delete them from your history.")),
    Entry(_l("Can I use Restora without the web site?"),
          _l("Yes. The same tools run from the command line: restora --help lists them.")),
)


def research_entries() -> list[Entry]:
    """Each installed tool's research note (what its method is, published numbers), in registry order."""
    return [Entry(tool_text(tool, tool.title or name), tool_text(tool, tool.research))
            for name, tool in TOOLS.items() if getattr(tool, "research", "")]


INTRODUCTION = _l(
    "Restora is a photo-restoration studio you run yourself. Every model it ships was trained by the project "
    "on data anyone can get, and the same engine drives this web site and the command line."
)
