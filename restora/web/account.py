"""A person's account settings, ``/<username>/settings``: API tokens, other sessions, deleting the account.

Tokens: created with a name, the secret shown once on the answer page (never stored, never in a cookie),
listed with when they were made and last used, revoked at once. Ending other sessions bumps the session
version (every cookie issued so far stops working) and gives this browser a fresh one. Deleting the
account asks for the password and leaves nothing of the person on disk or in the database.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from restora.accounts.models import TOKEN_NAME_MAX, User
from restora.accounts.passwords import check_password
from restora.accounts.removal import delete_account
from restora.accounts.tokens import TokenError, create_token, list_tokens, revoke_token
from restora.accounts.users import end_sessions
from restora.web.access import owner_object, owner_page
from restora.web.auth import auth_rate_limit, clear_session, start_session
from restora.web.database import db_session
from restora.web.extensions import limiter, settings_of
from restora.web.forms import PostForm

bp = Blueprint("account", __name__)


class TokenForm(FlaskForm):
    name = StringField(
        _l("Token name"),
        validators=[DataRequired(message=_l("Fill in this field.")), Length(max=TOKEN_NAME_MAX)],
        description=_l("Say where it will be used, such as 'laptop scripts'."),
    )


class DeleteAccountForm(FlaskForm):
    password = PasswordField(_l("Your password"), validators=[DataRequired(message=_l("Fill in this field."))])


def _page(status: int = 200, token_form: TokenForm | None = None, delete_form: DeleteAccountForm | None = None,
          new_secret: str | None = None):
    body = render_template(
        "account/settings.html",
        tokens=list_tokens(db_session(), current_user.id),
        token_form=token_form or TokenForm(formdata=None),
        delete_form=delete_form or DeleteAccountForm(formdata=None),
        csrf_form=PostForm(),
        new_secret=new_secret,
    )
    headers = {"Cache-Control": "no-store"}  # the page may carry a token's secret
    return body, status, headers


@bp.route("/<username>/settings")
@owner_page
def settings(username: str):
    return _page()


@bp.route("/<username>/settings/tokens", methods=["POST"])
@owner_page
def create_api_token(username: str):
    form = TokenForm()
    if not form.validate_on_submit():
        return _page(422, token_form=form)
    sql = db_session()
    try:
        _token, secret = create_token(sql, sql.get(User, current_user.id), form.name.data)
    except TokenError as error:
        form.name.errors.append(str(error))
        return _page(422, token_form=form)
    sql.commit()
    return _page(201, new_secret=secret)


@bp.route("/<username>/settings/tokens/<int:token_id>/revoke", methods=["POST"])
@owner_object
def revoke_api_token(username: str, token_id: int):
    if not PostForm().validate_on_submit():
        abort(400)
    sql = db_session()
    if not revoke_token(sql, current_user.id, token_id):
        abort(404)  # not yours, or no such live token: the same answer
    sql.commit()
    flash(_("The token is revoked; programs using it are refused from now on."), "info")
    return redirect(url_for(".settings", username=current_user.username), 303)


@bp.route("/<username>/settings/sessions/end", methods=["POST"])
@owner_page
def end_other_sessions(username: str):
    if not PostForm().validate_on_submit():
        abort(400)
    sql = db_session()
    user = sql.get(User, current_user.id)
    end_sessions(user)
    sql.commit()
    start_session(user)  # this browser stays in, on a new cookie
    flash(_("Every other browser and device logged in as you has been logged out."), "info")
    return redirect(url_for(".settings", username=user.username), 303)


@bp.route("/<username>/settings/delete", methods=["POST"])
@owner_page
@limiter.limit(auth_rate_limit)
def delete_own_account(username: str):
    form = DeleteAccountForm()
    if not form.validate_on_submit():
        return _page(422, delete_form=form)
    sql = db_session()
    user = sql.get(User, current_user.id)
    if not check_password(user.password_hash, form.password.data):
        form.password.errors.append(_("That is not your password."))
        return _page(422, delete_form=form)
    delete_account(sql, user, settings_of().data_dir)
    logout_user()
    clear_session()
    flash(_("Your account, your photos and your results are deleted."), "info")
    return redirect(url_for("pages.home"), 303)
