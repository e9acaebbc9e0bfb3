"""Personal access tokens: create (the secret is shown once), find by secret, list, revoke.

A token is ``rst_`` followed by 43 url-safe characters (32 random bytes). Only its sha256 is stored;
``prefix`` (the first 8 characters after ``rst_``) is kept in clear so a person can tell tokens apart.
A token acts as its user; a revoked token, or one whose user is disabled, finds nothing.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from restora.accounts.models import TOKEN_NAME_MAX, ApiToken, User, utcnow

TOKEN_PREFIX = "rst_"
# Writing last_used_at on every request would make each API call a database write; once a minute is
# precise enough for "last used".
LAST_USED_GRANULARITY = timedelta(minutes=1)


class TokenError(ValueError):
    """A token cannot be created; the message says why."""


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_token(session: Session, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token of ``user`` and its secret (the only time the secret exists outside the caller).

    :raises TokenError: for an empty or too long name.
    """
    name = " ".join(name.split())
    if not name:
        raise TokenError("give the token a name")
    if len(name) > TOKEN_NAME_MAX:
        raise TokenError(f"a token name has at most {TOKEN_NAME_MAX} characters")
    body = secrets.token_urlsafe(32)
    secret = TOKEN_PREFIX + body
    token = ApiToken(
        user_id=user.id, name=name, prefix=TOKEN_PREFIX + body[:8], token_hash=hash_token(secret), created_at=utcnow()
    )
    session.add(token)
    session.flush()
    return token, secret


def user_for_token(session: Session, secret: str) -> tuple[User, ApiToken] | None:
    """The active user a live token belongs to (and the token), or None; records when it was used."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 128:
        return None
    row = session.execute(
        select(User, ApiToken)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.token_hash == hash_token(secret), ApiToken.revoked_at.is_(None), User.active.is_(True))
    ).first()
    if row is None:
        return None
    user, token = row
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_GRANULARITY:
        session.execute(update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now))
        session.commit()
    return user, token


def list_tokens(session: Session, user_id: int) -> list[ApiToken]:
    """The user's live tokens, newest first."""
    return list(
        session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def revoke_token(session: Session, user_id: int, token_id: int) -> bool:
    """Revoke one of ``user_id``'s tokens; False when they have no such live token."""
    result = session.execute(
        update(ApiToken)
        .where(ApiToken.id == token_id, ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return result.rowcount == 1
