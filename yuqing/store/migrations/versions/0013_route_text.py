"""the route's description as officers read it when an incident was routed

Revision ID: 0013_route_text
Revises: 0012_views_merged
Create Date: 2026-12-06 11:30:00

Issue 13: ``incident_departments.route`` records the route by position (``routes[3]``); its
分派依据 was described with today's routing.yaml, so reordering routes (or inserting one)
changed what old incidents said. ``route_text`` keeps the description written when the
department was reached. Nullable: rows routed before this revision have none, and the pages
fall back to describing ``route``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_route_text"
down_revision = "0012_views_merged"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a plain ADD COLUMN (nullable, no batch copy on SQLite)
    op.add_column("incident_departments", sa.Column("route_text", sa.Text(), nullable=True))


def downgrade() -> None:
    # a plain DROP COLUMN (SQLite >= 3.35): no batch copy of a table the views read
    op.drop_column("incident_departments", "route_text")
