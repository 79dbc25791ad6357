"""the full-text index carries each post's published_at, so search filters windows in the index

Revision ID: 0016_fts_published
Revises: 0015_web_perf
Create Date: 2026-12-06 14:00:00

Issue 15: search (``yuqing.store.search``) reads its published_at windows newest first, but the
``grams`` index returned every match of all time (12,746 posts at 10 M for
``一刀切 AND (餐饮 OR 烧烤)``) and each candidate's post row was fetched to check its date. With
``published_at`` on the index row, PostgreSQL combines the GIN bitmap of ``grams`` with a btree
range bitmap on ``posts_fts (published_at)`` (BitmapAnd) and fetches only the window's matches.
SQLite keeps it on ``posts_fts_map`` (the FTS5 table is contentless), without an index: there
the FTS5 match drives and the date is checked on its map rows.

The write path (``yuqing.store.fts._write``) copies it from the post's row; a post's
published_at never changes after insert. The backfill here is one ``UPDATE ... FROM posts``;
on PostgreSQL the two GIN indexes are dropped for it and built again afterwards (updating
every row with them in place would insert every token of every post into them again).
The old row versions stay until ``VACUUM posts_fts`` (autovacuum does it; at 10 M posts
the migration took 1,086 s and the VACUUM 123 s; the search reads half the heap blocks after it:
bench/scale/README.md, fourth pass).
"""

from __future__ import annotations

from alembic import op

revision = "0016_fts_published"
down_revision = "0015_web_perf"
branch_labels = None
depends_on = None

_GIN = {
    "ix_posts_fts_grams": "CREATE INDEX ix_posts_fts_grams ON posts_fts USING gin (grams)",
    "ix_posts_fts_words": "CREATE INDEX ix_posts_fts_words ON posts_fts USING gin (words)",
}
INDEX = "ix_posts_fts_published_at"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE posts_fts ADD COLUMN published_at TIMESTAMP WITH TIME ZONE")
        op.execute("SET LOCAL maintenance_work_mem = '512MB'")
        for name in _GIN:
            op.execute(f"DROP INDEX {name}")
        op.execute(
            "UPDATE posts_fts f SET published_at = p.published_at FROM posts p "
            "WHERE p.id = f.post_id"
        )
        op.execute("ALTER TABLE posts_fts ALTER COLUMN published_at SET NOT NULL")
        for ddl in _GIN.values():
            op.execute(ddl)
        op.execute(f"CREATE INDEX {INDEX} ON posts_fts (published_at)")
        op.execute("ANALYZE posts_fts")
        return
    # SQLite: ADD COLUMN cannot be NOT NULL without a default; the write path always sets it
    op.execute("ALTER TABLE posts_fts_map ADD COLUMN published_at DATETIME")
    op.execute(
        "UPDATE posts_fts_map SET published_at = "
        "(SELECT p.published_at FROM posts p WHERE p.id = posts_fts_map.post_id)"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP INDEX {INDEX}")
        op.execute("ALTER TABLE posts_fts DROP COLUMN published_at")
        return
    op.execute("ALTER TABLE posts_fts_map DROP COLUMN published_at")
