"""restora.i18n: a label with a plain suffix (an ID size's pixels) keeps its translation after it has
travelled as a plain string (JSON, the API's choice labels)."""

from __future__ import annotations

from babel.messages.pofile import read_po

from restora.i18n import _FLATTENED_SUFFIX, CATALOGUE_DIR, plain_suffix, translate, with_plain_suffix_again
from restora.tools.background.id_photo import ID_SIZES


def test_a_flattened_id_size_label_splits_back_into_label_and_pixels():
    for size in ID_SIZES:
        again = with_plain_suffix_again(str(size.choice_label))
        assert again == size.choice_label and plain_suffix(again) == (size.label, size.choice_label.suffix)
        assert translate(again, "zh") == translate(size.choice_label, "zh") != str(size.choice_label)


def test_other_texts_are_left_whole():
    for text in ("U²-Netp (fast)", "90° left", "4×6 in print", "Fine"):
        assert plain_suffix(with_plain_suffix_again(text)) == (text, "")


def test_no_catalogue_entry_ends_in_what_would_be_split_off():
    with open(CATALOGUE_DIR / "zh" / "LC_MESSAGES" / "messages.po", "rb") as po:
        split = [message.id for message in read_po(po) if isinstance(message.id, str)
                 and _FLATTENED_SUFFIX.match(message.id)]
    assert split == []
