"""the sources' health page at 10 M posts: an index covering a month's count per source

Revision ID: 0011_scale_indexes
Revises: 0010_scheduler_lease
Create Date: 2026-12-06 11:00:00

``ix_posts_published_source`` on ``posts (published_at, source_id)``: the sources' health page
counts a month of posts per source (``yuqing.app.web.stats.sources_health``). With only
``ix_posts_published_at`` PostgreSQL read the month's rows from the table (a parallel
sequential scan at 4.25 M posts: 596 ms at 1 M, 2,370 ms at 4.25 M in bench/scale); with both
columns in the index it counts them from the index alone (an index-only scan), reading ~1/10
of the pages. The counts are the same query's; only the plan changes (issue 15).
"""

from __future__ import annotations

from alembic import op

revision = "0011_scale_indexes"
down_revision = "0010_scheduler_lease"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a plain CREATE INDEX (no batch copy on SQLite: posts carries triggers and views)
    op.create_index(
        "ix_posts_published_source", "posts", ["published_at", "source_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_posts_published_source", table_name="posts")
