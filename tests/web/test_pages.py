"""The home page, the dashboard and the header menu."""

from __future__ import annotations

import re
from pathlib import Path

import restora.web
from restora.tools import TOOLS

STATIC = Path(restora.web.__file__).parent / "static"


def test_home_has_logo_carousel_cards_and_sections(client):
    html = client.get("/").get_data(as_text=True)
    assert 'rel="icon" href="/static/favicon.svg"' in html
    assert html.count('class="slide"') == 3
    for name in TOOLS:
        assert f"/static/icons/{name}.svg" in html
    for heading in ("About Restora", "Questions", "State of research"):
        assert heading in html
    assert "Log in" in html and "Register" in html


def test_every_referenced_static_file_exists(client, auth):
    auth.create_user("alice")
    pages = [client.get("/").get_data(as_text=True)]
    auth.login("alice")
    pages.append(client.get("/alice/").get_data(as_text=True))
    for html in pages:
        for path in re.findall(r'(?:src|href)="/static/([^"]+)"', html):
            assert (STATIC / path).is_file(), path


def test_example_images_are_real_pictures():
    from PIL import Image

    for path in sorted((STATIC / "examples").glob("*.jpg")):
        with Image.open(path) as image:
            assert image.format == "JPEG" and image.width == 480


def test_logged_in_header_shows_username_and_logout(client, auth):
    auth.create_user("alice")
    auth.login("alice")
    html = client.get("/").get_data(as_text=True)
    assert "<summary>alice</summary>" in html and 'action="/logout"' in html
    assert 'href="/register"' not in html


def test_dashboard_lists_every_tool(client, auth):
    auth.create_user("alice")
    auth.login("alice")
    html = client.get("/alice/").get_data(as_text=True)
    assert "Hello, alice" in html
    assert html.count('class="tool-card"') == len(TOOLS)


def test_favicon_ico_points_to_the_svg(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response.headers["Location"].endswith("/static/favicon.svg")


def test_a_tool_slot_uses_its_own_pictures_once_they_exist(tmp_path, monkeypatch):
    import shutil

    from restora.web import content

    static = tmp_path / "static"
    shutil.copytree(STATIC / "examples", static / "examples")
    monkeypatch.setattr(content, "STATIC", static)
    assert [e.tool for e in content.carousel_examples()] == ["adjust", "adjust", "adjust"]
    for side in ("before", "after"):
        shutil.copy(static / "examples" / f"adjust-1-{side}.jpg", static / "examples" / f"deblur-{side}.jpg")
    examples = content.carousel_examples()
    assert examples[0].tool == ("deblur" if "deblur" in TOOLS else "adjust")
    assert examples[0].before.startswith("examples/deblur" if "deblur" in TOOLS else "examples/adjust")


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}
