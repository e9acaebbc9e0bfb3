"""The adjust tool: parameter validation and results through the Tool protocol."""

from __future__ import annotations

import math

import numpy as np
import pytest

from restora.tools import TOOLS, InvalidParams


def test_registry_has_adjust_with_typed_params():
    tool = TOOLS["adjust"]
    names = {p.name: p for p in tool.params}
    assert names["rotate"].kind == "choice" and "flip-h" in names["rotate"].choices
    assert (names["brightness"].minimum, names["brightness"].maximum) == (0.2, 100)


@pytest.mark.parametrize("factor", ["0.2", "1", "100", 0.5, 42])
def test_valid_brightness_is_accepted(factor):
    values = TOOLS["adjust"].validate({"rotate": "left", "brightness": factor})
    assert values["brightness"] == float(factor)


@pytest.mark.parametrize("factor", ["0.19", "100.01", "-1", "nan", "inf", "bright", math.nan])
def test_brightness_outside_range_is_refused(factor):
    with pytest.raises(InvalidParams, match="Brightness"):
        TOOLS["adjust"].validate({"rotate": "left", "brightness": factor})


def test_nothing_to_do_is_refused():
    with pytest.raises(InvalidParams, match="nothing to do"):
        TOOLS["adjust"].validate({"rotate": "none", "brightness": "1"})
    with pytest.raises(InvalidParams, match="nothing to do"):
        TOOLS["adjust"].validate({})  # the defaults alone do nothing


def test_unknown_parameter_and_rotation_are_refused():
    with pytest.raises(InvalidParams, match="no parameter 'contrast'"):
        TOOLS["adjust"].validate({"contrast": 2})
    with pytest.raises(InvalidParams, match="Rotation must be one of"):
        TOOLS["adjust"].validate({"rotate": "sideways"})


def test_run_rotates_then_brightens(photo_rgb):
    tool = TOOLS["adjust"]
    seen = []
    result = tool.run(photo_rgb, progress=seen.append, **tool.validate({"rotate": "right", "brightness": 0.5}))
    expected = np.floor(np.rot90(np.asarray(photo_rgb), -1) * 0.5 + 0.5).astype(np.uint8)
    assert np.array_equal(np.asarray(result), expected)
    assert seen == [1.0]
