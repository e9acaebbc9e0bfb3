"""English and Chinese: every string in the code has a Chinese entry, the committed .mo matches the .po,
and the visitor's choice (or the browser's language) picks the catalogue."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

import restora.accounts
import restora.web

WEB = Path(restora.web.__file__).parent
# The account rules' texts (marked N_, shown by the site) share the site's catalogue.
ACCOUNTS = Path(restora.accounts.__file__).parent
CATALOGUE = WEB / "translations" / "zh" / "LC_MESSAGES"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
FIX = "run `make translations`, fill in the new msgstr entries in messages.po, run it again, commit .po and .mo"


def strings_in_code() -> set[str]:
    with open(WEB / "babel.cfg", encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(WEB), method_map, options_map, keywords=KEYWORDS
    ):
        found.add(message if isinstance(message, str) else message[0])
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ACCOUNTS), [("**.py", "python")], keywords={"N_": None}
    ):
        found.add(message)
    return found


def test_every_string_has_a_chinese_translation():
    with open(CATALOGUE / "messages.po", "rb") as po:
        catalogue = read_po(po, locale="zh")
    translated = {m.id for m in catalogue if m.id and m.string and not m.fuzzy}
    missing = sorted(strings_in_code() - translated)
    assert missing == [], f"untranslated: {missing[:10]} ({len(missing)}); {FIX}"


def test_compiled_catalogue_matches_the_po():
    with open(CATALOGUE / "messages.po", "rb") as po:
        source = {m.id: m.string for m in read_po(po, locale="zh") if m.id and m.string and not m.fuzzy}
    with open(CATALOGUE / "messages.mo", "rb") as mo:
        compiled = {m.id: m.string for m in read_mo(mo) if m.id}
    assert compiled == source, f"messages.mo is stale; {FIX}"


def test_placeholders_survive_translation():
    import re

    with open(CATALOGUE / "messages.po", "rb") as po:
        for message in read_po(po, locale="zh"):
            if message.id and message.string:
                pattern = r"%\(\w+\)[sd]"
                assert sorted(re.findall(pattern, message.id)) == sorted(re.findall(pattern, message.string)), message.id


def test_language_switch_and_browser_preference(client, auth):
    assert "Log in" in client.get("/").get_data(as_text=True)
    zh_browser = client.get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).get_data(as_text=True)
    assert "登录" in zh_browser and 'lang="zh-Hans"' in zh_browser
    response = client.post("/language", data={"lang": "zh", "next": "/login", "csrf_token": auth.csrf()})
    assert response.headers["Location"] == "/login"
    assert "忘记密码？" in client.get("/login").get_data(as_text=True)
    client.post("/language", data={"lang": "en", "next": "https://evil.example/", "csrf_token": auth.csrf()})
    assert "Forgot your password?" in client.get("/login").get_data(as_text=True)


def test_form_errors_and_mail_are_translated(client, auth, smtp):
    client.post("/language", data={"lang": "zh", "next": "/", "csrf_token": auth.csrf()})
    page = client.post("/register", data={
        "username": "li_lei", "email": "li@example.com", "password": "123", "confirm": "456",
        "csrf_token": auth.csrf(),
    }).get_data(as_text=True)
    assert "请至少使用 8 个字符" in page and "两次输入的密码不一致" in page
    client.post("/register", data={
        "username": "li_lei", "email": "li@example.com", "password": "correct horse battery",
        "confirm": "correct horse battery", "csrf_token": auth.csrf(),
    })
    assert "注册验证码" in smtp.to("li@example.com")[0]["Subject"]


def test_language_choice_survives_login(client, auth):
    auth.create_user("alice")
    client.post("/language", data={"lang": "zh", "next": "/", "csrf_token": auth.csrf()})
    auth.login("alice")
    assert "你好，alice" in client.get("/alice/").get_data(as_text=True)
