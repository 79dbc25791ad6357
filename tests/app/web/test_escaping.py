"""Crawled text is hostile: markup, ``javascript:`` links, markdown links and template syntax
from posts (and from notes, comments, errors) reach every page as inert text."""

from __future__ import annotations

from tests.app.web.conftest import Clients, Seed, post_form


def assert_inert(html: str) -> None:
    """No injected element or link survived; the hostile text is there, escaped."""
    assert html.count("<script") == 1  # ours: <script src="/static/app.js" defer>
    assert '<script src="/static/app.js" defer></script>' in html
    assert "<img" not in html and "onerror=" not in html.replace("onerror=alert", "")
    assert 'href="javascript' not in html.lower() and "href='javascript" not in html.lower()
    assert "<b>督察" not in html and "<b>HTTP" not in html and "<b>mailbox" not in html
    assert "49标题" not in html  # {{ 7*7 }} in a title was not evaluated


def test_incident_page_escapes_posts(clients: Clients, seed: Seed) -> None:
    html = clients.login("lsq1").get(f"/incidents/{seed.lsq}").text
    assert_inert(html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(2)&gt;" in html
    assert "[点我](javascript:alert(3))" in html  # markdown stays text, no link
    assert "{{ 7*7 }}" in html and "{% raw %}" in html and "${7*7}" in html
    assert "&lt;script&gt;alert(&#39;t&#39;)&lt;/script&gt;{{ 7*7 }}标题" in html
    # the javascript: source URL is not a link; the error of a failed delivery is escaped
    assert "（链接不可用）" in html
    # the delivery error (operator English) is shown to admins only (issue 13), escaped
    assert "SMTP 550" not in html
    admin_html = clients.login("admin").get(f"/incidents/{seed.lsq}").text
    assert_inert(admin_html)
    assert "SMTP 550 &lt;b&gt;mailbox unavailable&lt;/b&gt;" in admin_html


def test_actions_and_feedback_notes_are_escaped(clients: Clients, seed: Seed) -> None:
    c = clients.login("lsq1")
    hostile = "<script>alert('note')</script> [x](javascript:alert(1)) {{ 7*7 }}"
    assert post_form(c, f"/incidents/{seed.lsq}/note", {"note": hostile}).status_code == 303
    assert post_form(c, f"/incidents/{seed.lsq}/acknowledge", {"note": hostile}).status_code == 303
    url = f"/incidents/{seed.lsq}/posts/{seed.hostile_post}/false-positive"
    assert post_form(c, url, {"note": hostile}).status_code == 303
    html = c.get(f"/incidents/{seed.lsq}").text
    assert_inert(html)
    assert html.count("&lt;script&gt;alert(&#39;note&#39;)&lt;/script&gt;") >= 3
    audit = clients.login("admin").get("/admin/audit").text
    assert_inert(audit)
    assert "alert(&#39;note&#39;)" in audit


def test_analyst_pages_escape_posts(clients: Clients, seed: Seed) -> None:
    ana = clients.login("ana")
    for url in (
        "/search?q=一刀切&from=2026-11-01&to=2026-11-30",
        "/posts?from=2026-11-01&to=2026-11-30",
        "/inbox",
        "/dashboard?from=2026-11-01&to=2026-11-30",
    ):
        html = ana.get(url).text
        assert_inert(html)
    search = ana.get("/search?q=一刀切&from=2026-11-01&to=2026-11-30").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in search
    token = ana.get("/sql").text
    assert "csrf_token" in token
    r = post_form(ana, "/sql", {"sql": "SELECT title, text FROM v_posts", "limit": "100"})
    assert_inert(r.text)
    assert "&lt;img src=x onerror=alert(2)&gt;" in r.text


def test_search_query_is_escaped(clients: Clients, seed: Seed) -> None:
    html = clients.login("ana").get("/search", params={"q": '"><script>alert(9)</script>'}).text
    assert_inert(html)
    assert "&#34;&gt;&lt;script&gt;alert(9)&lt;/script&gt;" in html


def test_admin_pages_escape_stored_text(clients: Clients, seed: Seed) -> None:
    admin = clients.login("admin")
    silences = admin.get("/admin/silences").text
    assert_inert(silences.replace("{{ 7*7 }}", ""))
    assert "&lt;b&gt;督察&lt;/b&gt;期间暂停通知 {{ 7*7 }}" in silences
    source = admin.get(f"/admin/sources/{seed.source_failing}").text
    assert_inert(source)
    assert "&lt;b&gt;HTTP 503&lt;/b&gt;" in source


def test_flash_messages_come_from_codes_only(clients: Clients, seed: Seed) -> None:
    html = clients.login("lsq1").get("/inbox?msg=<script>alert(1)</script>请拨打电话").text
    assert_inert(html)
    assert "请拨打电话" not in html
    assert "已签收。" in clients.login("lsq1").get("/inbox?msg=acknowledged").text
