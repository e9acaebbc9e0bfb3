"""Schemathesis against the live server, from its own OpenAPI document, authenticated with a token:
no 5xx, every status, content type, header and body as the document declares. A short budget here
(``@pytest.mark.slow``); ``RESTORA_TEST_SCHEMATHESIS_EXAMPLES`` raises it for a longer run."""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from restora.config import Settings
from restora.migrations import migrate
from restora.web import create_app
from tests.web.api_support import make_token
from tests.web.conftest import AuthActions
from tests.web.live import serving

EXAMPLES = int(os.environ.get("RESTORA_TEST_SCHEMATHESIS_EXAMPLES", "10"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]


@pytest.fixture(scope="module")
def live_api(tmp_path_factory):
    """(base URL, token) of a running server (SQLite, the thread executor) with one user."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("schema-instance"), secret_key="schema-test-key",
                        max_event_streams=2, event_stream_seconds=2.0)
    migrate(settings)
    app = create_app(settings)
    AuthActions(app, app.test_client(), None).create_user("alice")
    token = make_token(app, "alice")
    with serving(app) as base:
        yield base, token


@pytest.mark.slow
def test_the_api_keeps_to_its_openapi_document(live_api):
    base, token = live_api
    schema = schemathesis.openapi.from_url(f"{base}/api/v1/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 8
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, database=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
        def keeps_to_the_document(case):
            case.call_and_validate(base_url=base, headers={"Authorization": f"Bearer {token}"}, checks=CHECKS,
                                   timeout=30)

        keeps_to_the_document()
