"""Tools and their parameters as data: the ``GET /api/v1/tools`` answer and the JSON Schemas the OpenAPI
document uses, both read from the registry's ``Param`` declarations (no tool is named here).

A parameter travels as a multipart form field (its text form, as on the site's form), except the picture
kinds, each a file part of its own: ``image`` (a second picture), ``hints`` (an RGBA PNG
the size of the photo, alpha > 0 where a colour is wished) and ``strokes`` (a PNG the size of the photo:
painted pixels greener than red keep, redder than green remove). ``weights`` parameters are never taken over HTTP (a path sent
by a client must not choose which file the server loads), so they are not listed.
"""

from __future__ import annotations

from typing import Any

from restora.tools import TOOLS
from restora.tools.base import NAMED_COLOURS, Param
from restora.web.forms_from_params import FILE_KINDS, HIDDEN_KINDS  # one list for the site and the API

__all__ = ["FILE_KINDS", "HIDDEN_KINDS", "all_tools", "api_params", "describe_param", "param_json_schema"]
# What each picture kind must be, for the OpenAPI document's file parts.
FILE_PART_TYPES = {"image": "image/jpeg, image/png, image/webp", "hints": "image/png", "strokes": "image/png"}


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (tuple, list)):
        return [_jsonable(item) for item in value]
    return str(value)


def api_params(tool) -> list[Param]:
    return [param for param in tool.params if param.kind not in HIDDEN_KINDS]


def describe_param(param: Param) -> dict[str, Any]:
    """One parameter as the API lists it."""
    described: dict[str, Any] = {
        "name": param.name,
        "kind": param.kind,
        "part": "file" if param.kind in FILE_KINDS else "field",
        "default": _jsonable(param.default),
        "required": param.required,
        "label": param.title,
        "help": param.help,
        "units": param.units,
        "advanced": param.advanced,
    }
    if param.choices:
        described["choices"] = list(param.choices)
        described["choice_labels"] = [param.choice_label(value) for value in param.choices]
    if param.minimum is not None:
        described["minimum"] = param.minimum
    if param.maximum is not None:
        described["maximum"] = param.maximum
    if param.kind == "colour":
        described["named_colours"] = sorted(NAMED_COLOURS)
    return described


def describe_tool(tool) -> dict[str, Any]:
    return {
        "name": tool.name,
        "title": tool.title or tool.name,
        "description": tool.description,
        "params": [describe_param(param) for param in api_params(tool)],
    }


def all_tools() -> list[dict[str, Any]]:
    return [describe_tool(tool) for tool in TOOLS.values()]


def param_json_schema(param: Param) -> dict[str, Any]:
    """The JSON Schema of a parameter's multipart part (a text field, or a file)."""
    if param.kind in FILE_KINDS:
        text = param.help or param.title
        if param.kind == "hints":
            text += " An RGBA PNG the size of the photo; pixels with alpha > 0 are the wished colours."
        elif param.kind == "strokes":
            text += (" A PNG the size of the photo, transparent where there is no wish; painted pixels (alpha > 0) "
                     "with green > red keep, with red > green remove.")
        return {"type": "string", "format": "binary", "description": text}
    schema: dict[str, Any] = {"description": " ".join(filter(None, [param.title + ".", param.help])).strip()}
    if param.kind == "choice":
        schema.update(type="string", enum=list(param.choices))
    elif param.kind in ("float", "int"):
        schema["type"] = "number" if param.kind == "float" else "integer"
        if param.minimum is not None:
            schema["minimum"] = param.minimum
        if param.maximum is not None:
            schema["maximum"] = param.maximum
    elif param.kind == "bool":
        schema["type"] = "boolean"
    elif param.kind == "colour":
        schema.update(type="string", pattern=r"^(#[0-9a-fA-F]{6}|" + "|".join(sorted(NAMED_COLOURS)) + ")$")
    elif param.kind == "box":
        schema.update(type="string", pattern=r"^\d+,\d+,\d+,\d+$", description=schema["description"] + " X,Y,W,H in pixels.")
    else:
        schema["type"] = "string"
    if param.default not in (None, "") and param.kind not in FILE_KINDS:
        schema["default"] = _jsonable(param.default)
    if param.units:
        schema["x-units"] = param.units
    return schema
