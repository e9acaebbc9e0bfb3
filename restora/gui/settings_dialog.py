"""The Settings dialog: threads, precision, models folder, language."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout, QLineEdit, QPushButton,
    QSpinBox, QWidget,
)

from restora.config import PRECISIONS
from restora.gui.settings import GuiSettings
from restora.gui.texts import text
from restora.i18n import N_

LANGUAGE_NAMES = {"en": "English", "zh": "中文"}


class SettingsDialog(QDialog):
    def __init__(self, settings: GuiSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        lang = settings.language
        self.setWindowTitle(text(N_("Settings"), lang))
        self.threads = QSpinBox(minimum=0, maximum=256, value=settings.threads)
        self.precision = QComboBox()
        self.precision.addItems(PRECISIONS)
        self.precision.setCurrentText(settings.precision)
        self.models_dir = QLineEdit(settings.models_dir)
        browse = QPushButton(text(N_("Choose…"), lang))
        browse.clicked.connect(self._choose_models_dir)
        row = QHBoxLayout()
        row.addWidget(self.models_dir)
        row.addWidget(browse)
        self.language = QComboBox()
        for code, name in LANGUAGE_NAMES.items():
            self.language.addItem(name, code)
        self.language.setCurrentIndex(list(LANGUAGE_NAMES).index(lang))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(text(N_("Threads (0: automatic)"), lang), self.threads)
        form.addRow(text(N_("Precision"), lang), self.precision)
        form.addRow(text(N_("Models folder"), lang), row)
        form.addRow(text(N_("Language"), lang), self.language)
        form.addRow(buttons)

    def _choose_models_dir(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, text(N_("Models folder"), self.settings.language),
                                                  self.models_dir.text())
        if folder:
            self.models_dir.setText(folder)

    def accept(self) -> None:
        self.settings.threads = self.threads.value()
        self.settings.precision = self.precision.currentText()
        self.settings.models_dir = self.models_dir.text().strip()
        self.settings.language = self.language.currentData()
        self.settings.sync()
        super().accept()
