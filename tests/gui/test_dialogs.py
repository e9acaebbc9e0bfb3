"""The Save as and Settings dialogs."""

from __future__ import annotations

from pathlib import Path

from restora.gui.save_dialog import SaveDialog
from restora.gui.settings_dialog import SettingsDialog


def test_save_as_offers_the_formats_and_a_quality_only_where_it_means_something(qtbot, tmp_path):
    dialog = SaveDialog(tmp_path / "photo-deblur.png", "en", quality=80)
    qtbot.addWidget(dialog)
    assert dialog.format.currentText() == "PNG" and not dialog.quality.isEnabled()
    dialog.format.setCurrentText("JPEG")
    assert dialog.quality.isEnabled()
    dialog.quality.setValue(70)
    assert dialog.chosen() == (tmp_path / "photo-deblur.jpg", 70)
    dialog.format.setCurrentText("WebP")
    assert dialog.chosen()[0] == Path(tmp_path / "photo-deblur.webp")


def test_settings_dialog_stores_what_is_chosen(qtbot, gui_settings, tmp_path):
    dialog = SettingsDialog(gui_settings)
    qtbot.addWidget(dialog)
    dialog.threads.setValue(2)
    dialog.precision.setCurrentText("bfloat16")
    dialog.models_dir.setText(str(tmp_path))
    dialog.language.setCurrentIndex(dialog.language.findData("zh"))
    dialog.accept()
    assert (gui_settings.threads, gui_settings.precision, gui_settings.models_dir, gui_settings.language) == (
        2, "bfloat16", str(tmp_path), "zh")
