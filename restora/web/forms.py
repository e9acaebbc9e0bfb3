"""The account forms. Flask-WTF adds and checks the CSRF token; field messages are translatable."""

from __future__ import annotations

from flask import render_template
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp

from restora.accounts.models import EMAIL_MAX
from restora.accounts.passwords import Problem, password_rule
from restora.accounts.usernames import EMAIL_PATTERN, USERNAME_PATTERN, USERNAME_RULE

CODE_PATTERN = r"^\s*\d{6}\s*\Z"


def translated(problem: Problem) -> str:
    """A password problem from :mod:`restora.accounts.passwords` in the page's language."""
    return gettext(problem.text, **problem.values)


def translated_rule(policy: str):
    """The password policy in one sentence, in the page's language (lazily: forms are built once)."""
    return _l(password_rule(policy))


def _required():
    return DataRequired(message=_l("Fill in this field."))


class LoginForm(FlaskForm):
    login = StringField(_l("Username or email"), validators=[_required(), Length(max=EMAIL_MAX)])
    password = PasswordField(_l("Password"), validators=[_required()])


class RegisterForm(FlaskForm):
    username = StringField(
        _l("Username"),
        validators=[_required(), Regexp(USERNAME_PATTERN, message=_l(USERNAME_RULE))],
        description=_l(USERNAME_RULE),
    )
    email = EmailField(
        _l("Email"),
        validators=[
            _required(),
            Length(max=EMAIL_MAX, message=_l("An email address has at most %(max)d characters.", max=EMAIL_MAX)),
            Regexp(EMAIL_PATTERN, message=_l("Enter an email address such as name@example.com.")),
        ],
    )
    password = PasswordField(_l("Password"), validators=[_required()])
    confirm = PasswordField(
        _l("Confirm password"),
        validators=[_required(), EqualTo("password", message=_l("The two passwords differ; type the same password twice."))],
    )


class CodeForm(FlaskForm):
    code = StringField(
        _l("6-digit code"), validators=[_required(), Regexp(CODE_PATTERN, message=_l("The code is 6 digits."))]
    )


class ResendForm(FlaskForm):
    pass


class ForgotForm(FlaskForm):
    email = EmailField(
        _l("Email"),
        validators=[_required(), Regexp(EMAIL_PATTERN, message=_l("Enter an email address such as name@example.com."))],
    )


class ResetForm(FlaskForm):
    code = StringField(
        _l("6-digit code"), validators=[_required(), Regexp(CODE_PATTERN, message=_l("The code is 6 digits."))]
    )
    password = PasswordField(_l("New password"), validators=[_required()])
    confirm = PasswordField(
        _l("Confirm new password"),
        validators=[_required(), EqualTo("password", message=_l("The two passwords differ; type the same password twice."))],
    )


class LinkResetForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[_required()])
    confirm = PasswordField(
        _l("Confirm new password"),
        validators=[_required(), EqualTo("password", message=_l("The two passwords differ; type the same password twice."))],
    )


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[_required()])
    password = PasswordField(_l("New password"), validators=[_required()])
    confirm = PasswordField(
        _l("Confirm new password"),
        validators=[_required(), EqualTo("password", message=_l("The two passwords differ; type the same password twice."))],
    )


class PostForm(FlaskForm):
    """A form with nothing but its CSRF token (log out, change language)."""


def render_form(template: str, form: FlaskForm, **context):
    """The page with its form. A submitted form shown again has mistakes to fix, so it answers 422."""
    status = 422 if form.is_submitted() else 200
    return render_template(template, form=form, **context), status
