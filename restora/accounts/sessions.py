"""Login sessions a person can see and end: open one at login, find a live one per request, list, end.

A browser's session is a signed Flask cookie that names a :class:`UserSession` row (see restora.web.auth).
The row is what makes a session endable from elsewhere: an ended row logs its cookie out at the next
request, whatever the cookie says. This module needs no Flask; each function works on a given SQLAlchemy
session and the caller commits, except :func:`find_live_session`, which commits its own touch.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from restora.accounts.models import IP_MAX, USER_AGENT_MAX, User, UserSession, utcnow

# Writing last_seen_at on every request would make every page view a database write; a minute is as
# precise as "last seen" needs to be.
LAST_SEEN_GRANULARITY = timedelta(minutes=1)
# A session not seen for this long is over (the site asks for a login at least every 30 days anyway).
IDLE_LIMIT = timedelta(days=30)

# Most specific first: Edge and Opera also say "Chrome", Chrome also says "Safari".
_BROWSERS = (
    ("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chromium/", "Chromium"),
    ("Chrome/", "Chrome"), ("Safari/", "Safari"), ("curl/", "curl"), ("python-requests/", "Python requests"),
    ("python-httpx/", "Python httpx"), ("Python-urllib/", "Python urllib"),
)
_SYSTEMS = (
    ("Android", "Android"), ("iPhone", "iOS"), ("iPad", "iPadOS"), ("Windows", "Windows"),
    ("Mac OS X", "macOS"), ("Macintosh", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux"),
)


def summarize_user_agent(header: str | None) -> str:
    """"Firefox on Linux" from a User-Agent header: enough to recognise a device, no fingerprint kept."""
    header = header or ""
    browser = next((name for marker, name in _BROWSERS if marker in header), "")
    system = next((name for marker, name in _SYSTEMS if marker in header), "")
    if browser and system:
        summary = f"{browser} on {system}"
    else:
        # An unknown client: its first product token, cleaned, so the list still tells clients apart.
        first = re.sub(r"[^\w./ -]", "", header.split(" ", 1)[0])
        summary = browser or system or first
    return summary[:USER_AGENT_MAX]


def open_session(session: Session, user: User, user_agent: str | None, ip: str | None) -> UserSession:
    """A new live session of ``user`` (flushed, so it has its id). Old ended or idle rows of the user go."""
    now = utcnow()
    session.execute(
        delete(UserSession).where(
            UserSession.user_id == user.id,
            or_(UserSession.ended_at.is_not(None), UserSession.last_seen_at < now - IDLE_LIMIT),
        )
    )
    record = UserSession(
        user_id=user.id, created_at=now, last_seen_at=now,
        user_agent=summarize_user_agent(user_agent), ip=(ip or "")[:IP_MAX],
    )
    session.add(record)
    session.flush()
    return record


def _is_live(record: UserSession, now: datetime) -> bool:
    return record.ended_at is None and now - record.last_seen_at < IDLE_LIMIT


def find_live_session(session: Session, user_id: int, session_id: int) -> tuple[User, UserSession] | None:
    """The active user and live session a cookie names, in one query; None if ended, idle, or not theirs.

    Records that the session was seen, at most once per :data:`LAST_SEEN_GRANULARITY` (then commits: call
    it before the request changes anything).
    """
    row = session.execute(
        select(User, UserSession)
        .join(UserSession, UserSession.user_id == User.id)
        .where(User.id == user_id, UserSession.id == session_id, User.active.is_(True))
    ).first()
    if row is None:
        return None
    user, record = row
    now = utcnow()
    if not _is_live(record, now):
        return None
    if now - record.last_seen_at >= LAST_SEEN_GRANULARITY:
        session.execute(update(UserSession).where(UserSession.id == record.id).values(last_seen_at=now))
        session.commit()
        record.last_seen_at = now
    return user, record


def list_sessions(session: Session, user_id: int) -> list[UserSession]:
    """The user's live sessions, most recently seen first."""
    now = utcnow()
    rows = session.scalars(
        select(UserSession)
        .where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
    )
    return [row for row in rows if _is_live(row, now)]


def end_session(session: Session, user_id: int, session_id: int) -> bool:
    """End one live session of the user; False if there is none with that id (or it is someone else's)."""
    result = session.execute(
        update(UserSession)
        .where(UserSession.id == session_id, UserSession.user_id == user_id, UserSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )
    return result.rowcount == 1


def end_user_sessions(session: Session, user_id: int, keep: int | None = None) -> int:
    """End every live session of the user except ``keep``; how many were ended."""
    condition = [UserSession.user_id == user_id, UserSession.ended_at.is_(None)]
    if keep is not None:
        condition.append(UserSession.id != keep)
    return session.execute(update(UserSession).where(*condition).values(ended_at=utcnow())).rowcount
