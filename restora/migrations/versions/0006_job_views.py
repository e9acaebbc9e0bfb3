"""A finished job keeps its tool's side pictures: ``jobs.views_json`` {view name: stored path} (the background
tool's mask beside its result). Existing jobs have none (NULL).

Downgrade drops the column; the view files stay under ``results/`` beside their results until the job is
deleted, which removes every file of the job's attempts by name.

Revision ID: 0006_job_views
Revises: 0005_job_inputs
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_job_views"
down_revision = "0005_job_inputs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("jobs", sa.Column("views_json", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("jobs") as batch:  # SQLite rebuilds the table; the others ALTER it
        batch.drop_column("views_json")
