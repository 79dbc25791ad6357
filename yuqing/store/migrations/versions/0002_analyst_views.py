"""analyst views and the Chinese full-text index

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 19:00:00

Views for analysts (``yuqing.store.views``, documented in docs/schema.md), the trigger-kept
``daily_counts`` table behind ``v_daily_counts`` (``yuqing.store.rollup``), an expression index
on the posts' local day, and the full-text index (``yuqing.store.fts``): an FTS5 table on
SQLite, tsvector columns with GIN indexes on PostgreSQL. Posts already stored are indexed here.
"""

from __future__ import annotations

from alembic import op

from yuqing.store import fts, rollup, views

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    rollup.create(conn)
    views.create(conn, merged=False)  # incidents.merged_into comes later (0012)
    fts.create(conn)
    fts.rebuild(conn)


def downgrade() -> None:
    conn = op.get_bind()
    fts.drop(conn)
    views.drop(conn)
    rollup.drop(conn)
