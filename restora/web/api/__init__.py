"""The HTTP API, ``/api/v1``: tools, jobs, live progress, limits, and its OpenAPI document.

Who is calling: a personal access token (``Authorization: Bearer rst_...``, see
:mod:`restora.accounts.tokens`), or the site's own session cookie (the tool page's live progress).
A token is accepted here and nowhere else on the site. Token requests are exempt from CSRF (a browser
never adds that header by itself); cookie requests that change something must carry the CSRF token.

Every view is classified (``restora.web.access``): ``@public`` (the tool list, the OpenAPI document,
its page) or ``@api_user`` (a token or session user; anonymous gets a 401 problem). Job views load
their job with ``owned_or_404``, so another person's job id is the same 404 as one that does not exist.
"""

from __future__ import annotations

from flask import Flask

from restora.web.api import docs, events, jobs, tools
from restora.web.api.core import bp
from restora.web.extensions import csrf

for _child in (tools.bp, jobs.bp, events.bp, docs.bp):
    bp.register_blueprint(_child)


def init_app(app: Flask) -> None:
    # Checked in core.authenticate() instead: cookie requests yes, token requests no. Flask-WTF looks up
    # the innermost blueprint of a request, so each child is exempted by name too.
    for blueprint in (bp, tools.bp, jobs.bp, events.bp, docs.bp):
        csrf.exempt(blueprint)
    app.register_blueprint(bp)
