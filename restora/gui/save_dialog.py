"""Save as: where, in which format (PNG, JPEG, WebP) and at which quality."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout, QLineEdit, QPushButton, QSpinBox,
    QWidget,
)

from restora.gui.texts import text
from restora.i18n import N_

FORMATS = {"PNG": ".png", "JPEG": ".jpg", "WebP": ".webp"}
DEFAULT_QUALITY = 92  # as the command line writes


class SaveDialog(QDialog):
    def __init__(self, suggested: Path, language: str, quality: int = DEFAULT_QUALITY,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.language = language
        self.setWindowTitle(text(N_("Save the result"), language))
        self.path = QLineEdit(str(suggested))
        browse = QPushButton(text(N_("Choose…"), language))
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        self.format = QComboBox()
        self.format.addItems(list(FORMATS))
        self.format.setCurrentIndex(max(0, list(FORMATS.values()).index(suggested.suffix.lower())
                                        if suggested.suffix.lower() in FORMATS.values() else 0))
        self.format.currentTextChanged.connect(self._format_changed)
        self.quality = QSpinBox(minimum=1, maximum=100, value=quality)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(text(N_("Save the result"), language), row)
        form.addRow(text(N_("Format"), language), self.format)
        form.addRow(text(N_("Quality"), language), self.quality)
        form.addRow(buttons)
        self._format_changed(self.format.currentText())

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, text(N_("Save the result"), self.language), self.path.text())
        if path:
            self.path.setText(path)

    def _format_changed(self, name: str) -> None:
        self.quality.setEnabled(name != "PNG")  # PNG is lossless: no quality to choose
        self.path.setText(str(Path(self.path.text()).with_suffix(FORMATS[name])))

    def chosen(self) -> tuple[Path, int]:
        return Path(self.path.text()).expanduser(), self.quality.value()
