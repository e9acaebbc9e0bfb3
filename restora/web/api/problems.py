"""Errors of the HTTP API as ``application/problem+json`` (RFC 9457) with a stable ``code``.

Every error under ``/api/`` answers this way, whether a view raised :class:`ApiError`, Flask raised an
HTTP error (404, 405, 413, 429) or the view crashed (500, logged, no traceback in the answer): a program
branches on ``code``; ``detail`` is for a person.
"""

from __future__ import annotations

from flask import Response, json, request

API_PREFIX = "/api/"
PROBLEM_TYPE = "application/problem+json"

# The code of each HTTP status when nothing more precise was given.
STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_format",
    422: "invalid_parameters",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}
TITLES = {
    400: "Bad request", 401: "Unauthorized", 403: "Forbidden", 404: "Not found", 405: "Method not allowed",
    409: "Conflict", 413: "Too large", 415: "Unsupported media type", 422: "Unprocessable content",
    429: "Too many requests", 500: "Internal server error", 503: "Service unavailable",
}


class ApiError(Exception):
    """Raised by an API view: answered as a problem document with ``status``, ``code`` and ``detail``."""

    def __init__(self, status: int, code: str, detail: str, headers: dict | None = None) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail, self.headers = status, code, detail, headers or {}


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX)


def problem(status: int, code: str | None = None, detail: str = "", headers: dict | None = None) -> Response:
    body = {
        "type": "about:blank",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "code": code or STATUS_CODES.get(status, "error"),
        "detail": detail or TITLES.get(status, "Error"),
    }
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_TYPE)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    if status == 401:
        response.headers.setdefault("WWW-Authenticate", 'Bearer realm="restora"')
    response.headers["Cache-Control"] = "no-store"
    return response
