"""Every word the window marks for translation has its Chinese (until the catalogue carries them)."""

from __future__ import annotations

import re
from pathlib import Path

import restora.gui
from restora.gui.texts import ZH, duration, text

# A marked text: one string literal, or several side by side (Python joins them, as pybabel extract does).
MARKED = re.compile(r'N_\(\s*((?:"(?:[^"\\]|\\.)*"\s*)+)|N_\(\s*\'((?:[^\'\\]|\\.)*)\'')
PIECE = re.compile(r'"((?:[^"\\]|\\.)*)"')


def test_every_marked_word_of_the_window_has_chinese():
    folder = Path(restora.gui.__file__).parent
    marked = {"".join(PIECE.findall(a)) if a else b for path in folder.glob("*.py") if path.name != "texts.py"
              for a, b in MARKED.findall(path.read_text(encoding="utf-8"))}
    assert marked and sorted(marked - set(ZH)) == []


def test_a_tools_own_translation_wins_and_english_stays_english():
    class Tool:
        translations = {"zh": {"Run": "开跑"}}

    assert text("Run", "zh") == "运行" and text("Run", "zh", Tool()) == "开跑" and text("Run", "en", Tool()) == "Run"


def test_durations_read_short():
    assert (duration(4.4), duration(65), duration(-1)) == ("4 s", "1 min 05 s", "0 s")
