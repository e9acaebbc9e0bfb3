"""Helpers that walk ``app.url_map``: every rule with sample arguments, for the route-wide tests."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from flask import Flask
from werkzeug.routing import Rule
from werkzeug.routing.converters import IntegerConverter, UUIDConverter

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
# Sample values for well-known URL arguments; anything else gets one by its converter.
SAMPLE_ARGUMENTS = {"tool": "adjust", "filename": "x.png"}


@dataclass(frozen=True)
class Route:
    rule: Rule
    kind: str | None

    @property
    def methods(self) -> set[str]:
        return set(self.rule.methods or ()) - {"HEAD", "OPTIONS"}

    def url(self, app: Flask, username: str = "alice") -> str:
        values = {}
        for name in self.rule.arguments:
            converter = self.rule._converters[name]
            if name == "username":
                values[name] = username
            elif name in SAMPLE_ARGUMENTS:
                values[name] = SAMPLE_ARGUMENTS[name]
            elif isinstance(converter, IntegerConverter):
                values[name] = 1
            elif isinstance(converter, UUIDConverter):
                values[name] = uuid.UUID(int=1)
            else:
                values[name] = "1"
        with app.test_request_context():
            adapter = app.url_map.bind("localhost")
            return adapter.build(self.rule.endpoint, values, force_external=False)


def routes(app: Flask) -> list[Route]:
    from restora.web.access import access_kind

    return [Route(rule, access_kind(app.view_functions[rule.endpoint], rule.endpoint)) for rule in app.url_map.iter_rules()]
