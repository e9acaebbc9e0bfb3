"""Account operations the site and ``restora user`` share: create, find, list, enable or disable, and end
every session of an account. Each works on a given SQLAlchemy session; the caller commits."""

from __future__ import annotations

import re

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, object_session

from restora.accounts import models
from restora.accounts.models import User
from restora.accounts.passwords import hash_password, password_problems
from restora.accounts.sessions import end_user_sessions
from restora.accounts.usernames import EMAIL_PATTERN, is_reserved, is_valid_username, username_key


class AccountError(ValueError):
    """The account cannot be created or changed; the message says why."""


def create_account(session: Session, username: str, email: str, password: str, policy: str) -> User:
    """A verified, active account (an administrator vouches for the address).

    :raises AccountError: for a bad or taken username or email, or a password the policy refuses.
    """
    email = email.strip().lower()
    if not is_valid_username(username):
        raise AccountError(f"username {username!r} must be 3 to 32 letters a-z, digits or _")
    if is_reserved(username):
        raise AccountError(f"username {username!r} is reserved by the site")
    if not re.match(EMAIL_PATTERN, email):
        raise AccountError(f"{email!r} is not an email address")
    taken = session.scalars(select(User).where(or_(User.username_key == username_key(username), User.email == email))).first()
    if taken is not None:
        what = "username" if taken.username_key == username_key(username) else "email"
        raise AccountError(f"that {what} is already registered")
    problems = password_problems(password, policy, username)
    if problems:
        raise AccountError("password refused: " + " ".join(str(p) for p in problems))
    user = User(
        username=username, username_key=username_key(username), email=email, password_hash=hash_password(password),
        active=True, email_verified=True, created_at=models.utcnow(), session_version=0, failed_logins=0,
    )
    session.add(user)
    return user


def find_account(session: Session, username: str) -> User:
    """:raises AccountError: when there is no such user."""
    user = session.scalars(select(User).where(User.username_key == username_key(username))).first()
    if user is None:
        raise AccountError(f"no user named {username!r}")
    return user


def list_accounts(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.id)))


def end_sessions(user: User) -> None:
    """End every login session of ``user``: their rows are marked ended, and every cookie issued so far
    carries an old session version too (a second lock, which also covers cookies from before the rows)."""
    user.session_version += 1
    session = object_session(user)
    if session is not None and user.id is not None:
        end_user_sessions(session, user.id)


def set_active(session: Session, username: str, active: bool) -> User:
    """Enable or disable an account; disabling ends all of its sessions."""
    user = find_account(session, username)
    user.active = active
    if not active:
        end_sessions(user)
    return user


def set_password(user: User, password: str) -> None:
    """Give ``user`` a new password and end every session that was logged in with the old one."""
    user.password_hash = hash_password(password)
    end_sessions(user)
