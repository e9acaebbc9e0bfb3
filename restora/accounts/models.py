"""Account tables: users, the one-time codes mailed to them, and their API tokens.

Times are naive UTC (MariaDB's DATETIME has no zone); :func:`utcnow` is the one clock, so tests can move it.
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from restora.db import Base

USERNAME_MAX = 32
EMAIL_MAX = 254  # RFC 5321 path limit
TOKEN_NAME_MAX = 64


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # As typed at registration (shown and used in URLs); identity is the lower-case key.
    username: Mapped[str] = mapped_column(String(USERNAME_MAX), nullable=False)
    username_key: Mapped[str] = mapped_column(String(USERNAME_MAX), nullable=False, unique=True)
    email: Mapped[str] = mapped_column(String(EMAIL_MAX), nullable=False, unique=True)
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    email_verified: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    # Part of the login cookie's user id; bumping it (logout, password reset, disable) makes every
    # earlier session cookie of this user useless, although Flask's session lives in the cookie.
    session_version: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # Consecutive failed logins and when the last one happened (per-account throttle).
    failed_logins: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_failed_login_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    # The four members Flask-Login asks a user for, written here so this module needs no Flask.
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return bool(self.active)

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"


class EmailCode(Base):
    """A 6-digit code mailed for registration or password reset; only its argon2 hash is stored."""

    __tablename__ = "email_codes"
    __table_args__ = (Index("ix_email_codes_user_purpose", "user_id", "purpose", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    purpose: Mapped[str] = mapped_column(String(16), nullable=False)  # "register" | "reset"
    code_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    wrong_tries: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # Set when the code is used, replaced by a newer one, or killed by too many wrong tries.
    spent_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class ApiToken(Base):
    """A personal access token for the HTTP API. Only the sha256 of its secret is stored.

    The secret is 32 random bytes, so a fast hash is enough (nothing to brute-force, unlike a password);
    the indexed hash is how a request's token is found in one lookup.
    """

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(TOKEN_NAME_MAX), nullable=False)
    # The first characters of the secret, shown in the list so a person can tell tokens apart.
    prefix: Mapped[str] = mapped_column(String(16), nullable=False)
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


USER_AGENT_MAX = 128
IP_MAX = 45  # the longest text form of an IPv6 address


class UserSession(Base):
    """One login in one browser, so a user can see where they are logged in and end a session.

    The Flask session cookie names the row (signed, so it cannot be forged); a row with ``ended_at`` set
    logs its cookie out at the next request. ``user_agent`` is a short summary ("Firefox on Linux"), not
    the raw header.
    """

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    user_agent: Mapped[str] = mapped_column(String(USER_AGENT_MAX), nullable=False, default="")
    ip: Mapped[str] = mapped_column(String(IP_MAX), nullable=False, default="")
    ended_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
