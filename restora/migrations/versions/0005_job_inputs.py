"""A job keeps any number of pictures besides the photo: ``jobs.inputs_json`` {parameter name: stored path}
replaces ``jobs.second_input_path`` (one picture, for the tool's single ``image`` parameter).

Upgrade moves each stored second picture under the name of its tool's ``image`` parameter, read from the
tool registry (the declaration is the only place that name is written); a job whose tool is not installed
here keeps it under ``image`` (it cannot run anyway, and deleting it still removes the file).
Downgrade keeps one picture per job, an ``image`` parameter's if it has one: other pictures (painted hints)
are forgotten by the old schema, and their files stay in ``uploads/`` until the user's data is removed.

Revision ID: 0005_job_inputs
Revises: 0004_user_sessions
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0005_job_inputs"
down_revision = "0004_user_sessions"
branch_labels = None
depends_on = None

FALLBACK_NAME = "image"

jobs = sa.table(
    "jobs",
    sa.column("id", sa.String(36)),
    sa.column("tool", sa.String(32)),
    sa.column("second_input_path", sa.String(255)),
    sa.column("inputs_json", sa.Text()),
)


def _image_param_names() -> dict[str, list[str]]:
    """{tool: names of its ``image`` parameters, in declaration order}, from the registry."""
    from restora.tools import TOOLS

    return {name: [p.name for p in tool.params if p.kind == "image"] for name, tool in TOOLS.items()}


def upgrade() -> None:
    op.add_column("jobs", sa.Column("inputs_json", sa.Text(), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(sa.select(jobs.c.id, jobs.c.tool, jobs.c.second_input_path)
                        .where(jobs.c.second_input_path.is_not(None))).all()
    if rows:
        names = _image_param_names()
        for job_id, tool, path in rows:
            name = (names.get(tool) or [FALLBACK_NAME])[0]
            bind.execute(jobs.update().where(jobs.c.id == job_id).values(inputs_json=json.dumps({name: path})))
    with op.batch_alter_table("jobs") as batch:  # SQLite rebuilds the table; the others ALTER it
        batch.drop_column("second_input_path")


def downgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("second_input_path", sa.String(255), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(sa.select(jobs.c.id, jobs.c.tool, jobs.c.inputs_json)
                        .where(jobs.c.inputs_json.is_not(None))).all()
    if rows:
        names = _image_param_names()
        for job_id, tool, text in rows:
            inputs = json.loads(text or "{}")
            kept = [name for name in [*names.get(tool, []), FALLBACK_NAME] if name in inputs]
            if kept:
                bind.execute(jobs.update().where(jobs.c.id == job_id).values(second_input_path=inputs[kept[0]]))
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("inputs_json")
