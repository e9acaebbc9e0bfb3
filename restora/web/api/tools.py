"""``GET /api/v1/tools``: every registered tool and its parameters, from the registry."""

from __future__ import annotations

from flask import Blueprint, jsonify

from restora.web.access import public
from restora.web.api.core import api_limit
from restora.web.api.schema import all_tools

bp = Blueprint("tools", __name__)


@bp.route("/tools")
@public
@api_limit
def list_tools():
    return jsonify(tools=all_tools())
