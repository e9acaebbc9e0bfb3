"""One-time 6-digit codes sent by email for registration, password reset and a change of address.

A code comes from ``secrets`` (about 20 bits), is stored only as an argon2id hash, lasts 10 minutes, works
once, and dies after 5 wrong tries. At most 4 codes (the first and 3 re-sends) per account and purpose in
15 minutes. Issuing a code retires the older ones, so the tries never add up across codes.
"""

from __future__ import annotations

import enum
import secrets
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from restora.accounts import models, passwords
from restora.accounts.models import EmailCode, User
from restora.accounts.passwords import check_password, dummy_hash

CODE_LIFETIME = timedelta(minutes=10)
MAX_WRONG_TRIES = 5
SEND_WINDOW = timedelta(minutes=15)
SENDS_PER_WINDOW = 4  # the first code and 3 re-sends
PURPOSES = ("register", "reset", "email")  # "email": proving a new address before it replaces the old


class TooManyCodes(Exception):
    """Codes were sent too often; ``retry_after`` is in seconds."""

    def __init__(self, retry_after: int):
        super().__init__(f"too many codes; retry after {retry_after} s")
        self.retry_after = retry_after


class CodeCheck(enum.Enum):
    OK = "ok"
    WRONG = "wrong"
    EXPIRED = "expired"
    DEAD = "dead"  # used, replaced, killed by wrong tries, or never sent


def new_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


def issue_code(session: Session, user: User, purpose: str) -> str:
    """Store a new code for ``user`` and return it in clear (to be mailed). The caller commits.

    :raises TooManyCodes: when 4 codes went out in the last 15 minutes.
    """
    assert purpose in PURPOSES
    now = models.utcnow()
    recent = session.scalars(
        select(EmailCode.created_at)
        .where(EmailCode.user_id == user.id, EmailCode.purpose == purpose, EmailCode.created_at > now - SEND_WINDOW)
        .order_by(EmailCode.created_at)
    ).all()
    if len(recent) >= SENDS_PER_WINDOW:
        oldest = recent[-SENDS_PER_WINDOW]
        raise TooManyCodes(max(1, int((oldest + SEND_WINDOW - now).total_seconds()) + 1))
    # Retire the live codes by primary key, and only when there are some. An UPDATE ... WHERE user_id=?
    # that matches nothing still takes InnoDB gap locks on the index, and two people registering at once
    # (both at the end of the index) then deadlocked on their INSERTs (measured: benchmarks/load_bench.py).
    live = session.scalars(
        select(EmailCode.id).where(EmailCode.user_id == user.id, EmailCode.purpose == purpose, EmailCode.spent_at.is_(None))
    ).all()
    if live:
        session.execute(update(EmailCode).where(EmailCode.id.in_(live)).values(spent_at=now))
    code = new_code()
    session.add(
        EmailCode(
            user_id=user.id, purpose=purpose, code_hash=passwords.hash_secret(code), created_at=now,
            expires_at=now + CODE_LIFETIME, wrong_tries=0,
        )
    )
    return code


def check_code(session: Session, user: User | None, purpose: str, code: str) -> CodeCheck:
    """Check ``code`` against the user's live code, spending it on success. The caller commits.

    With ``user=None`` (an unknown address on reset) the answer is WRONG after the same hashing work.
    """
    code = code.strip()
    live = None
    if user is not None:
        live = session.scalars(
            select(EmailCode)
            .where(EmailCode.user_id == user.id, EmailCode.purpose == purpose, EmailCode.spent_at.is_(None))
            .order_by(EmailCode.created_at.desc())
            .limit(1)
        ).first()
    if live is None:
        check_password(dummy_hash(), code)
        return CodeCheck.WRONG if user is None else CodeCheck.DEAD
    now = models.utcnow()
    if now > live.expires_at:
        live.spent_at = now
        return CodeCheck.EXPIRED
    if check_password(live.code_hash, code):
        live.spent_at = now
        return CodeCheck.OK
    # Counted in SQL, so two wrong guesses sent at once both count.
    session.execute(update(EmailCode).where(EmailCode.id == live.id).values(wrong_tries=EmailCode.wrong_tries + 1))
    session.execute(
        update(EmailCode)
        .where(EmailCode.id == live.id, EmailCode.wrong_tries >= MAX_WRONG_TRIES, EmailCode.spent_at.is_(None))
        .values(spent_at=now)
    )
    return CodeCheck.WRONG


def tries_left(session: Session, user: User, purpose: str) -> int:
    """Wrong tries the live code still allows (0 when there is none)."""
    tries = session.scalar(
        select(func.max(EmailCode.wrong_tries)).where(
            EmailCode.user_id == user.id, EmailCode.purpose == purpose, EmailCode.spent_at.is_(None)
        )
    )
    return 0 if tries is None else MAX_WRONG_TRIES - tries
