"""``daily_counts``: posts per local day, sector and district, kept current by triggers.

Counting a month of a million-post table on every query is too slow for a dashboard, so the
database keeps the counts itself, whoever writes (the crawler's upserts, retagging, the
retention purge, raw SQL):

* a new post counts in the day's ``('', '')`` cell as ``untagged``;
* tagging it moves it to its (sector, district) cell with its flags; retagging moves it again;
* deleting its tags moves it back to ``('', '')``; deleting the post removes it from the cell
  it is in.

SQLite uses row triggers. PostgreSQL uses statement triggers with transition tables for inserts
and updates (one upsert per statement, cells locked in key order, so concurrent writers do not
deadlock) and row triggers for deletes. ``v_daily_counts`` reads this table;
:func:`live_counts` computes the same from the posts (tests compare the two).
"""

from __future__ import annotations

from sqlalchemy import Connection, text

TABLE = "daily_counts"
COUNTS = ("posts", "shutdown", "blanket", "complaint", "licensed", "untagged")


def _day(col: str, dialect: str) -> str:
    if dialect == "postgresql":
        return f"CAST(({col} AT TIME ZONE 'Asia/Shanghai') AS date)"
    return f"date({col}, '+8 hours')"


def _b(expr: str) -> str:
    return f"(CASE WHEN {expr} THEN 1 ELSE 0 END)"


def _tag_values(t: str, sign: str) -> str:
    """The counts one tag row ``t`` contributes to its cell, times ``sign``."""
    return (
        f"{sign}1, {sign}{_b(f'{t}.shutdown')}, {sign}{_b(f'{t}.shutdown AND {t}.blanket')}, "
        f"{sign}{_b(f'{t}.complaint')}, {sign}{_b(f'{t}.licensed')}, 0"
    )


_FROM_TAGS = " FROM (SELECT * FROM post_tags WHERE post_id = OLD.id) AS t WHERE "
_SET = ", ".join(f"{c} = {TABLE}.{c} + excluded.{c}" for c in COUNTS)
_COLS = f"day, sector, district, {', '.join(COUNTS)}"


def _untagged_update(day: str, sign: str) -> str:
    return (
        f"UPDATE {TABLE} SET posts = {TABLE}.posts {sign} 1, untagged = {TABLE}.untagged {sign} 1 "
        f"WHERE {TABLE}.day = {day} AND {TABLE}.sector = '' AND {TABLE}.district = ''"
    )


def _tag_update(day: str, t: str, sign: str) -> str:
    sets = ", ".join(
        f"{c} = {TABLE}.{c} {sign} {v}"
        for c, v in (
            ("posts", "1"),
            ("shutdown", _b(f"{t}.shutdown")),
            ("blanket", _b(f"{t}.shutdown AND {t}.blanket")),
            ("complaint", _b(f"{t}.complaint")),
            ("licensed", _b(f"{t}.licensed")),
        )
    )
    return (
        f"UPDATE {TABLE} SET {sets} WHERE {TABLE}.day = {day} AND {TABLE}.sector = {t}.sector "
        f"AND {TABLE}.district = COALESCE({t}.district, '')"
    )


def _sqlite_ddl() -> list[str]:
    day_new = _day("NEW.published_at", "sqlite")
    day_old = _day("OLD.published_at", "sqlite")
    post_day = (
        "(SELECT " + _day("p.published_at", "sqlite") + " FROM posts p WHERE p.id = {}.post_id)"
    )
    has_tags = "EXISTS (SELECT 1 FROM post_tags t WHERE t.post_id = OLD.id)"
    return [
        f"CREATE TABLE {TABLE} (day TEXT NOT NULL, sector VARCHAR(40) NOT NULL, "
        "district VARCHAR(40) NOT NULL, "
        + ", ".join(f"{c} INTEGER NOT NULL DEFAULT 0" for c in COUNTS)
        + ", PRIMARY KEY (day, sector, district)) WITHOUT ROWID",
        f"""CREATE TRIGGER {TABLE}_post_insert AFTER INSERT ON posts BEGIN
  INSERT INTO {TABLE} ({_COLS}) SELECT {day_new}, '', '', 1, 0, 0, 0, 0, 1 WHERE true
  ON CONFLICT (day, sector, district) DO UPDATE SET {_SET};
END""",
        f"""CREATE TRIGGER {TABLE}_post_delete BEFORE DELETE ON posts BEGIN
  {_untagged_update(day_old, "-")} AND NOT {has_tags};
  {_tag_update(day_old, "t", "-").replace(" WHERE ", _FROM_TAGS, 1)};
END""",
        f"""CREATE TRIGGER {TABLE}_tag_insert AFTER INSERT ON post_tags BEGIN
  {_untagged_update(post_day.format("NEW"), "-")};
  INSERT INTO {TABLE} ({_COLS}) SELECT {_day("p.published_at", "sqlite")}, NEW.sector,
    COALESCE(NEW.district, ''), {_tag_values("NEW", "")} FROM posts p WHERE p.id = NEW.post_id
  ON CONFLICT (day, sector, district) DO UPDATE SET {_SET};
END""",
        f"""CREATE TRIGGER {TABLE}_tag_update AFTER UPDATE ON post_tags BEGIN
  {_tag_update(post_day.format("OLD"), "OLD", "-")};
  INSERT INTO {TABLE} ({_COLS}) SELECT {_day("p.published_at", "sqlite")}, NEW.sector,
    COALESCE(NEW.district, ''), {_tag_values("NEW", "")} FROM posts p WHERE p.id = NEW.post_id
  ON CONFLICT (day, sector, district) DO UPDATE SET {_SET};
END""",
        f"""CREATE TRIGGER {TABLE}_tag_delete AFTER DELETE ON post_tags BEGIN
  {_tag_update(post_day.format("OLD"), "OLD", "-")};
  INSERT INTO {TABLE} ({_COLS}) SELECT {_day("p.published_at", "sqlite")}, '', '',
    1, 0, 0, 0, 0, 1 FROM posts p WHERE p.id = OLD.post_id
  ON CONFLICT (day, sector, district) DO UPDATE SET {_SET};
END""",
    ]


def _pg_upsert(select: str) -> str:
    return (
        f"INSERT INTO {TABLE} ({_COLS}) {select} "
        f"ON CONFLICT (day, sector, district) DO UPDATE SET {_SET}"
    )


def _pg_tag_select(rows: str, sign: str) -> str:
    """Per-cell sums of tag rows ``rows`` (joined to their posts for the day), times sign."""
    d = _day("p.published_at", "postgresql")
    return (
        f"SELECT {d}, t.sector, COALESCE(t.district, ''), {sign}count(*), "
        f"{sign}sum({_b('t.shutdown')}), {sign}sum({_b('t.shutdown AND t.blanket')}), "
        f"{sign}sum({_b('t.complaint')}), {sign}sum({_b('t.licensed')}), 0 "
        f"FROM {rows} t JOIN posts p ON p.id = t.post_id GROUP BY 1, 2, 3"
    )


def _pg_untagged_select(rows: str, sign: str, join_posts: bool) -> str:
    d = _day("p.published_at", "postgresql")
    src = f"{rows} t JOIN posts p ON p.id = t.post_id" if join_posts else f"{rows} p"
    return (
        f"SELECT {d}, '', '', {sign}count(*), 0, 0, 0, 0, {sign}count(*) "
        f"FROM {src} GROUP BY 1 ORDER BY 1"
    )


def _pg_function(name: str, body: str) -> str:
    return (
        f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body} "
        "RETURN NULL; END $$"
    )


def _pg_ddl() -> list[str]:
    day_old = _day("OLD.published_at", "postgresql")
    row_day = (
        "(SELECT "
        + _day("p.published_at", "postgresql")
        + " FROM posts p WHERE p.id = OLD.post_id)"
    )
    has_tags = "EXISTS (SELECT 1 FROM post_tags t WHERE t.post_id = OLD.id)"
    tag_delete_old = _tag_update(day_old, "t", "-").replace(" WHERE ", _FROM_TAGS, 1)
    return [
        f"CREATE TABLE {TABLE} (day DATE NOT NULL, sector VARCHAR(40) NOT NULL, "
        "district VARCHAR(40) NOT NULL, "
        + ", ".join(f"{c} INTEGER NOT NULL DEFAULT 0" for c in COUNTS)
        + f", CONSTRAINT pk_{TABLE} PRIMARY KEY (day, sector, district))",
        _pg_function(
            f"{TABLE}_post_insert",
            _pg_upsert(_pg_untagged_select("new_rows", "", join_posts=False)) + ";",
        ),
        f"CREATE TRIGGER {TABLE}_post_insert AFTER INSERT ON posts REFERENCING NEW TABLE AS "
        f"new_rows FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_post_insert()",
        _pg_function(
            f"{TABLE}_post_delete",
            f"{_untagged_update(day_old, '-')} AND NOT {has_tags}; {tag_delete_old}; RETURN OLD;",
        ).replace("RETURN NULL; END", "END"),
        f"CREATE TRIGGER {TABLE}_post_delete BEFORE DELETE ON posts FOR EACH ROW "
        f"EXECUTE FUNCTION {TABLE}_post_delete()",
        _pg_function(
            f"{TABLE}_tag_insert",
            _pg_upsert(_pg_untagged_select("new_rows", "-", join_posts=True))
            + "; "
            + _pg_upsert(_pg_tag_select("new_rows", "") + " ORDER BY 1, 2, 3")
            + ";",
        ),
        f"CREATE TRIGGER {TABLE}_tag_insert AFTER INSERT ON post_tags REFERENCING NEW TABLE AS "
        f"new_rows FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_tag_insert()",
        _pg_function(
            f"{TABLE}_tag_update",
            _pg_upsert(
                f"SELECT day, sector, district, sum(posts), sum(shutdown), sum(blanket), "
                f"sum(complaint), sum(licensed), 0 FROM ({_pg_tag_select('old_rows', '-')} "
                f"UNION ALL {_pg_tag_select('new_rows', '')}) AS c (day, sector, district, "
                "posts, shutdown, blanket, complaint, licensed, untagged) "
                "GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
            )
            + ";",
        ),
        f"CREATE TRIGGER {TABLE}_tag_update AFTER UPDATE ON post_tags REFERENCING OLD TABLE AS "
        f"old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_tag_update()",
        _pg_function(
            f"{TABLE}_tag_delete",
            f"IF {row_day} IS NOT NULL THEN "
            + _tag_update(row_day, "OLD", "-")
            + "; "
            + _pg_upsert(f"SELECT {row_day}, '', '', 1, 0, 0, 0, 0, 1")
            + "; END IF;",
        ),
        f"CREATE TRIGGER {TABLE}_tag_delete AFTER DELETE ON post_tags FOR EACH ROW "
        f"EXECUTE FUNCTION {TABLE}_tag_delete()",
    ]


def create(conn: Connection) -> None:
    ddl = _pg_ddl() if conn.dialect.name == "postgresql" else _sqlite_ddl()
    for statement in ddl:
        conn.execute(text(statement))
    refresh(conn)


def drop(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        for event in ("post_insert", "post_delete"):
            conn.execute(text(f"DROP TRIGGER IF EXISTS {TABLE}_{event} ON posts"))
        for event in ("tag_insert", "tag_update", "tag_delete"):
            conn.execute(text(f"DROP TRIGGER IF EXISTS {TABLE}_{event} ON post_tags"))
        for event in ("post_insert", "post_delete", "tag_insert", "tag_update", "tag_delete"):
            conn.execute(text(f"DROP FUNCTION IF EXISTS {TABLE}_{event}()"))
    else:
        for event in ("post_insert", "post_delete", "tag_insert", "tag_update", "tag_delete"):
            conn.execute(text(f"DROP TRIGGER IF EXISTS {TABLE}_{event}"))
    conn.execute(text(f"DROP TABLE IF EXISTS {TABLE}"))


def live_counts(dialect: str) -> str:
    """The SELECT that computes the table's rows from posts and tags."""
    return f"""SELECT {_day("p.published_at", dialect)} AS day,
  COALESCE(t.sector, '') AS sector, COALESCE(t.district, '') AS district,
  COUNT(*) AS posts,
  SUM(CASE WHEN t.shutdown THEN 1 ELSE 0 END) AS shutdown,
  SUM(CASE WHEN t.shutdown AND t.blanket THEN 1 ELSE 0 END) AS blanket,
  SUM(CASE WHEN t.complaint THEN 1 ELSE 0 END) AS complaint,
  SUM(CASE WHEN t.licensed THEN 1 ELSE 0 END) AS licensed,
  SUM(CASE WHEN t.id IS NULL THEN 1 ELSE 0 END) AS untagged
FROM posts p LEFT JOIN post_tags t ON t.post_id = p.id
GROUP BY 1, 2, 3"""


def refresh(conn: Connection) -> None:
    """Recompute the whole table from posts and tags (after bulk loads that bypass triggers,
    or to repair it)."""
    conn.execute(text(f"DELETE FROM {TABLE}"))
    conn.execute(text(f"INSERT INTO {TABLE} ({_COLS}) {live_counts(conn.dialect.name)}"))
