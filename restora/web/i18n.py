"""English and Chinese. The language is the visitor's choice (kept in the session) or the browser's.

Strings are wrapped in ``_()`` (Python: ``flask_babel.gettext``/``lazy_gettext``; templates: ``_()``) and
translated in ``restora/web/translations/zh/LC_MESSAGES/messages.po``. ``make translations`` extracts new
strings, merges them into the catalogue and compiles the ``.mo`` files, which are committed.
"""

from __future__ import annotations

from flask import Flask, request, session

from flask_babel import get_locale

from restora.web.extensions import babel

LANGUAGES = {"en": "English", "zh": "中文"}
DEFAULT_LANGUAGE = "en"


def select_locale() -> str:
    chosen = session.get("lang")
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(list(LANGUAGES)) or DEFAULT_LANGUAGE


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    babel.init_app(app, locale_selector=select_locale)

    @app.context_processor
    def languages():
        return {"LANGUAGES": LANGUAGES, "current_language": str(get_locale() or DEFAULT_LANGUAGE)}
