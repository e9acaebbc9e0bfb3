"""What the home page shows: the example carousel, the tool cards, the FAQ and the state of research.

Texts are marked with ``lazy_gettext`` so they are translated when the page renders.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from restora.tools import TOOLS


@dataclass(frozen=True)
class Example:
    tool: str
    before: str  # path under static/
    after: str
    caption: object  # a lazy string


# Made by `python -m restora.web.examples` with Restora's own adjust tool. Slots for deblur, colorize and
# background take their pictures from those tools once their weights ship.
EXAMPLES = (
    Example("adjust", "examples/adjust-1-before.jpg", "examples/adjust-1-after.jpg",
            _l("A dark, sideways photo, turned upright and brightened.")),
    Example("adjust", "examples/adjust-2-before.jpg", "examples/adjust-2-after.jpg",
            _l("An underexposed photo, brightened.")),
    Example("adjust", "examples/adjust-3-before.jpg", "examples/adjust-3-after.jpg",
            _l("A photo taken upside down, turned and brightened.")),
)


@dataclass(frozen=True)
class ToolCard:
    name: str
    title: object
    description: object
    icon: str  # path under static/


# Translations of the tools' own titles and descriptions; a tool without an entry shows its own text.
_TOOL_TEXT = {
    "adjust": (_l("Adjust"), _l("Rotate or flip a photo and make it brighter or darker.")),
    "deblur": (_l("Deblur"), _l("Make a photo blurred by a shaking hand or a moving subject sharp again.")),
    "colorize": (_l("Colorize"), _l("Bring colour back to an old black-and-white, faded or dark photo.")),
    "background": (_l("Background"), _l("Keep the person or object and put a new colour or picture behind it.")),
}


def tool_cards() -> list[ToolCard]:
    """One card per registered tool, in registry order."""
    cards = []
    for name, tool in TOOLS.items():
        title, description = _TOOL_TEXT.get(name, (tool.title or name, tool.description))
        cards.append(ToolCard(name=name, title=title, description=description, icon=f"icons/{name}.svg"))
    return cards


FAQ: tuple[tuple[object, object], ...] = ()
RESEARCH: tuple[tuple[object, object], ...] = ()
