"""Issue 13 item 3 on the pages: only matched terms are highlighted and listed (never the
model's features), forum replies carry their thread's title and link, context-free replies
are not key posts, and every list row has a snippet around the first matched term."""

from __future__ import annotations

import re
from datetime import timedelta

from tests.app.web import factories as f
from tests.app.web.conftest import Clients, Seed
from tests.conftest import FakeClock
from yuqing.store.models import Source
from yuqing.store.session import Database

THREAD_TITLE = "龙沙区烧烤街一夜之间全部关停"
REPLY_TEXT = "楼上说得对，我家店也被一律关停了，说是先停再说。" + "后面的话" * 30
FRAGMENTS = ("朽木", "兹兹", "k:ctx")  # model features as the tagger stores them


def _thread_with_replies(db: Database, clock: FakeClock) -> tuple[int, int, int, int]:
    """(incident, thread, reply with matched terms, context-free reply); only the replies
    belong to the incident, as when a forum thread's floors are crawled."""
    now = clock()
    with db.session() as s:
        src = s.query(Source).filter_by(name="demo-board").one()
        thread = f.post(
            s, src, title=THREAD_TITLE, text="整条街都关了。", published_at=now - timedelta(hours=5)
        )
        evidence = {
            "shutdown": ["一律关停", "关停"],
            "blanket": ["一律关停", "先停再说"],
            "complaint": [],
            "context": ["关停:imposed/business"],
            "features": {"shutdown": list(FRAGMENTS), "blanket": ["们那", "说是"]},
        }
        reply = f.post(
            s,
            src,
            title="",
            text=REPLY_TEXT,
            published_at=now - timedelta(hours=1),
            url=thread.url,
            tags={"evidence": evidence},
        )
        alone = f.post(
            s,
            src,
            title="",
            text="同样情况，我们那边也是这样",
            published_at=now - timedelta(minutes=30),
            url=thread.url,
            tags={"evidence": {"features": {"complaint": ["们那", "是这"]}}},
        )
        reply.parent_id = alone.parent_id = thread.id
        inc = f.incident(
            s,
            departments=["lsq"],
            posts=[alone, reply],
            opened_at=now - timedelta(minutes=20),
            title="龙沙区 生活服务业 一刀切式关停（回帖）",
        )
        s.commit()
        return inc.id, thread.id, reply.id, alone.id


def _inbox_row(html: str, incident_id: int) -> str:
    m = re.search(rf'<tr [^>]*data-incident="{incident_id}">(.*?)</tr>', html, re.S)
    assert m, f"incident {incident_id} not in the inbox"
    return m.group(1)


def test_issue_13_incident_page_lists_matched_terms_and_titles_replies_by_thread(
    clients: Clients, seed: Seed, sqlite_database: Database, clock: FakeClock
) -> None:
    inc, _thread, reply, alone = _thread_with_replies(sqlite_database, clock)
    html = clients.login("lsq1").get(f"/incidents/{inc}").text
    article = re.search(rf'<article class="post" id="post-{reply}">(.*?)</article>', html, re.S)
    assert article is not None
    body = article.group(1)
    assert f"回复：{THREAD_TITLE}" in body and "（无标题）" not in body
    assert 'href="https://bbs.example.cn/thread/' in body  # the thread, not the bare floor
    assert "<mark>一律关停</mark>" in body and "<mark>先停再说</mark>" in body
    assert "<mark>说是</mark>" not in body  # a model feature, not a matched term
    table = re.search(r"<table class=\"table compact\">(.*?)</table>", body, re.S)
    assert table is not None and "模型特征" not in table.group(1)
    assert "一律关停、先停再说" in table.group(1)
    for fragment in (*FRAGMENTS, "imposed", "business", "们那"):
        assert fragment not in table.group(1)
    for fragment in FRAGMENTS:
        assert fragment not in html
    # the context-free reply is still listed with its thread, never as an untitled post, and
    # after the key post (it is not one, though newer)
    other = re.search(rf'<article class="post" id="post-{alone}">(.*?)</article>', html, re.S)
    assert other is not None and f"回复：{THREAD_TITLE}" in other.group(1)
    assert 'data-key-post="1"' in body and "data-key-post" not in other.group(1)
    assert html.index(f'id="post-{reply}"') < html.index(f'id="post-{alone}"')


def test_issue_13_inbox_rows_have_a_snippet_of_their_key_post(
    clients: Clients, seed: Seed, sqlite_database: Database, clock: FakeClock
) -> None:
    inc, *_ = _thread_with_replies(sqlite_database, clock)
    html = clients.login("lsq1").get("/inbox").text
    row = _inbox_row(html, inc)
    snippet = re.search(r'<div class="snippet small crawled"[^>]*>(.*?)</div>', row, re.S)
    assert snippet is not None
    # the reply with matched terms is the key post, not the context-free one
    assert "<mark>一律关停</mark>" in snippet.group(1) and "同样情况" not in snippet.group(1)
    assert len(re.sub(r"<[^>]+>", "", snippet.group(1))) <= 82
    seeded = _inbox_row(html, seed.lsq)
    assert '<div class="snippet small crawled"' in seeded and "<mark>统一停业</mark>" in seeded


def test_issue_13_triage_posts_and_search_rows_have_snippets_and_reply_titles(
    clients: Clients, seed: Seed, sqlite_database: Database, clock: FakeClock
) -> None:
    _thread_with_replies(sqlite_database, clock)
    triage = clients.login("jhq1").get("/triage").text
    assert re.search(r'<p class="snippet crawled">建华区某工地突然全部停工', triage)
    analyst = clients.login("ana")
    posts = analyst.get("/posts").text
    assert f'<b class="crawled">回复：{THREAD_TITLE}</b>' in posts
    assert "<mark>一律关停</mark>" in posts
    for fragment in FRAGMENTS:
        assert fragment not in posts
    found = analyst.get("/search", params={"q": "先停再说"}).text
    assert f'<b class="crawled">回复：{THREAD_TITLE}</b>' in found
