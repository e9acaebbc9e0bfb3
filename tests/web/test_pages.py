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
        assert f"/tools/{name}/icon.svg" in html
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


def test_the_carousel_shows_only_installed_tools_examples(app, tmp_path, monkeypatch):
    import json
    import shutil

    from restora.web import content

    static = tmp_path / "static"
    shutil.copytree(STATIC / "examples", static / "examples")
    monkeypatch.setattr(content, "STATIC", static)
    manifest = static / "examples" / "examples.json"
    monkeypatch.setattr(content, "EXAMPLES_MANIFEST", manifest)
    entries = json.loads(manifest.read_text())
    entries.append({"tool": "not-installed", "before": entries[0]["before"], "after": entries[0]["after"],
                    "caption": {"en": "x"}})
    entries.append({"tool": "adjust", "before": "examples/missing.jpg", "after": entries[0]["after"],
                    "caption": {"en": "y"}})
    manifest.write_text(json.dumps(entries))
    with app.test_request_context():
        shown = content.carousel_examples()
    assert [e.caption for e in shown] == [e["caption"]["en"] for e in entries[:3]]


def test_tool_icons_are_served_from_the_tools(client):
    for name, tool in TOOLS.items():
        response = client.get(f"/tools/{name}/icon.svg")
        assert response.status_code == 200 and response.mimetype == "image/svg+xml"
        assert response.data == tool.icon_path().read_bytes()
        response.close()  # a file response keeps its file open until closed
    assert client.get("/tools/no-such-tool/icon.svg").status_code == 404


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}
