"""incidents follow events; lead and co-handling departments

Revision ID: 0007_incident_events
Revises: 0006_published_guessed
Create Date: 2026-12-06 09:45:00

Issue 13. ``incidents.merged_into`` / ``merged_at`` / ``merge_reason``: a lower incident of
the same district × sector merged into the higher one (it is resolved, and says why in
Chinese); ``incidents.lead_department``: the 主办 department (first receiver by routing
precedence). ``incident_posts.via_rule`` / ``moved_from``: a post listed by precedence (the
lower rule that matched it, the merged incident it came from). ``incident_departments.done_*``:
a co-handling department's 协办完成.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_incident_events"
down_revision = "0006_published_guessed"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plain ADD COLUMNs (no batch copy on SQLite: the analyst views read these tables)
    op.add_column("incidents", sa.Column("merged_into", sa.Integer(), nullable=True))
    op.add_column("incidents", sa.Column("merged_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("incidents", sa.Column("merge_reason", sa.Text(), nullable=True))
    op.add_column("incidents", sa.Column("lead_department", sa.String(length=40), nullable=True))
    op.create_index("ix_incidents_merged_into", "incidents", ["merged_into"], unique=False)
    op.add_column("incident_posts", sa.Column("via_rule", sa.String(length=100), nullable=True))
    op.add_column("incident_posts", sa.Column("moved_from", sa.Integer(), nullable=True))
    op.add_column(
        "incident_departments", sa.Column("done_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column(
        "incident_departments", sa.Column("done_by", sa.String(length=100), nullable=True)
    )
    op.add_column("incident_departments", sa.Column("done_note", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("incident_departments") as batch:
        batch.drop_column("done_note")
        batch.drop_column("done_by")
        batch.drop_column("done_at")
    with op.batch_alter_table("incident_posts") as batch:
        batch.drop_column("moved_from")
        batch.drop_column("via_rule")
    op.drop_index("ix_incidents_merged_into", table_name="incidents")
    with op.batch_alter_table("incidents") as batch:
        batch.drop_column("lead_department")
        batch.drop_column("merge_reason")
        batch.drop_column("merged_at")
        batch.drop_column("merged_into")
