"""Analyst pages: search in the keyword language, the post list, exports, read-only SQL."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from tests.app.web.conftest import Clients, Seed, post_form, text_of
from yuqing.app.web import sqlconsole
from yuqing.store.models import AuditLog
from yuqing.store.readonly import QueryError
from yuqing.store.session import Database

RANGE = "from=2026-11-01&to=2026-11-30"


def test_search_keyword_language(clients: Clients, seed: Seed) -> None:
    ana = clients.login("ana")
    both = text_of(ana.get(f"/search?q=龙沙区 AND (烧烤 OR 洗车)&{RANGE}").text)
    assert "找到 2 条" in both
    one = text_of(ana.get(f"/search?q=龙沙区 NOT 洗车&{RANGE}").text)
    assert "找到 1 条" in one and "龙沙区洗车店统一停业" not in one
    html = ana.get(f"/search?q=工地&sector=construction&{RANGE}").text
    assert "找到 1 条" in text_of(html) and "<mark>工地</mark>" in html
    none = ana.get(f"/search?q=工地&sector=aquaculture&{RANGE}").text
    assert "没有匹配的帖文" in none


def test_search_syntax_error_is_reported(clients: Clients, seed: Seed) -> None:
    r = clients.login("ana").get("/search?q=(一刀切 OR")
    assert r.status_code == 400 and "检索式有误" in r.text


def test_post_list_filters(clients: Clients, seed: Seed) -> None:
    ana = clients.login("ana")

    def count(query: str) -> int:
        html = ana.get(f"/posts?{RANGE}&{query}").text
        return len(re.findall(r'<tr>\s*<td class="nowrap">', html))

    assert count("") == 3
    assert count("district=建华区") == 1
    assert count("flag=blanket") == 2
    assert count("sector=construction") == 1
    assert count("source=weibo-search") == 0
    assert count("flag=untagged") == 0
    assert count("flag=<script>") == 3  # unknown values are ignored


def test_export_csv(clients: Clients, seed: Seed, sqlite_database: Database) -> None:
    r = clients.login("ana").get(f"/exports/posts.csv?{RANGE}&district=建华区")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    assert (
        r.headers["content-disposition"]
        == 'attachment; filename="yuqing-posts-2026-11-01-2026-11-30.csv"'
    )
    assert r.content.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads the Chinese
    body = r.content.decode("utf-8-sig")
    assert "建华区工地停工" in body and "龙沙区洗车店" not in body
    with sqlite_database.session() as s:
        row = s.scalar(select(AuditLog).where(AuditLog.action == "export"))
        assert row is not None and row.actor == "ana" and row.detail["rows"] == 1


@pytest.mark.parametrize("fmt", ["xlsx", "parquet"])
def test_export_binary_formats(clients: Clients, seed: Seed, fmt: str) -> None:
    r = clients.login("ana").get(f"/exports/incidents.{fmt}?{RANGE}")
    assert r.status_code == 200 and len(r.content) > 100
    if fmt == "xlsx":
        from openpyxl import load_workbook

        rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
        assert len(rows) == 1 + 4
    else:
        import pyarrow.parquet as pq

        assert pq.read_table(io.BytesIO(r.content)).num_rows == 4


def test_unknown_export_is_404(clients: Clients, seed: Seed) -> None:
    ana = clients.login("ana")
    assert ana.get("/exports/users.csv").status_code == 404
    assert ana.get("/exports/posts.exe").status_code == 404


def test_sql_console_runs_read_only_queries(
    clients: Clients, seed: Seed, sqlite_database: Database
) -> None:
    ana = clients.login("ana")
    r = post_form(
        ana, "/sql", {"sql": "SELECT post_id, district FROM v_posts ORDER BY 1", "limit": "100"}
    )
    assert r.status_code == 200 and "3 行" in text_of(r.text)
    assert "<th>district</th>" in r.text
    many = post_form(
        ana,
        "/sql",
        {
            "sql": "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
            "WHERE i < 150) SELECT i FROM n",
            "limit": "100",
        },
    )
    assert "100 行（已截断，仅显示前 100 行）" in text_of(many.text)
    for sql in (
        "DELETE FROM posts",
        "UPDATE incidents SET status='resolved'",
        "SELECT 1; DROP TABLE posts",
    ):
        refused = post_form(ana, "/sql", {"sql": sql, "limit": "100"})
        assert refused.status_code == 400 and "只允许单条只读查询" in refused.text
    broken = post_form(ana, "/sql", {"sql": "SELECT * FROM nowhere", "limit": "100"})
    assert broken.status_code == 400 and "查询失败" in broken.text
    with sqlite_database.session() as s:
        logged = list(s.scalars(select(AuditLog).where(AuditLog.action == "sql.query")))
    assert len(logged) == 6 and logged[0].detail["rows"] == 3
    assert "DELETE FROM posts" in logged[2].detail["sql"] and logged[2].detail["error"]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM users",
        'SELECT * FROM "USERS"',
        "SELECT * FROM main.[users]",
        "SELECT username, password_hash FROM `users`",
        "SELECT 1 FROM v_posts WHERE 1 = 0 UNION SELECT password_hash FROM users",
        "SELECT query_to_xml('select * from us' || 'ers', true, true, '')",
        "SELECT pg_read_file('/etc/passwd')",
        'SELECT * FROM U&"\\0075sers"',
        "SELECT id, user_id FROM web_sessions",  # issue 14: sessions are not for analysts
        "SELECT * FROM login_throttle",
    ],
)
def test_sql_console_refuses_protected_data(sql: str) -> None:
    with pytest.raises(sqlconsole.ProtectedData):
        sqlconsole.check_protected(sql)


def test_sql_console_allows_names_in_strings_and_comments() -> None:
    sqlconsole.check_protected(
        "SELECT 'users' AS t, text FROM v_posts -- users\n/* password_hash */"
    )
    assert sqlconsole.identifiers('SELECT "My Col" FROM [t]') == ["select", "my col", "from", "t"]


def test_sql_console_refuses_users_in_the_page(clients: Clients, seed: Seed) -> None:
    r = post_form(clients.login("admin"), "/sql", {"sql": "SELECT * FROM users", "limit": "100"})
    assert r.status_code == 400 and "受保护的数据（users）" in r.text
    assert "$argon2" not in r.text


def test_sql_console_limits() -> None:
    with pytest.raises(QueryError, match="query too long"):
        sqlconsole.run_console("sqlite:///nowhere.db", "SELECT 1" + " " * 30_000, 100)


def test_sql_console_stops_at_the_byte_limit(clients: Clients, seed: Seed) -> None:
    """issue 14: `SELECT randomblob(20000000)` returned a 58.8 MB page."""
    ana = clients.login("ana")
    r = post_form(ana, "/sql", {"sql": "SELECT randomblob(20000000) AS b", "limit": "100"})
    assert r.status_code == 200 and len(r.content) < 100_000
    assert "0 行（已截断：结果超过 1.0 MB 上限，仅显示前 0 行）" in text_of(r.text)
    many = post_form(
        ana,
        "/sql",
        {
            "sql": "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
            "WHERE i < 100) SELECT i, randomblob(30000) FROM n",
            "limit": "2000",
        },
    )
    assert many.status_code == 200
    assert "33 行（已截断：结果超过 1.0 MB 上限，仅显示前 33 行）" in text_of(many.text)
