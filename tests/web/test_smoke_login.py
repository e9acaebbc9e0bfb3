"""The skeleton works end to end: pages render, a user logs in, sees their dashboard, logs out."""

from __future__ import annotations


def test_home_renders(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "Restora" in response.get_data(as_text=True)


def test_login_dashboard_logout(auth, client):
    auth.create_user("alice")
    response = auth.login("alice")
    assert response.status_code == 302
    assert response.headers["Location"] == "/alice/"
    page = client.get("/alice/")
    assert page.status_code == 200
    assert "alice" in page.get_data(as_text=True)
    assert auth.logout().status_code == 302
    assert client.get("/alice/").status_code == 302
