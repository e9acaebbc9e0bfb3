"""A person's account settings, ``/<username>/settings``: email, API tokens, other sessions, deleting the account.

Email: a change asks for the password, mails a code to the new address, and counts only once that code
comes back; then the old address gets a notice.

Tokens: created with a name, the secret shown once on the answer page (never stored, never in a cookie),
listed with when they were made and last used, revoked at once. Sessions: every live login of the person
is listed (device summary, address, when it started and was last seen; this browser's marked), and each
can be ended, or all but this one; an ended session is logged out at its next request. Deleting the
account asks for the password and leaves nothing of the person on disk or in the database.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Length, Regexp

from restora.accounts import codes
from restora.accounts.models import EMAIL_MAX, TOKEN_NAME_MAX, User
from restora.accounts.passwords import check_password
from restora.accounts.removal import delete_account
from restora.accounts.tokens import TokenError, create_token, list_tokens, revoke_token
from restora.accounts.usernames import EMAIL_PATTERN
from restora.accounts.sessions import end_session, end_user_sessions, list_sessions
from restora.web.access import owner_object, owner_page
from restora.web.auth import auth_rate_limit, clear_session, current_session_id, end_this_session
from restora.web.database import db_session
from restora.web.extensions import limiter, settings_of
from restora.web.forms import CodeForm, PostForm
from restora.web.mail import send_in_background
from restora.web.verification import mail_rate_limit

bp = Blueprint("account", __name__)

PENDING_EMAIL_KEY = "pending_email"  # the new address waiting for its code (in the signed session cookie)


class TokenForm(FlaskForm):
    name = StringField(
        _l("Token name"),
        validators=[DataRequired(message=_l("Fill in this field.")), Length(max=TOKEN_NAME_MAX)],
        description=_l("Say where it will be used, such as 'laptop scripts'."),
    )


class EmailChangeForm(FlaskForm):
    email = EmailField(
        _l("New email"),
        validators=[DataRequired(message=_l("Fill in this field.")), Length(max=EMAIL_MAX),
                    Regexp(EMAIL_PATTERN, message=_l("Enter an email address such as name@example.com."))],
    )
    password = PasswordField(_l("Your password"), validators=[DataRequired(message=_l("Fill in this field."))])


class DeleteAccountForm(FlaskForm):
    password = PasswordField(_l("Your password"), validators=[DataRequired(message=_l("Fill in this field."))])


def _page(status: int = 200, token_form: TokenForm | None = None, delete_form: DeleteAccountForm | None = None,
          new_secret: str | None = None, email_form: EmailChangeForm | None = None, code_form: CodeForm | None = None):
    body = render_template(
        "account/settings.html",
        email_form=email_form or EmailChangeForm(formdata=None),
        code_form=code_form or CodeForm(formdata=None),
        pending_email=session.get(PENDING_EMAIL_KEY),
        tokens=list_tokens(db_session(), current_user.id),
        sessions=list_sessions(db_session(), current_user.id),
        this_session=current_session_id(),
        token_form=token_form or TokenForm(formdata=None),
        delete_form=delete_form or DeleteAccountForm(formdata=None),
        csrf_form=PostForm(),
        new_secret=new_secret,
    )
    headers = {"Cache-Control": "no-store"}  # the page may carry a token's secret
    return body, status, headers


def _with_password(form: FlaskForm, **shown_form: FlaskForm):
    """(the user, None) when ``form`` is valid and its password is theirs, else (None, the page again)."""
    if not form.validate_on_submit():
        return None, _page(422, **shown_form)
    user = db_session().get(User, current_user.id)
    if not check_password(user.password_hash, form.password.data):
        form.password.errors.append(_("That is not your password."))
        return None, _page(422, **shown_form)
    return user, None


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


# Row ids in URLs stop at the largest 32-bit id (the columns are INTEGER): a longer number is a 404 from the
# router, where it would otherwise reach the database (SQLite's driver raises OverflowError past 2**63).
ROW_ID = "int(max=2147483647)"


@bp.route(f"/<username>/settings/tokens/<{ROW_ID}:token_id>/revoke", methods=["POST"])
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


@bp.route("/<username>/settings/email", methods=["POST"])
@owner_page
@limiter.limit(mail_rate_limit)
def change_email(username: str):
    """Step 1: the password, then a code to the new address (which must be proven before it counts)."""
    form = EmailChangeForm()
    user, refused = _with_password(form, email_form=form)
    if refused:
        return refused
    sql = db_session()
    new_email = form.email.data.strip().lower()
    if new_email == user.email or _email_taken(new_email):
        form.email.errors.append(_("That address cannot be used. Choose another."))
        return _page(422, email_form=form)
    try:
        code = codes.issue_code(sql, user, "email")
    except codes.TooManyCodes as too_many:
        body, status, headers = _page(429, email_form=form)
        return body, status, {**headers, "Retry-After": str(too_many.retry_after)}
    sql.commit()
    session[PENDING_EMAIL_KEY] = new_email
    subject = _("Your Restora code to change your email")
    body = _("Your code to make %(email)s the address of your Restora account %(name)s is:\n\n    %(code)s\n\n"
             "It works once, for 10 minutes. If you did not ask for it, ignore this message.",
             email=new_email, name=user.username, code=code)
    send_in_background(settings_of(), new_email, subject, body)
    flash(_("We sent a 6-digit code to %(email)s. Enter it below.", email=new_email), "info")
    return redirect(url_for(".settings", username=user.username, _anchor="email"), 303)


@bp.route("/<username>/settings/email/confirm", methods=["POST"])
@owner_page
@limiter.limit(auth_rate_limit)
def confirm_email(username: str):
    """Step 2: the code from the new address; then the old address is told of the change."""
    new_email = session.get(PENDING_EMAIL_KEY)
    form = CodeForm()
    if not new_email:
        return redirect(url_for(".settings", username=current_user.username), 303)
    if not form.validate_on_submit():
        return _page(422, code_form=form)
    sql = db_session()
    user = sql.get(User, current_user.id)
    if codes.check_code(sql, user, "email", form.code.data) is not codes.CodeCheck.OK:
        sql.commit()
        form.code.errors.append(_("The code is wrong, used or expired. Check the latest email, or ask for a new code."))
        return _page(422, code_form=form)
    if _email_taken(new_email):  # registered by someone else meanwhile
        sql.commit()
        session.pop(PENDING_EMAIL_KEY, None)
        flash(_("That address cannot be used. Choose another."), "error")
        return redirect(url_for(".settings", username=user.username), 303)
    old_email = user.email
    user.email = new_email
    user.email_verified = True
    sql.commit()
    session.pop(PENDING_EMAIL_KEY, None)
    subject = _("The email of your Restora account was changed")
    body = _("The address of your Restora account %(name)s is now %(email)s instead of this one. If you did not "
             "do this, reset your password with the new address or contact the site's administrator.",
             name=user.username, email=new_email)
    send_in_background(settings_of(), old_email, subject, body)
    flash(_("Your email is now %(email)s.", email=new_email), "info")
    return redirect(url_for(".settings", username=user.username), 303)


def _email_taken(email: str) -> bool:
    return db_session().scalars(select(User.id).where(User.email == email)).first() is not None


@bp.route("/<username>/settings/sessions/end", methods=["POST"])
@owner_page
def end_other_sessions(username: str):
    if not PostForm().validate_on_submit():
        abort(400)
    sql = db_session()
    end_user_sessions(sql, current_user.id, keep=current_session_id())  # this browser stays in
    sql.commit()
    flash(_("Every other browser and device logged in as you has been logged out."), "info")
    return redirect(url_for(".settings", username=current_user.username, _anchor="sessions"), 303)


@bp.route(f"/<username>/settings/sessions/<{ROW_ID}:session_id>/end", methods=["POST"])
@owner_object
def end_one_session(username: str, session_id: int):
    if not PostForm().validate_on_submit():
        abort(400)
    if session_id == current_session_id():  # ending this browser's own session is logging out
        end_this_session()
        flash(_("You are logged out."), "info")
        return redirect(url_for("pages.home"), 303)
    sql = db_session()
    if not end_session(sql, current_user.id, session_id):
        abort(404)  # not yours, or already ended: the same answer
    sql.commit()
    flash(_("That session has been logged out."), "info")
    return redirect(url_for(".settings", username=current_user.username, _anchor="sessions"), 303)


@bp.route("/<username>/settings/delete", methods=["POST"])
@owner_page
@limiter.limit(auth_rate_limit)
def delete_own_account(username: str):
    form = DeleteAccountForm()
    user, refused = _with_password(form, delete_form=form)
    if refused:
        return refused
    delete_account(db_session(), user, settings_of().data_dir)
    logout_user()
    clear_session()
    flash(_("Your account, your photos and your results are deleted."), "info")
    return redirect(url_for("pages.home"), 303)
