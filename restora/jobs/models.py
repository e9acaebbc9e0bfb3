"""The Job table: one tool run on one upload, with the lease and attempt fields that make it durable.

Job state lives in SQL, not in a broker, so a lost worker never loses a job (docs/design.md, "Data and
services"). ``attempt`` is the fencing token: every claim increments it, and a worker may only write
the outcome of the attempt it claimed (see :mod:`restora.jobs.queue`).
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.dialects import mysql
from sqlalchemy.orm import Mapped, mapped_column

from restora.db import Base

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"

# MariaDB's DATETIME keeps whole seconds unless told otherwise; leases of a few seconds need microseconds.
Timestamp = DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")


def utcnow() -> datetime:
    """Naive UTC: every backend stores it the same way (MariaDB DATETIME has no time zone)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def new_job_id() -> str:
    return str(uuid.uuid4())


class Job(Base):
    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_job_id)
    # The users table belongs to the web package; referenced by name so jobs/ never imports web/.
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("users.id", ondelete="CASCADE"))
    tool: Mapped[str] = mapped_column(String(32))
    # Raw parameters as the user gave them (JSON text); the tool validates them again when it runs.
    params_json: Mapped[str] = mapped_column(Text, default="{}")
    status: Mapped[str] = mapped_column(String(16), default=QUEUED)
    progress: Mapped[float] = mapped_column(Float, default=0.0)  # 0..1
    attempt: Mapped[int] = mapped_column(Integer, default=0)  # claims so far; the fencing token
    max_attempts: Mapped[int] = mapped_column(Integer, default=3)
    lease_owner: Mapped[str | None] = mapped_column(String(96), nullable=True)
    lease_expires_at: Mapped[datetime | None] = mapped_column(Timestamp, nullable=True)
    # A retried job waits until this time (backoff after a transient error).
    not_before: Mapped[datetime | None] = mapped_column(Timestamp, nullable=True)
    # Paths relative to the data root, never the uploaded file's name.
    input_path: Mapped[str] = mapped_column(String(255))
    # The tool's other pictures (its ``image`` and ``hints`` parameters), as JSON {parameter name: path}.
    inputs_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    result_path: Mapped[str | None] = mapped_column(String(255), nullable=True)
    # The tool's side pictures written with the result (its declared views), as JSON {view name: path}.
    views_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Shown to the user as is: plain words, no stack traces.
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(Timestamp, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(Timestamp, nullable=True)

    __table_args__ = (
        # claim_next_job scans queued jobs oldest first; the reaper scans running jobs by lease expiry.
        Index("ix_jobs_status_created", "status", "created_at"),
        Index("ix_jobs_user_created", "user_id", "created_at"),
    )

    @property
    def params(self) -> dict[str, Any]:
        return json.loads(self.params_json or "{}")

    @property
    def inputs(self) -> dict[str, str]:
        """{parameter name: stored path} of the pictures given besides the photo (empty when none)."""
        return json.loads(self.inputs_json or "{}")

    @property
    def views(self) -> dict[str, str]:
        """{view name: stored path} of the side pictures the run gave besides the result (empty when none)."""
        return json.loads(self.views_json or "{}")

    def __repr__(self) -> str:
        return f"<Job {self.id} {self.tool} {self.status} attempt={self.attempt}>"
