"""issue 15: the full-text index rows carry their post's published_at (migration 0016), which
search filters its windows on: every write path of the index fills it, and the migration fills
it for the posts indexed before."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Connection, text

from yuqing.store import fts
from yuqing.store.db import make_engine, upgrade
from yuqing.store.posts import PostRecord, upsert_posts
from yuqing.store.session import Database

T0 = datetime(2026, 11, 1, 3, 4, 5, 678901, tzinfo=UTC)


def _records(n: int, body: str = "烧烤店被一刀切关停") -> list[PostRecord]:
    return [
        PostRecord(
            "board",
            f"https://x.test/p/{i}",
            "t",
            body,
            T0 - timedelta(days=40 * i),
            f"h{i}",
            external_id=str(i),
        )
        for i in range(n)
    ]


def _index_rows(conn: Connection) -> str:
    return "posts_fts" if conn.dialect.name == "postgresql" else "posts_fts_map"


def _copied(db: Database) -> tuple[int, int]:
    """(index rows, of them with their post's published_at exactly)."""
    with db.engine.connect() as conn:
        table = _index_rows(conn)
        rows = conn.execute(
            text(
                f"SELECT count(*), sum(CASE WHEN f.published_at = p.published_at THEN 1 "
                f"ELSE 0 END) FROM {table} f JOIN posts p ON p.id = f.post_id"
            )
        ).one()
    return int(rows[0]), int(rows[1] or 0)


def test_issue_15_every_write_path_copies_published_at(database: Database) -> None:
    with database.session() as s:  # new posts
        upsert_posts(s, _records(3))
    assert _copied(database) == (3, 3)
    with database.session() as s:  # a re-crawl with edited text: the row is written again
        upsert_posts(s, _records(4, body="餐饮店被一刀切停业"))
    assert _copied(database) == (4, 4)
    with database.engine.begin() as conn:  # posts stored by raw SQL, indexed from posts
        conn.execute(
            text(
                "INSERT INTO posts (source_id, dedup_key, url, title, text, published_at, "
                "published_guessed, fetched_at, updated_at, content_hash, likes, replies, "
                "reposts) SELECT source_id, 'raw', url || '/raw', title, text, published_at, "
                "published_guessed, fetched_at, updated_at, content_hash, 0, 0, 0 "
                "FROM posts WHERE external_id = '3'"
            )
        )
        raw = conn.execute(text("SELECT id FROM posts WHERE dedup_key = 'raw'")).scalar_one()
        assert fts.sync_connection(conn, [raw]) == 1
    assert _copied(database) == (5, 5)
    with database.engine.begin() as conn:
        assert fts.rebuild(conn) == 5
    assert _copied(database) == (5, 5)


def test_issue_15_migration_fills_published_at(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(db_url)
    upgrade(engine, "0014_source_daily")
    db = Database(db_url)
    try:
        with monkeypatch.context() as m:  # today's write path needs the column: index by hand
            m.setattr(fts, "sync_posts", lambda *_a, **_k: 0)
            with db.session() as s:
                upsert_posts(s, _records(3))
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                sql = "INSERT INTO posts_fts (post_id, digest, words, grams) "
                sql += "SELECT id, 'd', CAST('' AS tsvector), CAST('' AS tsvector) FROM posts"
            else:
                sql = "INSERT INTO posts_fts_map (post_id, fts_rowid, digest) "
                sql += "SELECT id, id, 'd' FROM posts"
            conn.execute(text(sql))
        upgrade(engine)
        assert _copied(db) == (3, 3)
    finally:
        db.dispose()
        engine.dispose()
