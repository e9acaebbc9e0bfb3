"""Jobs: one tool run on one upload, with lease and attempt fields (restora.jobs.models.Job).

Revision ID: 0002_jobs
Revises: 0001_accounts
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0002_jobs"
down_revision = "0001_accounts"
branch_labels = None
depends_on = None

# Microseconds on MariaDB too: leases last seconds (same variant as the model's Timestamp).
Timestamp = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("tool", sa.String(32), nullable=False),
        sa.Column("params_json", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("lease_owner", sa.String(96), nullable=True),
        sa.Column("lease_expires_at", Timestamp, nullable=True),
        sa.Column("not_before", Timestamp, nullable=True),
        sa.Column("input_path", sa.String(255), nullable=False),
        sa.Column("second_input_path", sa.String(255), nullable=True),
        sa.Column("result_path", sa.String(255), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("started_at", Timestamp, nullable=True),
        sa.Column("finished_at", Timestamp, nullable=True),
    )
    op.create_index("ix_jobs_status_created", "jobs", ["status", "created_at"])
    op.create_index("ix_jobs_user_created", "jobs", ["user_id", "created_at"])


def downgrade() -> None:
    # Dropping the table drops its indexes; MariaDB refuses to drop the user index alone (the FK needs it).
    op.drop_table("jobs")
