"""What the home page shows: the example carousel, the tool cards, the FAQ and the state of research.

Texts are marked with ``lazy_gettext`` so they are translated when the page renders.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask_babel import lazy_gettext as _l

from restora.tools import TOOLS


@dataclass(frozen=True)
class Example:
    tool: str
    before: str  # path under static/
    after: str
    caption: object  # a lazy string


STATIC = Path(__file__).parent / "static"

# Made by `python -m restora.web.examples` with Restora's own adjust tool.
_ADJUST_EXAMPLES = (
    Example("adjust", "examples/adjust-1-before.jpg", "examples/adjust-1-after.jpg",
            _l("A dark, sideways photo, turned upright and brightened.")),
    Example("adjust", "examples/adjust-2-before.jpg", "examples/adjust-2-after.jpg",
            _l("An underexposed photo, brightened.")),
    Example("adjust", "examples/adjust-3-before.jpg", "examples/adjust-3-after.jpg",
            _l("A photo taken upside down, turned and brightened.")),
)

# One slot per model tool, in carousel order. A slot shows its tool's pictures once
# static/examples/<tool>-before.jpg and -after.jpg exist (made with that tool), else the adjust example.
_SLOTS = (
    ("deblur", _l("A photo blurred by camera shake, made sharp.")),
    ("colorize", _l("An old black-and-white photo, in colour.")),
    ("background", _l("A portrait with its background replaced.")),
)


def carousel_examples() -> list[Example]:
    """Three examples: each slot's own tool when its pictures exist, else an adjust example."""
    chosen = []
    for (tool, caption), fallback in zip(_SLOTS, _ADJUST_EXAMPLES):
        before, after = f"examples/{tool}-before.jpg", f"examples/{tool}-after.jpg"
        if tool in TOOLS and (STATIC / before).is_file() and (STATIC / after).is_file():
            chosen.append(Example(tool, before, after, caption))
        else:
            chosen.append(fallback)
    return chosen


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
          _l("Yes. The same tools run from the command line (for example: restora adjust photo.jpg -o fixed.png) "
             "and in a desktop window.")),
)

# Facts from docs/ and the research notes; numbers are the papers' own unless said otherwise.
RESEARCH = (
    Entry(_l("Deblur: DeblurGAN"),
          _l("A ResNet generator trained as a Wasserstein GAN with gradient penalty on sharp and blurred pairs "
             "made by simulated camera shake (Kupyn et al., 2018). DeblurGAN scores 28.7 dB PSNR on the GoPro "
             "test set and DeblurGAN-v2 29.6 dB; the best recent models (NAFNet, Restormer, FFTformer, EVSSM) "
             "reach 33 to 34.5 dB. Restora trains its own weights on ordinary computers, so expect less than "
             "the paper's numbers.")),
    Entry(_l("Colorize: DeOldify"),
          _l("A U-Net on a ResNet encoder, trained by \"NoGAN\": first the generator alone with a perceptual "
             "loss, then the critic alone, then a short GAN phase stopped where the pictures look best. No FID "
             "score or user study has been published for it; colours are plausible, not necessarily true.")),
    Entry(_l("Background: U²-Net"),
          _l("Small U-Nets nested inside a U-Net, trained with a loss on all seven of its outputs (Qin et al., "
             "2020). On the DUTS-TE benchmark it scores a max F-measure of 0.873 (the 4.7 MB U²-Netp: 0.852). "
             "Fine hair remains the hardest part, and the most common complaint.")),
    Entry(_l("Adjust"),
          _l("Rotation, flips and brightness are exact pixel operations; no model is involved.")),
)

INTRODUCTION = _l(
    "Restora is a photo-restoration studio you run yourself. It removes motion blur, brings colour back to "
    "old black-and-white photos, cuts out a person or an object and puts a new background behind it, and "
    "rotates or brightens pictures. Every model it ships was trained by the project on data anyone can get, "
    "and the same engine drives this web site, the command line and the desktop window."
)
