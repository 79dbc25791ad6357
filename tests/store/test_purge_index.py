"""Issue 15: the retention purge deletes posts whose replies and reposts point at them; the
database finds those children through ``ix_posts_parent_id`` instead of scanning every post
per deleted post (a month's purge did not finish a 1,000-post batch in 11 minutes at 1 M)."""

from __future__ import annotations

from sqlalchemy import text

from yuqing.store.session import Database

# what a delete of post 42 makes the database do (ON DELETE SET NULL)
CHILDREN = "UPDATE posts SET parent_id = NULL WHERE parent_id = 42"


def test_issue_15_a_deleted_posts_children_are_found_by_index(database: Database) -> None:
    with database.engine.begin() as conn:
        if database.dialect == "postgresql":
            conn.execute(text("SET LOCAL enable_seqscan = off"))
            plan = "\n".join(r[0] for r in conn.execute(text(f"EXPLAIN {CHILDREN}")))
        else:
            plan = "\n".join(
                str(r[-1]) for r in conn.execute(text(f"EXPLAIN QUERY PLAN {CHILDREN}"))
            )
    assert "ix_posts_parent_id" in plan, plan


def test_issue_15_full_text_grams_get_a_larger_statistics_sample(database: Database) -> None:
    if database.dialect != "postgresql":
        return  # SQLite's FTS5 has no planner statistics to tune
    with database.engine.connect() as conn:
        target = conn.execute(
            text(
                "SELECT attstattarget FROM pg_attribute WHERE attrelid = 'posts_fts'::regclass "
                "AND attname = 'grams'"
            )
        ).scalar()
    assert target == 1000
