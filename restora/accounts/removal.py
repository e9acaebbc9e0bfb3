"""Deleting an account completely: its rows (jobs, tokens, codes, sessions, the user) and its files on disk.

Files live under ``<data_dir>/{uploads,results,thumbs}/<user_id>/``; the rows reference the user with
``ON DELETE CASCADE``, and are deleted explicitly too so nothing depends on the backend enforcing it.
A worker still running one of the jobs is fenced off (its row is gone) and removes the file it wrote.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import delete
from sqlalchemy.orm import Session

from restora.accounts.models import ApiToken, EmailCode, User, UserSession
from restora.jobs.models import Job

USER_FOLDERS = ("uploads", "results", "thumbs")


def delete_account(session: Session, user: User, data_dir: Path) -> None:
    """Delete ``user`` with everything they own, committing, then their folders."""
    user_id = int(user.id)
    session.execute(delete(Job).where(Job.user_id == user_id))
    session.execute(delete(ApiToken).where(ApiToken.user_id == user_id))
    session.execute(delete(EmailCode).where(EmailCode.user_id == user_id))
    session.execute(delete(UserSession).where(UserSession.user_id == user_id))
    session.execute(delete(User).where(User.id == user_id))
    session.commit()
    for folder in USER_FOLDERS:
        shutil.rmtree(data_dir / folder / str(user_id), ignore_errors=True)
