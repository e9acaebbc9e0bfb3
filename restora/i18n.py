"""Marking texts for translation outside the web layer.

Tools declare their texts in English with ``N_("...")``: it returns the text unchanged, and
``pybabel extract -k N_`` collects it into the one catalogue (``restora/web/translations``), which the
site (Flask-Babel) and the desktop window (Python's gettext) both read.
"""

from __future__ import annotations

import gettext as _gettext
from functools import lru_cache
from pathlib import Path

CATALOGUE_DIR = Path(__file__).parent / "web" / "translations"
LANGUAGES = ("en", "zh")


def N_(text: str) -> str:
    """Mark ``text`` for extraction; it is translated where it is shown."""
    return text


@lru_cache(maxsize=None)
def _catalogue(language: str) -> _gettext.NullTranslations:
    return _gettext.translation("messages", CATALOGUE_DIR, languages=[language], fallback=True)


def translate(text: str, language: str, extra: dict | None = None) -> str:
    """``text`` in ``language`` from the project's catalogue, or from ``extra`` (a third-party tool's
    ``translations[language]``), or as written."""
    if not text or language == "en":
        return text
    if extra and text in extra:
        return extra[text]
    return _catalogue(language).gettext(text)
