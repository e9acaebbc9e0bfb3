"""Logging in does not tell whether an account exists: an unknown name costs the same password hash as a
wrong password for a real account, and gets the same page."""

from __future__ import annotations

import re

from restora.web import auth as auth_module


def test_unknown_and_known_logins_cost_one_hash_each_and_answer_alike(auth, monkeypatch):
    auth.create_user("alice")
    hashed = []
    real_check = auth_module.check_password
    monkeypatch.setattr(auth_module, "check_password", lambda stored, given: hashed.append(stored) or real_check(stored, given))
    known = auth.login("alice", "wrong password here")
    unknown = auth.login("nobody_here", "wrong password here")
    assert len(hashed) == 2 and hashed[0] != hashed[1]  # the real hash, then the dummy one
    assert known.status_code == unknown.status_code == 422
    strip = lambda response: re.sub(r'value="[^"]*"', "", response.get_data(as_text=True))
    assert strip(known) == strip(unknown)

