"""`yuqing sql` is read-only by construction: every kind of write is refused with a clear
message, on every backend, and the database refuses it even when the statement check is
bypassed."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from yuqing.store import readonly
from yuqing.store.models import Source
from yuqing.store.readonly import QueryError, QueryTimeout, ReadOnlyViolation, run_readonly
from yuqing.store.session import Database

WRITES = [
    "INSERT INTO sources (name, kind, config, enabled, health, created_at) "
    "VALUES ('x', 'feed', '{}', true, 'ok', CURRENT_TIMESTAMP)",
    "UPDATE sources SET name = 'y'",
    "DELETE FROM sources",
    "DROP TABLE sources",
    "CREATE TABLE evil (id integer)",
    "ALTER TABLE sources ADD COLUMN evil integer",
    "WITH doomed AS (SELECT id FROM sources) "
    "DELETE FROM sources WHERE id IN (SELECT id FROM doomed)",
    "WITH d AS (DELETE FROM sources RETURNING id) SELECT * FROM d",
    "SELECT 1; DELETE FROM sources",
    "select 1 ; drop table sources",
    "SELECT * INTO evil FROM sources",
    "SELECT * FROM sources FOR UPDATE",
    "/* hi */ delete from sources -- bye",
    "EXPLAIN ANALYZE DELETE FROM sources",
    "REPLACE INTO sources (id, name) VALUES (1, 'z')",
    "VACUUM",
    "TRUNCATE sources",
    "BEGIN",
    "COMMIT",
]
SQLITE_WRITES = [
    "ATTACH DATABASE '/tmp/yuqing-evil.db' AS evil",
    "DETACH DATABASE main",
    "PRAGMA user_version = 7",
    "PRAGMA query_only = 0",
    "PRAGMA journal_mode = DELETE",
    "PRAGMA wal_checkpoint",
    "PRAGMA optimize",
    "REINDEX",
]
POSTGRES_WRITES = [
    "COPY (SELECT 1) TO PROGRAM 'true'",
    "DO $$ BEGIN DELETE FROM sources; END $$",
    "CALL nothing()",
    "SET default_transaction_read_only = off",
    "GRANT ALL ON sources TO PUBLIC",
    "LOCK TABLE sources",
    "CREATE EXTENSION dblink",
]


@pytest.fixture
def url(database: Database) -> str:
    with database.session() as s:
        s.add(Source(name="demo-board", kind="board", config={"名": "值"}))
    return str(database.engine.url.render_as_string(hide_password=False))


def _sources(database: Database) -> int:
    with database.session() as s:
        return int(s.execute(select(func.count()).select_from(Source)).scalar_one())


def test_select_works(database: Database, url: str) -> None:
    result = run_readonly(url, "SELECT name, kind FROM sources ORDER BY name")
    assert result.columns == ["name", "kind"]
    assert result.rows == [("demo-board", "board")]
    assert not result.truncated


def test_views_are_queryable(database: Database, url: str) -> None:
    result = run_readonly(
        url, "SELECT count(*) AS n FROM v_posts WHERE published_day >= '2026-01-01'"
    )
    assert result.rows == [(0,)]


@pytest.mark.parametrize("sql", WRITES)
def test_every_write_is_refused(database: Database, url: str, sql: str) -> None:
    with pytest.raises(ReadOnlyViolation) as err:
        run_readonly(url, sql)
    assert str(err.value).startswith("refused: ")
    assert "read-only queries only" in str(err.value)
    assert _sources(database) == 1


def test_backend_specific_writes_are_refused(database: Database, url: str) -> None:
    writes = SQLITE_WRITES if database.dialect == "sqlite" else POSTGRES_WRITES
    for sql in writes:
        with pytest.raises(ReadOnlyViolation, match=r"^refused: "):
            run_readonly(url, sql)
    assert _sources(database) == 1
    assert not Path("/tmp/yuqing-evil.db").exists()


@pytest.mark.parametrize(
    "sql",
    [
        "DELETE FROM sources",
        "UPDATE sources SET name = 'y'",
        "INSERT INTO sources (name, kind, config, enabled, health, created_at) "
        "VALUES ('x', 'feed', '{}', true, 'ok', CURRENT_TIMESTAMP)",
        "CREATE TABLE evil (id integer)",
        "DROP TABLE sources",
        "WITH d AS (DELETE FROM sources RETURNING id) SELECT * FROM d",
    ],
)
def test_database_refuses_writes_even_without_the_check(
    database: Database, url: str, sql: str
) -> None:
    """The statement check is only the message: the connection itself cannot write."""
    with pytest.raises(QueryError):
        if database.dialect == "sqlite":
            path = readonly.sqlite_path(url)
            assert path is not None
            readonly._run_sqlite(path, sql, 10, 5.0)
        else:
            readonly._run_postgres(url, sql, "SELECT", 10, 5.0)
    assert _sources(database) == 1


def test_sqlite_attach_refused_by_authorizer(sqlite_database: Database, tmp_path: Path) -> None:
    url = str(sqlite_database.engine.url)
    path = readonly.sqlite_path(url)
    assert path is not None
    target = tmp_path / "evil.db"
    with pytest.raises(ReadOnlyViolation, match="not authorized"):
        readonly._run_sqlite(path, f"ATTACH DATABASE '{target}' AS evil", 10, 5.0)
    assert not target.exists()


def test_row_limit(database: Database, url: str) -> None:
    with database.session() as s:
        for i in range(5):
            s.add(Source(name=f"s{i}", kind="feed"))
    result = run_readonly(url, "SELECT name FROM sources ORDER BY name", limit=3)
    assert len(result.rows) == 3 and result.truncated
    assert result.notes == ["showing the first 3 rows (raise it with --limit)"]


def test_time_limit(database: Database, url: str) -> None:
    slow = (
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000000) "
        "SELECT count(*) FROM n"
    )
    with pytest.raises(QueryTimeout, match=r"query cancelled after 0.2 s"):
        run_readonly(url, slow, timeout=0.2)


def test_strings_and_quoted_names_do_not_trip_the_check(database: Database, url: str) -> None:
    result = run_readonly(
        url,
        "SELECT 'DELETE FROM x; DROP TABLE y' AS \"update\", "
        "replace(name, 'demo', '演示') FROM sources",
    )
    assert result.rows == [("DELETE FROM x; DROP TABLE y", "演示-board")]


def test_errors_are_one_line(database: Database, url: str) -> None:
    with pytest.raises(QueryError, match="no_such_table"):
        run_readonly(url, "SELECT * FROM no_such_table")
    with pytest.raises(QueryError, match="empty query"):
        run_readonly(url, "  -- nothing\n")


def test_sql_text_in_database_untouched(database: Database, url: str) -> None:
    with database.engine.connect() as conn:
        assert conn.execute(text("SELECT name FROM sources")).scalar_one() == "demo-board"


ROWS_50 = (
    "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 50) "
    "SELECT n, 'abcdefghij' AS t FROM r ORDER BY n"
)


def test_byte_limit_stops_fetching(database: Database, url: str) -> None:
    """issue 14: results stop at a byte limit as well as a row limit, and say so."""
    result = run_readonly(url, ROWS_50, limit=1000, max_bytes=100)
    # rows 1..9 take 11 bytes each (99 bytes); row 10 would make 111
    assert [r[0] for r in result.rows] == list(range(1, 10))
    assert result.bytes_truncated and not result.truncated
    assert result.notes == ["stopped after 9 rows: the result would pass 100 bytes"]


def test_byte_limit_counts_utf8_and_leaves_small_results_alone(
    database: Database, url: str
) -> None:
    whole = run_readonly(url, ROWS_50, limit=1000, max_bytes=10_000)
    assert len(whole.rows) == 50 and not whole.bytes_truncated and not whole.notes
    by_rows = run_readonly(url, ROWS_50, limit=5, max_bytes=10_000)
    assert len(by_rows.rows) == 5 and by_rows.truncated and not by_rows.bytes_truncated
    chinese = run_readonly(url, "SELECT '一刀切' AS t", max_bytes=8)  # 9 bytes in UTF-8
    assert chinese.rows == [] and chinese.bytes_truncated
    with pytest.raises(QueryError, match="invalid byte limit 0"):
        run_readonly(url, "SELECT 1", max_bytes=0)


def test_byte_limit_stops_sqlite_building_a_huge_value(tmp_path: Path) -> None:
    """issue 14: `SELECT randomblob(200000000)` peaked at 3.6 GB; now SQLite refuses to build
    a value longer than max_bytes, and the result says it stopped."""
    db = tmp_path / "t.db"
    sqlite3.connect(db).close()
    result = run_readonly(f"sqlite:///{db}", "SELECT randomblob(200000000)", max_bytes=1_000_000)
    assert result.rows == [] and result.bytes_truncated
    assert result.notes == ["stopped after 0 rows: the result would pass 1000000 bytes"]
    unlimited = run_readonly(f"sqlite:///{db}", "SELECT length(randomblob(2000000))")
    assert unlimited.rows == [(2000000,)] and not unlimited.bytes_truncated
