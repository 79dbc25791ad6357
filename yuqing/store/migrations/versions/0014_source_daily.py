"""posts per local day and source, kept by triggers

Revision ID: 0014_source_daily
Revises: 0013_route_text
Create Date: 2026-12-06 12:40:00

Issue 15: the dashboard's sources' health counted a month of posts per source (~1 M posts at
10 M). ``source_daily`` (``yuqing.store.source_rollup``) keeps those counts per local day,
current through triggers on ``posts`` like ``daily_counts``; the posts already stored are
counted here.
"""

from __future__ import annotations

from alembic import op

from yuqing.store import source_rollup

revision = "0014_source_daily"
down_revision = "0013_route_text"
branch_labels = None
depends_on = None


def upgrade() -> None:
    source_rollup.create(op.get_bind())


def downgrade() -> None:
    source_rollup.drop(op.get_bind())
