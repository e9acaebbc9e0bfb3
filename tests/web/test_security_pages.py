"""Security headers on every response, and friendly 404/413/429/500 pages."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("path", ["/", "/login", "/no/such/page", "/static/css/site.css", "/favicon.ico"])
def test_security_headers_everywhere(client, path):
    response = client.get(path)
    response.close()  # static files are streamed from an open file
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/").headers
    assert "Strict-Transport-Security" in client.get("/", base_url="https://localhost").headers


def test_friendly_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)


def test_friendly_413(make_app):
    app = make_app(max_upload_bytes=1024)
    response = app.test_client().post("/login", data={"login": "x" * 4096, "password": "y"})
    assert response.status_code == 413
    assert "File too large" in response.get_data(as_text=True)


def test_friendly_500_without_a_traceback(make_app):
    app = make_app()
    app.config["TESTING"] = False  # let the error handler answer instead of raising into the test
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret detail")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "Something went wrong" in body and "secret detail" not in body


def test_no_inline_scripts_or_styles_in_pages(client, auth):
    auth.create_user("alice")
    pages = [client.get("/").get_data(as_text=True), client.get("/login").get_data(as_text=True),
             client.get("/register").get_data(as_text=True)]
    auth.login("alice")
    pages.append(client.get("/alice/").get_data(as_text=True))
    for html in pages:
        assert "<script>" not in html and " style=" not in html and "onclick" not in html


def test_behind_a_proxy_forwarded_https_gives_secure_cookies(make_app, smtp):
    import re

    from tests.web.conftest import PASSWORD, AuthActions

    app = make_app(proxy_hops=1)
    auth = AuthActions(app, app.test_client(), smtp)
    auth.create_user("alice")
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    page = auth.client.get("/login", headers=forwarded).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = auth.client.post("/login", headers={**forwarded, "Referer": "https://localhost/login"},
                                data={"login": "alice", "password": PASSWORD, "csrf_token": token})
    cookie = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("session=")][0]
    assert "Secure" in cookie


def test_pages_of_a_logged_in_user_are_not_cached(client, auth):
    auth.create_user("alice")
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")
    auth.login("alice")
    assert client.get("/alice/").headers["Cache-Control"] == "private, no-store"
