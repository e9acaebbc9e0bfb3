"""``GET /api/v1/openapi.json`` (OpenAPI 3.1) and ``GET /api/v1/docs``, the page rendered from it.

The document is built from the same declarations the views use: the tools and their parameters come
from the registry (:mod:`restora.web.api.schema`), so a new tool appears here with no code of its own.
The page is plain HTML from the site's own templates (no CDN, no script).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, render_template, url_for

from restora import __version__
from restora.tools import TOOLS
from restora.web.access import public
from restora.web.api.core import api_limit
from restora.web.api.schema import FILE_KINDS, FILE_PART_TYPES, all_tools, api_params, param_json_schema

bp = Blueprint("docs", __name__)

JSON = "application/json"
PROBLEM = "application/problem+json"


BINARY = {"schema": {"type": "string", "format": "binary"}}
PNG_PICTURE = {"description": "The picture.", "content": {"image/png": BINARY}}
# A result is a PNG, or a JPEG where the tool had to fit a file size (a size limit the user asked for).
RESULT_PICTURE = {"description": "The result: PNG, or JPEG when the tool had to fit a file size limit.",
                  "content": {"image/png": BINARY, "image/jpeg": BINARY}}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _problems(*statuses: int) -> dict[str, Any]:
    described = {
        400: "The request is malformed.", 401: "No token, or a bad, revoked or disabled one.",
        403: "Over the quota (pictures kept or bytes stored).", 404: "No such job of yours.",
        409: "The job has no result yet.", 413: "The upload is too large.", 415: "Not a JPEG, PNG or WebP picture.",
        422: "Unknown tool, unknown parameter, or a value the tool refuses.",
        429: "Too many requests, or too many of your pictures waiting (see Retry-After).",
        503: "The site's queue is full, too many streams, or the database is down (see Retry-After).",
    }
    return {
        str(status): {"description": described[status], "content": {PROBLEM: {"schema": _ref("Problem")}}}
        for status in statuses
    }


def _job_id() -> dict:
    return {"name": "job_id", "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}}


def _submit_form() -> dict[str, Any]:
    """The multipart body of ``POST /jobs``: tool, photo, and every tool's parameters (each says whose)."""
    properties: dict[str, Any] = {
        "tool": {"type": "string", "enum": sorted(TOOLS), "description": "The tool to run (GET /api/v1/tools)."},
        "photo": {"type": "string", "format": "binary", "description": "JPEG, PNG or WebP."},
    }
    encoding = {"photo": {"contentType": FILE_PART_TYPES["image"]}}
    for tool in TOOLS.values():
        for param in api_params(tool):
            schema = properties.setdefault(param.name, {**param_json_schema(param), "x-restora-tools": []})
            if "x-restora-tools" in schema:
                schema["x-restora-tools"].append(tool.name)
            if param.kind in FILE_KINDS:
                encoding.setdefault(param.name, {"contentType": FILE_PART_TYPES[param.kind]})
    return {
        "required": True,
        "content": {"multipart/form-data": {
            "schema": {"type": "object", "required": ["tool", "photo"], "properties": properties},
            "encoding": encoding,
        }},
    }


def _tool_schemas() -> dict[str, Any]:
    """One schema per tool (``x-restora-tool``), for generators that want each tool's own form."""
    schemas = {}
    for tool in TOOLS.values():
        schemas[f"Params_{tool.name}"] = {
            "type": "object",
            "title": tool.title or tool.name,
            "description": tool.description,
            "properties": {param.name: param_json_schema(param) for param in api_params(tool)},
            "required": [param.name for param in api_params(tool) if param.required and param.kind not in FILE_KINDS],
            "x-restora-tool": tool.name,
        }
    return schemas


COMPONENT_SCHEMAS: dict[str, Any] = {
    "Problem": {
        "type": "object",
        "required": ["type", "title", "status", "code", "detail"],
        "properties": {
            "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
            "code": {"type": "string", "description": "Stable; programs branch on it."},
            "detail": {"type": "string", "description": "For a person."},
        },
    },
    "Job": {
        "type": "object",
        "required": ["id", "tool", "params", "inputs", "status", "progress", "attempt", "retrying", "error", "created_at",
                     "views", "links"],
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "tool": {"type": "string"},
            "params": {"type": "object"},
            "status": {"type": "string", "enum": ["queued", "running", "done", "failed"]},
            "progress": {"type": "number", "minimum": 0, "maximum": 1},
            "attempt": {"type": "integer", "minimum": 0},
            "retrying": {"type": "boolean", "description": "Another attempt follows one that failed or was lost."},
            "error": {"type": ["string", "null"]},
            "created_at": {"type": ["string", "null"], "format": "date-time"},
            "started_at": {"type": ["string", "null"], "format": "date-time"},
            "finished_at": {"type": ["string", "null"], "format": "date-time"},
            "inputs": {"type": "array", "items": {"type": "string"},
                       "description": "The picture parameters given besides the photo (image and hints parts)."},
            "views": {"type": "array", "items": _ref("JobView"),
                      "description": "A done job's side pictures (the tool's declared views, such as a mask); "
                                     "empty until it is done or when the tool gave none."},
            "links": {"type": "object", "additionalProperties": {"type": "string"}},
        },
    },
    "JobView": {
        "type": "object",
        "required": ["name", "label", "url"],
        "properties": {"name": {"type": "string"}, "label": {"type": "string"},
                       "url": {"type": "string", "description": "GET /api/v1/jobs/{job_id}/views/{name}"}},
    },
    "ToolParam": {
        "type": "object",
        "required": ["name", "kind", "part", "default", "required", "label", "help", "units", "advanced"],
        "properties": {
            "name": {"type": "string"}, "kind": {"type": "string"}, "part": {"type": "string", "enum": ["field", "file"]},
            "default": {}, "required": {"type": "boolean"}, "label": {"type": "string"}, "help": {"type": "string"},
            "units": {"type": "string"}, "advanced": {"type": "boolean"},
            "choices": {"type": "array", "items": {"type": "string"}},
            "choice_labels": {"type": "array", "items": {"type": "string"}},
            "minimum": {"type": "number"}, "maximum": {"type": "number"},
            "named_colours": {"type": "array", "items": {"type": "string"}},
        },
    },
    "Tool": {
        "type": "object",
        "required": ["name", "title", "description", "params"],
        "properties": {
            "name": {"type": "string"}, "title": {"type": "string"}, "description": {"type": "string"},
            "params": {"type": "array", "items": {"$ref": "#/components/schemas/ToolParam"}},
        },
    },
    "Limits": {
        "type": "object",
        "required": ["max_upload_bytes", "max_pixels", "max_side", "max_waiting_jobs", "max_queued_jobs",
                     "max_jobs_per_user", "max_bytes_per_user", "rate_limit", "used"],
        "properties": {
            **{name: {"type": "integer"} for name in ("max_upload_bytes", "max_pixels", "max_side", "max_waiting_jobs",
                                                       "max_queued_jobs", "max_jobs_per_user", "max_bytes_per_user")},
            "rate_limit": {"type": "string"},
            "used": {"type": "object", "required": ["jobs", "bytes", "waiting"],
                     "properties": {"jobs": {"type": "integer"}, "bytes": {"type": "integer"}, "waiting": {"type": "integer"}}},
        },
    },
}


def openapi_document() -> dict[str, Any]:
    job = {"200": {"description": "The job.", "content": {JSON: {"schema": _ref("Job")}}}}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Restora API",
            "version": __version__,
            "description": "Photo restoration jobs. Authenticate with a personal access token "
                           "(account settings) as `Authorization: Bearer rst_...`. Errors are "
                           "application/problem+json with a stable `code`.",
        },
        "servers": [{"url": url_for("pages.home").rstrip("/") or "/"}],
        "security": [{"bearerAuth": []}],
        "paths": {
            "/api/v1/tools": {"get": {
                "operationId": "listTools", "summary": "Every tool and its parameters.", "security": [],
                "responses": {"200": {"description": "The tools.", "content": {JSON: {"schema": {
                    "type": "object", "required": ["tools"],
                    "properties": {"tools": {"type": "array", "items": _ref("Tool")}}}}}}, **_problems(429)},
            }},
            "/api/v1/jobs": {
                "get": {
                    "operationId": "listJobs", "summary": "Your jobs, newest first.",
                    "responses": {"200": {"description": "Your history.", "content": {JSON: {"schema": {
                        "type": "object", "required": ["jobs"],
                        "properties": {"jobs": {"type": "array", "items": _ref("Job")}}}}}}, **_problems(401, 429)},
                },
                "post": {
                    "operationId": "submitJob", "summary": "Run a tool on a photo.",
                    "description": "The same checks, limits and quota as the site's upload form.",
                    "requestBody": _submit_form(),
                    "responses": {"201": {"description": "Queued.", "content": {JSON: {"schema": _ref("Job")}}},
                                  **_problems(400, 401, 403, 413, 415, 422, 429, 503)},
                },
            },
            "/api/v1/jobs/{job_id}": {
                "parameters": [_job_id()],
                "get": {"operationId": "getJob", "summary": "One job's state.",
                        "responses": {**job, **_problems(401, 404, 429)}},
                "delete": {"operationId": "deleteJob", "summary": "Delete a job, its photo, its result and views.",
                           "responses": {"204": {"description": "Deleted."}, **_problems(401, 404, 429)}},
            },
            "/api/v1/jobs/{job_id}/result": {
                "parameters": [_job_id()],
                "get": {"operationId": "getResult", "summary": "The result picture (PNG, or JPEG within a size limit).",
                        "responses": {"200": RESULT_PICTURE, **_problems(401, 404, 409, 429)}},
            },
            "/api/v1/jobs/{job_id}/views/{name}": {
                "parameters": [_job_id(), {"name": "name", "in": "path", "required": True,
                                           "schema": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"},
                                           "description": "A name from the job's `views`."}],
                "get": {"operationId": "getView", "summary": "One side picture of a done job, such as a mask (PNG).",
                        "responses": {"200": PNG_PICTURE, **_problems(401, 404, 409, 429)}},
            },
            "/api/v1/jobs/{job_id}/events": {
                "parameters": [_job_id()],
                "get": {"operationId": "jobEvents", "summary": "Live progress (Server-Sent Events).",
                        "description": "Events `status`, `progress`, then `done`, `failed` or `gone`, each with the "
                                       "job as JSON; `: keep-alive` comments; the stream ends with the job or after "
                                       "a bounded time (reconnect).",
                        "responses": {"200": {"description": "An event stream.",
                                              "content": {"text/event-stream": {"schema": {"type": "string"}}}},
                                      **_problems(401, 404, 429, 503)}},
            },
            "/api/v1/limits": {"get": {
                "operationId": "getLimits", "summary": "The limits that apply to you and what you use.",
                "responses": {"200": {"description": "Limits.", "content": {JSON: {"schema": _ref("Limits")}}},
                              **_problems(401, 429)},
            }},
        },
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer",
                                               "description": "A personal access token, rst_..."}},
            "schemas": {**COMPONENT_SCHEMAS, **_tool_schemas()},
        },
    }


@bp.route("/openapi.json")
@public
@api_limit
def openapi():
    return jsonify(openapi_document())


@bp.route("/docs")
@public
def docs_page():
    document = openapi_document()
    operations = [
        (method.upper(), path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in ("get", "post", "delete")
    ]
    return render_template("api/docs.html", document=document, operations=operations, tools=all_tools(),
                           openapi_url=url_for("api.docs.openapi"))
