"""Marking texts for translation outside the web layer.

Tools declare their texts in English with ``N_("...")``: it returns the text unchanged, and
``pybabel extract -k N_`` collects it into the one catalogue (``restora/web/translations``), which the
site (Flask-Babel) and the desktop window (Python's gettext) both read.
"""

from __future__ import annotations

import gettext as _gettext
import re
from functools import lru_cache
from pathlib import Path

CATALOGUE_DIR = Path(__file__).parent / "web" / "translations"
LANGUAGES = ("en", "zh")


def N_(text: str) -> str:
    """Mark ``text`` for extraction; it is translated where it is shown."""
    return text


def size_text(size: int) -> str:
    """A size as people say it, alike in every language: 1 GB, 500 MB, 29.3 KB (binary units, as the disk and
    upload limits count)."""
    for unit, factor in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= factor:
            return f"{size / factor:.3g} {unit}"
    return f"{size} bytes"


class WithPlainSuffix(str):
    """A marked text followed by words every language writes alike (numbers and units, "(413×579 px)"),
    computed where the text is declared. As a ``str`` it is the English whole; translating it translates
    the marked part and keeps the suffix, so the catalogue holds the marked part once."""

    def __new__(cls, text: str, suffix: str = "") -> "WithPlainSuffix":
        made = super().__new__(cls, text + suffix)
        made.text, made.suffix = text, suffix
        return made

    def __reduce__(self):  # pickled (the window's tool process) as the two parts, not the whole
        return WithPlainSuffix, (self.text, self.suffix)


def plain_suffix(text: str) -> tuple[str, str]:
    """(the part to translate, the suffix every language keeps): ("2-inch, 35×49 mm", " (413×579 px)")."""
    if isinstance(text, WithPlainSuffix):
        return text.text, text.suffix
    return text, ""


# What a WithPlainSuffix's suffix looks like once it has become part of a plain str: numbers and a unit in
# brackets at the end (" (295×413 px)"); no catalogue entry ends so (the i18n tests check).
_FLATTENED_SUFFIX = re.compile(r"^(.*\S)( \(\d[\d×.,]*(?: ?[a-z]+)?\))$")


def with_plain_suffix_again(text: str) -> str:
    """``text`` split again into its label and its plain suffix when it ends in numbers and a unit in brackets:
    a :class:`WithPlainSuffix` that travelled as a plain string (the API's choice labels, read by the window
    connected to a server), so the catalogue finds the label; other texts as they are."""
    match = _FLATTENED_SUFFIX.match(text)
    return WithPlainSuffix(match[1], match[2]) if match else text


@lru_cache(maxsize=None)
def _catalogue(language: str) -> _gettext.NullTranslations:
    return _gettext.translation("messages", CATALOGUE_DIR, languages=[language], fallback=True)


def translate(text: str, language: str, extra: dict | None = None) -> str:
    """``text`` in ``language`` from the project's catalogue, or from ``extra`` (a third-party tool's
    ``translations[language]``), or as written."""
    if not text or language == "en":
        return text
    text, suffix = plain_suffix(text)
    if extra and text in extra:
        return extra[text] + suffix
    return _catalogue(language).gettext(text) + suffix
