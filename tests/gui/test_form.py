"""The generated form matches each tool's declaration: every registered tool, a test tool with the drawn
kinds, and the example third-party tool installed as its own package."""

from __future__ import annotations


import numpy as np
import pytest
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QLineEdit, QSpinBox

from restora.gui import controls as forms
from restora.gui import drawn_controls
from restora.gui.form import ParamForm
from restora.gui.overlay import Overlay
from restora.tools import TOOLS
from tests.gui.conftest import open_and_wait, run_and_wait

CONTROL_FOR_KIND = {
    "choice": forms.ChoiceControl, "float": forms.NumberControl, "int": forms.NumberControl,
    "bool": forms.BoolControl, "colour": forms.ColourControl, "image": forms.ImageControl,
    "hints": drawn_controls.HintsControl, "strokes": drawn_controls.StrokesControl, "box": drawn_controls.BoxControl,
    "text": forms.TextControl,
    "weights": forms.WeightsControl,
}


def check_form_matches(tool, form: ParamForm) -> None:
    """Each parameter has its kind's control, its choices, its range and its default."""
    assert list(form.controls) == [p.name for p in tool.params]
    for param in tool.params:
        control = form.controls[param.name]
        assert type(control) is CONTROL_FOR_KIND[param.kind], param.name
        value = control.value()
        if param.kind in ("hints", "strokes", "image", "box"):
            assert value is None  # nothing drawn or chosen yet: the tool's default applies
        else:
            assert param.coerce(value) == param.coerce(param.default), param.name
        if param.kind == "choice":
            assert [control.widget.itemData(i) for i in range(control.widget.count())] == list(param.choices)
        if param.kind in ("float", "int"):
            spin = control.spin
            assert isinstance(spin, QDoubleSpinBox if param.kind == "float" else QSpinBox)
            if param.minimum is not None:
                assert spin.minimum() == param.minimum
            if param.maximum is not None:
                assert spin.maximum() == param.maximum
            has_range = param.minimum is not None and param.maximum is not None
            assert (control.slider is not None) == has_range
        if param.kind == "bool":
            assert isinstance(control.widget, QCheckBox)
        if param.kind == "colour":
            assert isinstance(control.combo, QComboBox)
        if param.kind in ("text", "weights"):
            assert isinstance(control.widget, QLineEdit)
        in_advanced = form.advanced.isAncestorOf(control.widget)
        assert in_advanced == (param.advanced or param.kind == "weights"), param.name


@pytest.mark.parametrize("name", list(TOOLS))
def test_the_form_of_each_registered_tool_matches_its_declaration(qtbot, name):
    tool = TOOLS[name]
    form = ParamForm(tool, "en", Overlay())
    qtbot.addWidget(form)
    check_form_matches(tool, form)


def test_the_form_of_a_tool_with_every_kind(qtbot, test_tools):
    tool = test_tools["drawn-probe"]
    form = ParamForm(tool, "en", Overlay())
    qtbot.addWidget(form)
    check_form_matches(tool, form)
    assert form.controls["open_ended"].slider is None  # no maximum: a spin box only


def test_a_wide_range_gets_a_logarithmic_slider_that_round_trips(qtbot):
    from restora.tools.base import Param

    control = forms.NumberControl(Param("brightness", "float", default=1.0, minimum=0.2, maximum=100.0))
    qtbot.addWidget(control.widget)
    assert control.log and control.value() == 1.0
    middle = control.slider.maximum() // 2
    control.slider.setValue(middle)  # half way on a log scale: the geometric mean, not 50
    assert control.value() == pytest.approx((0.2 * 100) ** 0.5, rel=0.02)
    control.set_value(3.0)
    assert control.value() == 3.0 and 0 < control.slider.value() < middle + 200


def test_values_from_the_form_pass_the_tools_validation(qtbot, window, photo_path, test_tools):
    open_and_wait(qtbot, window, [photo_path])
    window.select_tool("drawn-probe")
    window.form.set_value("colour", "#123abc")
    window.form.set_value("caption", "a caption")
    window.form.set_value("count", 7)
    values = test_tools["drawn-probe"].validate(window.form.values())
    assert values["colour"] == "#123abc" and values["caption"] == "a caption" and values["count"] == 7
    assert values["hints"] is None and values["keep"] is None




@pytest.mark.slow  # pip installs the package first
def test_the_example_third_party_tool_appears_with_its_form_and_runs(qtbot, window, photo_path, example_tool):
    open_and_wait(qtbot, window, [photo_path])
    window.engine.close()  # the next run starts a tool process that sees the package's folder on its path
    window.select_tool("posterize")  # installed after the window opened: the list follows the registry
    check_form_matches(example_tool, window.form)
    window.form.set_value("levels", 2)
    window.form.set_value("gamma", False)
    run_and_wait(qtbot, window)
    result = np.asarray(window.photos[0].current)
    assert set(np.unique(result)) <= {0, 255}

    window.set_language("zh")  # its own translations
    assert window.tool_box.currentText() == "色调分离"
    assert "色阶数" in [label.text() for label in window.form.findChildren(type(window.time_left))]
