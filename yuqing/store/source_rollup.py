"""``source_daily``: posts per local day and source, kept current by triggers (issue 15).

The dashboard's sources' health counts each source's posts over a range of days. At 10 M posts
a month holds ~1 M of them, too many to count per page view, so the database keeps the counts
itself, as it does for ``daily_counts`` (:mod:`yuqing.store.rollup`), whoever writes: the
crawler's upserts, the retention purge, raw SQL. A post's ``published_at`` and ``source_id``
never change after insert, so only inserts and deletes of posts move the counts.

SQLite uses row triggers. PostgreSQL uses statement triggers with transition tables (one
upsert per statement, cells locked in key order, so concurrent writers do not deadlock). The
days are China Standard Time's, like ``daily_counts``; :func:`live_counts` computes the same
from the posts (tests compare the two). A cell whose posts were all purged stays, at 0.
"""

from __future__ import annotations

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

TABLE = "source_daily"


def _day(col: str, dialect: str) -> str:
    """The China Standard Time day of a UTC timestamp column. SQLite's date() rounds to
    milliseconds (23:59:59.9999995 would be the next day): its fraction is cut first."""
    if dialect == "postgresql":
        return f"CAST(({col} AT TIME ZONE 'Asia/Shanghai') AS date)"
    return f"date(substr({col}, 1, 19), '+8 hours')"


_UPSERT = (
    f"INSERT INTO {TABLE} (day, source_id, posts) {{select}} "
    f"ON CONFLICT (day, source_id) DO UPDATE SET posts = {TABLE}.posts + excluded.posts"
)


def _sqlite_ddl() -> list[str]:
    new, old = _day("NEW.published_at", "sqlite"), _day("OLD.published_at", "sqlite")
    return [
        f"CREATE TABLE {TABLE} (day TEXT NOT NULL, source_id INTEGER NOT NULL, "
        "posts INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (day, source_id)) WITHOUT ROWID",
        f"""CREATE TRIGGER {TABLE}_post_insert AFTER INSERT ON posts BEGIN
  {_UPSERT.format(select=f"SELECT {new}, NEW.source_id, 1 WHERE true")};
END""",
        f"""CREATE TRIGGER {TABLE}_post_delete AFTER DELETE ON posts BEGIN
  UPDATE {TABLE} SET posts = posts - 1 WHERE day = {old} AND source_id = OLD.source_id;
END""",
    ]


def _pg_select(rows: str, sign: str) -> str:
    return (
        f"SELECT {_day('p.published_at', 'postgresql')}, p.source_id, {sign}count(*) "
        f"FROM {rows} p GROUP BY 1, 2 ORDER BY 1, 2"
    )


def _pg_ddl() -> list[str]:
    out = [
        f"CREATE TABLE {TABLE} (day DATE NOT NULL, source_id INTEGER NOT NULL, "
        f"posts INTEGER NOT NULL DEFAULT 0, CONSTRAINT pk_{TABLE} PRIMARY KEY (day, source_id))"
    ]
    for event, rows, sign in (("insert", "new_rows", ""), ("delete", "old_rows", "-")):
        name = f"{TABLE}_post_{event}"
        out += [
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"{_UPSERT.format(select=_pg_select(rows, sign))}; RETURN NULL; END $$",
            f"CREATE TRIGGER {name} AFTER {event.upper()} ON posts REFERENCING "
            f"{'NEW' if event == 'insert' else 'OLD'} TABLE AS {rows} FOR EACH STATEMENT "
            f"EXECUTE FUNCTION {name}()",
        ]
    return out


def create(conn: Connection) -> None:
    """Create the table and its triggers, and count the posts already stored."""
    for statement in _pg_ddl() if conn.dialect.name == "postgresql" else _sqlite_ddl():
        conn.execute(text(statement))
    refresh(conn)


def drop(conn: Connection) -> None:
    for event in ("insert", "delete"):
        name = f"{TABLE}_post_{event}"
        if conn.dialect.name == "postgresql":
            conn.execute(text(f"DROP TRIGGER IF EXISTS {name} ON posts"))
            conn.execute(text(f"DROP FUNCTION IF EXISTS {name}()"))
        else:
            conn.execute(text(f"DROP TRIGGER IF EXISTS {name}"))
    conn.execute(text(f"DROP TABLE IF EXISTS {TABLE}"))


def live_counts(dialect: str) -> str:
    """The SELECT that computes the table's rows (day, source_id, posts) from the posts."""
    return (
        f"SELECT {_day('published_at', dialect)} AS day, source_id, COUNT(*) AS posts "
        "FROM posts GROUP BY 1, 2"
    )


def refresh(conn: Connection) -> None:
    """Recompute the whole table from the posts (after bulk loads that bypass triggers, or
    to repair it)."""
    conn.execute(text(f"DELETE FROM {TABLE}"))
    counts = live_counts(conn.dialect.name)
    conn.execute(text(f"INSERT INTO {TABLE} (day, source_id, posts) {counts}"))


def posts_by_source(conn: Connection | Session, first: object, last: object) -> dict[int, int]:
    """Posts per source published on local days ``first`` … ``last`` (inclusive; dates, or
    ISO strings on SQLite)."""
    rows = conn.execute(
        text(
            f"SELECT source_id, sum(posts) FROM {TABLE} WHERE day BETWEEN :lo AND :hi "
            "GROUP BY source_id"
        ),
        {"lo": first, "hi": last},
    )
    return {int(sid): int(n) for sid, n in rows if n}
