"""Stable SQL views for analysts (documented in docs/schema.md).

The views have the same names, columns and column order on SQLite and PostgreSQL, so one
query works on both. Conventions:

* flags are integers 0/1 (``SUM(shutdown)`` counts on both backends); NULL when the post has
  no tags yet;
* timestamps are UTC (PostgreSQL ``timestamptz``; SQLite text ``YYYY-MM-DD HH:MM:SS[.ffffff]``);
* ``*_day`` columns are the calendar day in China Standard Time (UTC+8, Asia/Shanghai, no
  daylight saving since 1991): PostgreSQL ``date``, SQLite text ``YYYY-MM-DD`` — both compare
  with a literal ``'2026-11-27'``;
* durations are minutes (floating point).

The views are created by migration 0002. Changing one means a new migration that drops and
re-creates it; columns are only ever added at the end, never renamed or removed. Migration
0012 re-created the incident views with ``merged_into`` (issue 13): an incident merged into a
higher one is ``resolved`` with ``merged_into`` set, and is the same event — count events with
``WHERE merged_into IS NULL``.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

UTC_OFFSET_HOURS = 8  # China Standard Time

# name -> description (also shown by Datasette and listed in docs/schema.md)
VIEWS: dict[str, str] = {
    "v_posts": "帖文及其当前标签 — posts with their current tags (one row per post)",
    "v_incidents": "事件及处置时效 — incidents with their departments and timings",
    "v_incident_departments": "事件分派 — one row per incident and receiving department",
    "v_daily_counts": "按日、行业、地区统计 — daily counts by sector and district",
}

# Expression indexes that make day filters on the views fast (not modeled by the ORM).
INDEXES = ("ix_posts_published_day",)


def _day(col: str, dialect: str) -> str:
    if dialect == "postgresql":
        return f"CAST(({col} AT TIME ZONE 'Asia/Shanghai') AS date)"
    return f"date({col}, '+{UTC_OFFSET_HOURS} hours')"


def _flag(col: str) -> str:
    return f"CASE WHEN {col} IS NULL THEN NULL WHEN {col} THEN 1 ELSE 0 END"


def _minutes(start: str, end: str, dialect: str) -> str:
    if dialect == "postgresql":
        return f"CAST(EXTRACT(EPOCH FROM ({end} - {start})) / 60.0 AS double precision)"
    return f"(julianday({end}) - julianday({start})) * 1440.0"


def _now(dialect: str) -> str:
    return "now()" if dialect == "postgresql" else "strftime('%Y-%m-%d %H:%M:%f', 'now')"


def _departments(dialect: str) -> str:
    if dialect == "postgresql":
        return (
            "(SELECT string_agg(d.department_code, ',' ORDER BY d.department_code) "
            "FROM incident_departments d WHERE d.incident_id = i.id)"
        )
    return (
        "(SELECT group_concat(code, ',') FROM (SELECT d.department_code AS code "
        "FROM incident_departments d WHERE d.incident_id = i.id ORDER BY d.department_code))"
    )


# Views whose body changed with a later migration, and the columns it appended.
INCIDENT_VIEWS = ("v_incidents", "v_incident_departments")


def definitions(dialect: str, merged: bool = True) -> dict[str, str]:
    """``CREATE VIEW`` bodies (the SELECT) per view, for ``dialect``; ``merged=False`` gives
    the incident views as migration 0002 created them (before ``incidents.merged_into``)."""
    day, flag = _day, _flag
    posts = f"""
SELECT p.id AS post_id, s.name AS source, p.url, p.title, p.text, p.author_hash,
  p.published_at, {day("p.published_at", dialect)} AS published_day, p.fetched_at,
  p.cluster_id, p.parent_id, p.likes, p.replies, p.reposts,
  CASE WHEN t.id IS NULL THEN 0 ELSE 1 END AS tagged, t.model_version,
  {flag("t.shutdown")} AS shutdown, t.shutdown_score,
  {flag("t.blanket")} AS blanket, t.blanket_score,
  {flag("t.complaint")} AS complaint, t.complaint_score,
  t.sector, t.sector_score, t.district, t.district_match,
  {flag("t.licensed")} AS licensed, t.licensed_score, t.tagged_at
FROM posts p
JOIN sources s ON s.id = p.source_id
LEFT JOIN post_tags t ON t.post_id = p.id"""
    first_response = "COALESCE(i.acknowledged_at, i.resolved_at)"
    merged_columns = ",\n  i.merged_into, i.merged_at" if merged else ""
    tail = ", i.merged_into" if merged else ""  # v_incident_departments
    incidents = f"""
SELECT i.id AS incident_id, i.rule, i.severity, i.status, i.title, i.district, i.sector,
  i.post_count, i.first_post_at, i.last_post_at, i.opened_at,
  {day("i.opened_at", dialect)} AS opened_day, i.due_at,
  i.acknowledged_at, i.acknowledged_by, i.assigned_to, i.resolved_at, i.resolved_by,
  i.resolution, i.escalation_level, i.escalated_at,
  {_minutes("i.opened_at", "i.acknowledged_at", dialect)} AS minutes_to_acknowledge,
  {_minutes("i.opened_at", "i.resolved_at", dialect)} AS minutes_to_resolve,
  CASE WHEN i.due_at IS NULL THEN 0
       WHEN {first_response} IS NULL AND i.due_at < {_now(dialect)} THEN 1
       WHEN {first_response} > i.due_at THEN 1 ELSE 0 END AS overdue,
  {_departments(dialect)} AS departments{merged_columns}
FROM incidents i"""
    incident_departments = f"""
SELECT d.incident_id, d.department_code, dep.name AS department_name, d.route,
  d.first_notified_at, d.last_notified_at, d.notified_count,
  i.rule, i.severity, i.status, i.district, i.sector, i.opened_at,
  {day("i.opened_at", dialect)} AS opened_day, i.due_at, i.acknowledged_at, i.resolved_at{tail}
FROM incident_departments d
JOIN incidents i ON i.id = d.incident_id
LEFT JOIN departments dep ON dep.code = d.department_code"""
    daily = """
SELECT day, sector, district, posts, shutdown, blanket, complaint, licensed, untagged
FROM daily_counts
WHERE posts > 0"""
    return {
        "v_posts": posts,
        "v_incidents": incidents,
        "v_incident_departments": incident_departments,
        "v_daily_counts": daily,
    }


def create(conn: Connection, merged: bool = True) -> None:
    """The views (after :func:`yuqing.store.rollup.create`: v_daily_counts reads its table);
    ``merged``: see :func:`definitions`."""
    dialect = conn.dialect.name
    for name, body in definitions(dialect, merged).items():
        conn.execute(text(f"CREATE VIEW {name} AS{body}"))
    # the local day first, then published_at: SQLite reads day filters from the index alone
    day = f"({day_expr(dialect)})" if dialect == "postgresql" else day_expr(dialect)
    conn.execute(text(f"CREATE INDEX ix_posts_published_day ON posts ({day}, published_at)"))


def day_expr(dialect: str, col: str = "published_at") -> str:
    """The local day of ``col``, exactly as the views and their index spell it."""
    return _day(col, dialect)


def replace_incident_views(conn: Connection, merged: bool) -> None:
    """Drop and re-create the incident views (migration 0012 and its downgrade)."""
    bodies = definitions(conn.dialect.name, merged)
    for name in reversed(INCIDENT_VIEWS):
        conn.execute(text(f"DROP VIEW IF EXISTS {name}"))
    for name in INCIDENT_VIEWS:
        conn.execute(text(f"CREATE VIEW {name} AS{bodies[name]}"))


def drop(conn: Connection) -> None:
    for name in reversed(list(VIEWS)):
        conn.execute(text(f"DROP VIEW IF EXISTS {name}"))
    conn.execute(text("DROP INDEX IF EXISTS ix_posts_published_day"))


def columns(conn: Connection, view: str) -> list[str]:
    """The column names of ``view``, in order."""
    if view not in VIEWS:
        raise KeyError(view)
    result = conn.execute(text(f"SELECT * FROM {view} WHERE 1 = 0"))
    return list(result.keys())
