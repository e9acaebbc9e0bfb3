"""Access control: R1 (every route classified), R3 (anonymous), R4 (names and traversal), owner redirects."""

from __future__ import annotations

import io
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from restora.accounts.usernames import RESERVED_USERNAMES, is_reserved, is_valid_username
from restora.web.access import KINDS
from tests.web.conftest import AuthActions
from tests.web.routes import routes


def test_every_route_is_public_or_owner_checked(app):
    unclassified = [r.rule.rule for r in routes(app) if r.kind not in KINDS]
    assert unclassified == [], f"routes neither public nor owner-checked: {unclassified}"


def test_user_urls_are_owner_checked_and_others_are_not(app):
    for route in routes(app):
        if "username" in route.rule.arguments:
            assert route.kind in ("owner_page", "owner_object"), route.rule.rule
        elif route.rule.rule.startswith("/api/"):
            assert route.kind in ("public", "api_user"), route.rule.rule
        else:
            assert route.kind in ("public", "authenticated"), route.rule.rule


def test_anonymous_never_reaches_a_protected_view(app, client, auth):
    token = auth.csrf("/")
    for route in routes(app):
        if route.kind == "public":
            continue
        url = route.url(app)
        for method in route.methods:
            if route.kind == "api_user":  # the API never redirects: a 401 problem document
                response = client.open(url, method=method)
                assert response.status_code == 401 and response.mimetype == "application/problem+json", (method, url)
                continue
            response = client.open(url, method=method, data={"csrf_token": token})
            assert response.status_code == 302 and response.headers["Location"] == "/", (method, url)
            json = client.open(url, method=method, data={"csrf_token": token}, headers={"Accept": "application/json"})
            assert json.status_code == 401, (method, url)


def test_someone_elses_page_redirects_to_your_own(auth, client):
    auth.create_user("alice")
    auth.create_user("bob")
    auth.login("alice")
    assert client.get("/bob/").headers["Location"] == "/alice/"
    assert client.get("/nobody_at_all/").headers["Location"] == "/alice/"
    assert client.get("/ALICE/").status_code == 200  # one identity whatever the case


def test_someone_elses_page_by_post_is_404(auth, client, app):
    from restora.web.access import owner_page

    @app.route("/<username>/probe/<int:n>", methods=["GET", "POST"])
    @owner_page
    def probe(username, n):
        return f"probe {n} of {username}"

    auth.create_user("alice")
    auth.login("alice")
    assert client.get("/bob/probe/7").headers["Location"] == "/alice/probe/7"  # other arguments kept
    assert client.post("/bob/probe/7", data={"csrf_token": auth.csrf()}).status_code == 404
    assert client.post("/alice/probe/7", data={"csrf_token": auth.csrf()}).get_data(as_text=True) == "probe 7 of alice"
    for route in routes(app):
        if route.kind == "owner_page" and "POST" in route.methods:
            assert client.post(route.url(app, "bob"), data={"csrf_token": auth.csrf()}).status_code == 404


def without_tokens(response) -> str:
    return re.sub(r'name="csrf_token" value="[^"]*"', "", response.get_data(as_text=True))


def test_owner_object_urls_of_others_are_404_like_nonexistent(auth, client, app):
    auth.create_user("alice")
    auth.create_user("bob")
    auth.login("alice")
    token = auth.csrf()
    for route in routes(app):
        if route.kind != "owner_object":
            continue
        for method in route.methods:
            theirs = client.open(route.url(app, "bob"), method=method, data={"csrf_token": token})
            nobody = client.open(route.url(app, "nobody_at_all"), method=method, data={"csrf_token": token})
            assert theirs.status_code == nobody.status_code == 404
            assert without_tokens(theirs) == without_tokens(nobody)
            assert "bob" not in theirs.get_data(as_text=True)


def test_traversal_and_odd_usernames_are_404(auth, client):
    auth.create_user("alice")
    auth.login("alice")
    for path in ["/..%2f/", "/%2e%2e/", "/a%00b/", "/a%5cb/", "/..%5c..%5c/", "/%2fetc%2fpasswd/"]:
        response = client.get(path, follow_redirects=True)  # werkzeug may first merge the "//"
        assert response.status_code == 404, path


@pytest.mark.parametrize("url, fields", [
    ("/login", {"login": "al\x00ice", "password": "x"}),
    ("/register", {"username": "bo\x00b", "email": "b\x00@example.com", "password": "x" * 12, "confirm": "x" * 12}),
    ("/forgot", {"email": "a\x00@example.com"}),
])
def test_a_nul_in_a_form_field_is_a_bad_request(auth, url, fields):
    # PostgreSQL refuses NUL in text parameters with an error: these forms were a 500 there
    auth.create_user("alice")
    response = auth.client.post(url, data={**fields, "csrf_token": auth.csrf(url)})
    assert response.status_code == 400
    assert auth.client.get("/login?next=/a%00b").status_code == 400


def test_a_nul_in_an_api_field_is_the_tools_refusal(app, client):
    from tests.web.api_support import make_token
    from tests.web.tools_support import picture_bytes

    AuthActions(app, client, None).create_user("alice")
    response = client.post("/api/v1/jobs", data={"tool": "adjust", "rotate": "le\x00ft",
                                                 "photo": (io.BytesIO(picture_bytes()), "a.png")},
                           headers={"Authorization": f"Bearer {make_token(app, 'alice')}"})
    assert response.status_code == 422 and response.get_json()["code"] == "invalid_parameters"


def test_reserved_names_cover_every_top_level_path(app):
    """A new top-level route (``/api/...``) must be reserved, or a user could be named after it."""
    first_segments = {rule.rule.strip("/").split("/")[0] for rule in app.url_map.iter_rules()}
    for segment in first_segments:
        if segment and "<" not in segment and is_valid_username(segment):
            assert is_reserved(segment), f"/{segment} is a route but not in RESERVED_USERNAMES"


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(min_size=1, max_size=40))
def test_a_valid_username_always_routes_to_its_own_dashboard(app, name):
    """Property (R4): any accepted name is exactly one path segment that maps back to the same name."""
    if not is_valid_username(name) or is_reserved(name):
        return
    adapter = app.url_map.bind("localhost")
    endpoint, values = adapter.match(f"/{name}/")
    assert endpoint == "pages.dashboard" and values == {"username": name}
    assert "/" not in name and ".." not in name and "\\" not in name and "\x00" not in name


def test_reserved_names_are_refused_in_any_case():
    for name in ["login", "Static", "API", "admin", "reset", "register", "logout"]:
        assert is_reserved(name)
    assert "admin" in RESERVED_USERNAMES


def test_two_users_see_only_their_own_dashboard(auth, app, smtp):
    auth.create_user("alice")
    auth.create_user("bob")
    bob = AuthActions(app, app.test_client(), smtp)
    auth.login("alice")
    bob.login("bob")
    assert "Hello, alice" in auth.client.get("/alice/").get_data(as_text=True)
    assert "Hello, bob" in bob.client.get("/bob/").get_data(as_text=True)
    assert bob.client.get("/alice/").headers["Location"] == "/bob/"
