"""One control per parameter kind (the drawn kinds, hints and box, are in drawn_controls.py).

Each :class:`Control` holds a widget and gives the raw value :meth:`Tool.validate` takes.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox, QColorDialog, QComboBox, QDoubleSpinBox, QFileDialog, QHBoxLayout, QLabel, QLineEdit, QPushButton,
    QSlider, QSpinBox, QWidget,
)

from restora.gui.texts import text
from restora.i18n import N_
from restora.tools.base import NAMED_COLOURS, Param, Tool

SLIDER_STEPS = 1000  # a float slider's resolution
LOG_RATIO = 100  # a positive range wider than this (max / min) gets a logarithmic slider
COLOUR_NAMES = {"white": N_("White"), "red": N_("Red"), "blue": N_("Blue"), "green": N_("Green")}
IMAGE_FILTER = N_("Images (*.jpg *.jpeg *.png *.webp)")


class Control:
    """One parameter's widget; ``value()`` is the raw value for ``tool.validate``."""

    def __init__(self, param: Param, widget: QWidget) -> None:
        self.param = param
        self.widget = widget

    def value(self) -> Any:
        raise NotImplementedError

    def set_value(self, value: Any) -> None:
        raise NotImplementedError

    def detach(self) -> None:
        """Let go of what outlives the form (the window's overlay) before the form is thrown away."""


class ChoiceControl(Control):
    def __init__(self, param: Param, tool: Tool, language: str) -> None:
        box = QComboBox()
        for choice in param.choices:
            box.addItem(text(param.choice_label(choice), language, tool), choice)
        super().__init__(param, box)
        self.set_value(param.default)

    def value(self) -> str:
        return self.widget.currentData()

    def set_value(self, value: Any) -> None:
        index = self.widget.findData(value)
        if index >= 0:
            self.widget.setCurrentIndex(index)


class NumberControl(Control):
    """A spin box, with a slider beside it when both ends of the range are declared."""

    def __init__(self, param: Param) -> None:
        self.is_float = param.kind == "float"
        low = param.minimum if param.minimum is not None else -1e9
        high = param.maximum if param.maximum is not None else 1e9
        if self.is_float:
            self.spin = QDoubleSpinBox()
            self.spin.setDecimals(3 if high - low <= 2 else 2)
            self.spin.setSingleStep(0.01 if high - low <= 2 else 0.1)
        else:
            self.spin = QSpinBox()
            low, high = int(max(low, -2**31)), int(min(high, 2**31 - 1))
        self.spin.setRange(low, high)
        widget = QWidget()
        row = QHBoxLayout(widget)
        row.setContentsMargins(0, 0, 0, 0)
        self.slider: QSlider | None = None
        self.log = bool(param.minimum and param.minimum > 0 and param.maximum and param.maximum / param.minimum > LOG_RATIO)
        if param.minimum is not None and param.maximum is not None:
            self.slider = QSlider(Qt.Orientation.Horizontal)
            self.slider.setRange(0, SLIDER_STEPS if self.is_float or high - low > SLIDER_STEPS else int(high - low))
            row.addWidget(self.slider, 1)
            self.slider.valueChanged.connect(self._from_slider)
            self.spin.valueChanged.connect(self._to_slider)
        row.addWidget(self.spin)
        super().__init__(param, widget)
        self.set_value(param.default if param.default is not None else low)

    def _position(self, value: float) -> int:
        low, high, steps = self.spin.minimum(), self.spin.maximum(), self.slider.maximum()
        if self.log:
            share = math.log(value / low) / math.log(high / low)
        else:
            share = (value - low) / (high - low) if high > low else 0.0
        return round(min(1.0, max(0.0, share)) * steps)

    def _from_slider(self, position: int) -> None:
        low, high, steps = self.spin.minimum(), self.spin.maximum(), self.slider.maximum()
        share = position / steps if steps else 0.0
        value = low * (high / low) ** share if self.log else low + share * (high - low)
        if self._position(self.spin.value()) != position:  # the spin box's own changes move the slider only
            self.spin.setValue(value if self.is_float else round(value))

    def _to_slider(self, value: float) -> None:
        self.slider.blockSignals(True)
        self.slider.setValue(self._position(value))
        self.slider.blockSignals(False)

    def value(self) -> float | int:
        return float(self.spin.value()) if self.is_float else int(self.spin.value())

    def set_value(self, value: Any) -> None:
        self.spin.setValue(float(value) if self.is_float else int(value))
        if self.slider is not None:
            self._to_slider(self.spin.value())


class BoolControl(Control):
    def __init__(self, param: Param) -> None:
        super().__init__(param, QCheckBox())
        self.set_value(bool(param.default))

    def value(self) -> bool:
        return self.widget.isChecked()

    def set_value(self, value: Any) -> None:
        self.widget.setChecked(bool(value))


class ColourControl(Control):
    """The named colours in a combo box; "Custom colour…" opens a colour dialog and adds #rrggbb."""

    def __init__(self, param: Param, language: str) -> None:
        widget = QWidget()
        row = QHBoxLayout(widget)
        row.setContentsMargins(0, 0, 0, 0)
        self.combo = QComboBox()
        for name in NAMED_COLOURS:
            self.combo.addItem(text(COLOUR_NAMES.get(name, name), language), name)
        self.custom = QPushButton(text(N_("Custom colour…"), language))
        self.custom.clicked.connect(self.choose)
        row.addWidget(self.combo, 1)
        row.addWidget(self.custom)
        super().__init__(param, widget)
        self.set_value(param.default or "white")

    def choose(self) -> None:
        colour = QColorDialog.getColor(QColor(self.value()), self.widget)
        if colour.isValid():
            self.set_value(colour.name())

    def value(self) -> str:
        return self.combo.currentData()

    def set_value(self, value: Any) -> None:
        value = str(value).lower()
        if self.combo.findData(value) < 0:
            self.combo.addItem(value, value)
        self.combo.setCurrentIndex(self.combo.findData(value))


class ImageControl(Control):
    """A second picture: chosen from a file, decoded at once (a refused file is reported then)."""

    def __init__(self, param: Param, language: str) -> None:
        self.language = language
        widget = QWidget()
        row = QHBoxLayout(widget)
        row.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel(text(N_("No file"), language))
        choose = QPushButton(text(N_("Choose…"), language))
        clear = QPushButton(text(N_("Clear"), language))
        choose.clicked.connect(self.choose)
        clear.clicked.connect(lambda: self.set_value(None))
        row.addWidget(self.label, 1)
        row.addWidget(choose)
        row.addWidget(clear)
        super().__init__(param, widget)
        self.image = None
        self.failed = None  # set by the form: called with the exception of a refused file

    def choose(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.widget, text(self.param.title, self.language), "",
                                              text(IMAGE_FILTER, self.language))
        if path:
            try:
                self.load(path)
            except Exception as exc:  # a refused picture: a dialog, and the old choice stays
                if self.failed is not None:
                    self.failed(exc)

    def load(self, path: str | Path) -> None:
        """:raises InvalidImage: when the file is not a picture Restora reads."""
        from restora.imaging.io import load_image

        self.image = load_image(Path(path))
        self.label.setText(Path(path).name)

    def value(self) -> Any:
        return self.image

    def set_value(self, value: Any) -> None:
        self.image = value
        self.label.setText(text(N_("No file"), self.language) if value is None else "…")


class TextControl(Control):
    def __init__(self, param: Param) -> None:
        super().__init__(param, QLineEdit("" if param.default is None else str(param.default)))

    def value(self) -> str:
        return self.widget.text()

    def set_value(self, value: Any) -> None:
        self.widget.setText("" if value is None else str(value))


class WeightsControl(TextControl):
    """A registered weights name or a file; empty: the tool's default."""

    def __init__(self, param: Param, tool: Tool) -> None:
        super().__init__(param)
        names = [entry.name for entry in getattr(tool, "weights", ())]
        self.widget.setPlaceholderText(", ".join(names) if names else "")
