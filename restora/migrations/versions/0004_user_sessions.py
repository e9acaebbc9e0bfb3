"""Server-side records of login sessions (restora.accounts.models.UserSession).

A browser session is still a signed Flask cookie; the cookie now also names one of these rows, so a user
can list their sessions and end one, and an ended row logs that cookie out at its next request.

Revision ID: 0004_user_sessions
Revises: 0003_api_tokens
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_user_sessions"
down_revision = "0003_api_tokens"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "user_sessions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.Column("user_agent", sa.String(128), nullable=False),
        sa.Column("ip", sa.String(45), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_user_sessions_user_id", "user_sessions", ["user_id"])


def downgrade() -> None:
    op.drop_table("user_sessions")
