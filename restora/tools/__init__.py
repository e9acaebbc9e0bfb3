"""The registry of user-facing tools. Fronts take their choices from here.

Tool modules import torch and their nets lazily (inside ``run``), so importing this registry is cheap.
"""

from restora.tools.adjust import Adjust
from restora.tools.base import InvalidParams, Param, Tool
from restora.tools.deblur import Deblur

TOOLS: dict[str, Tool] = {
    "adjust": Adjust(),
    "deblur": Deblur(),
}

__all__ = ["TOOLS", "InvalidParams", "Param", "Tool"]
