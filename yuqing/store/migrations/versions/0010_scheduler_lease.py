"""retention purge and full-text search plans at 10 M posts

Revision ID: 0010_scheduler_lease
Revises: 0006_published_guessed
Create Date: 2026-12-06 10:15:00

(The id was reserved for the standby scheduler's lease, which needed no schema change: it is
the ``process_locks`` row on the database's clock.)

``ix_posts_parent_id`` (partial: replies and reposts only): deleting a post makes the
database find the posts whose ``parent_id`` points at it (``ON DELETE SET NULL``); without an
index, each deleted post scanned the whole table, and the retention purge of a month did not
finish a batch of 1,000 posts in 11 minutes at 1 M posts (bench/scale, issue 15).

PostgreSQL only: a larger statistics sample of ``posts_fts.grams`` (1000 instead of 100).
With the default, the planner guesses a keyword search finds 2 posts where it finds
thousands, and joins them to ``sources`` by scanning the sources once per post: 443 ms for
``一刀切 AND (餐饮 OR 烧烤)`` at 1 M posts, 108 ms after this (bench/scale, issue 15). The
new sample takes effect at the next ANALYZE (autovacuum's, or run it once after upgrading).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_scheduler_lease"
down_revision = "0009_crawl_nodes"
branch_labels = None
depends_on = None

STATISTICS = 1000


def upgrade() -> None:
    # a plain CREATE INDEX (no batch copy on SQLite: posts carries triggers and views)
    op.create_index(
        "ix_posts_parent_id",
        "posts",
        ["parent_id"],
        unique=False,
        sqlite_where=sa.text("parent_id IS NOT NULL"),
        postgresql_where=sa.text("parent_id IS NOT NULL"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE posts_fts ALTER COLUMN grams SET STATISTICS {STATISTICS}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE posts_fts ALTER COLUMN grams SET STATISTICS -1")
    op.drop_index("ix_posts_parent_id", table_name="posts")
