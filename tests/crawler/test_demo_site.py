"""The bundled demo site: endpoints, pagination, encodings, robots, live mode, faults, content."""

from __future__ import annotations

import http.client
import json
import logging
import re
import threading
import time
import urllib.robotparser
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote, urlsplit
from xml.etree import ElementTree

import pytest
from opencc import OpenCC

from yuqing.crawler.demo_site import DemoSite
from yuqing.crawler.demo_site.clock import TZ, forum_time, weibo_time
from yuqing.crawler.demo_site.content import (
    CHANNELS,
    DISTRICTS,
    MAX_AGE_MINUTES,
    POSTS_PATH,
    SECTORS,
    compose,
    load_posts,
)
from yuqing.crawler.demo_site.scale import ID_STRIDE, scale_posts

NOW = datetime(2026, 3, 5, 10, 20, tzinfo=TZ)
MAX_PAGES = 200


class Fetched:
    def __init__(self, status: int, headers: http.client.HTTPMessage, body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def json(self) -> Any:
        return json.loads(self.body)


def fetch(base: str, path: str, method: str = "GET", body: bytes | None = None) -> Fetched:
    """One request, no redirect following (http.client on loopback)."""
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
    try:
        headers = {"Content-Type": "application/json"} if body is not None else {}
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        return Fetched(resp.status, resp.headers, resp.read())
    finally:
        conn.close()


class FakeClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(scope="module")
def site() -> Iterator[DemoSite]:
    with DemoSite(now=FakeClock(NOW), huge_bytes=2 * 1024 * 1024) as s:
        yield s


@pytest.fixture(scope="module")
def posts() -> list[dict[str, Any]]:
    return [dict(p) for p in load_posts()]


def by_channel(posts: list[dict[str, Any]], channel: str) -> list[dict[str, Any]]:
    return [p for p in posts if p["channel"] == channel]


# ---------------------------------------------------------------------------- content


def test_content_meets_distribution(posts: list[dict[str, Any]]) -> None:
    n = len(posts)
    assert n >= 330
    assert len({p["id"] for p in posts}) == n
    labels = [p["labels"] for p in posts]
    assert {lab["sector"] for lab in labels} == set(SECTORS)
    assert {lab["district"] for lab in labels} - {""} == set(DISTRICTS)
    counts = Counter(p["channel"] for p in posts)
    assert set(counts) == set(CHANNELS) and min(counts.values()) >= 30
    shutdown = [lab for lab in labels if lab["shutdown"]]
    assert 0.08 <= len(shutdown) / n <= 0.13
    blanket = [lab for lab in shutdown if lab["blanket"]]
    assert 0.4 <= len(blanket) / len(shutdown) <= 0.6
    assert all(lab["shutdown"] for lab in labels if lab["blanket"])
    assert sum(lab["licensed"] for lab in shutdown) >= 5
    assert sum(lab["complaint"] for lab in labels) >= n // 3
    assert {lab["sector"] for lab in shutdown} >= set(SECTORS) - {"other"}


def test_content_spread_over_fourteen_days(posts: list[dict[str, Any]]) -> None:
    ages = [p["age"] for p in posts if "pinned" not in p["flags"]]
    assert all(0 <= a < MAX_AGE_MINUTES for a in ages)
    assert {a // (24 * 60) for a in ages} == set(range(14))
    assert all(p["age"] > MAX_AGE_MINUTES for p in posts if "pinned" in p["flags"])


def test_content_special_cases(posts: list[dict[str, Any]]) -> None:
    ids = {p["id"] for p in posts}
    dups = [p for p in posts if p["dup_of"] is not None]
    assert len(dups) >= 10 and all(p["dup_of"] in ids for p in dups)
    assert any(p["text"].startswith("转发") for p in dups)
    texts = " ".join(p["text"] + p["author"] for p in posts)
    assert len(re.findall(r"1[3-9]\d[ -]?\d{4}[ -]?\d{4}", texts)) >= 5
    assert re.search(r"\d{17}[\dX]", texts)
    hant = [p for p in posts if "hant" in p["flags"]]
    t2s = OpenCC("t2s").convert
    assert len(hant) >= 3 and all(t2s(p["text"]) != p["text"] for p in hant)
    held = [p for p in posts if "held" in p["flags"]]
    assert len(held) >= 10
    assert any(p["labels"]["blanket"] and p["labels"]["district"] for p in held)
    county = by_channel(posts, "county")
    assert any("charset:header" in p["flags"] for p in county)
    assert any("charset:none" in p["flags"] for p in county)
    for p in county + by_channel(posts, "news"):
        p["text"].encode("gbk")


def test_posts_file_is_generated_from_sources() -> None:
    handwritten = compose.parse_handwritten(compose.HANDWRITTEN.read_text(encoding="utf-8"))
    assert len(handwritten) >= 120
    assert compose.render(compose.build()) == POSTS_PATH.read_text(encoding="utf-8")


def test_load_posts_returns_copies() -> None:
    first = load_posts()
    first[0]["title"] = "changed"
    assert load_posts()[0]["title"] != "changed"


# ---------------------------------------------------------------------------- times


def test_forum_time_formats() -> None:
    now = datetime(2026, 3, 5, 10, 20, tzinfo=TZ)
    cases = {
        timedelta(seconds=20): "刚刚",
        timedelta(minutes=3): "3分钟前",
        timedelta(hours=2): "2小时前",
        timedelta(hours=20, minutes=18): "昨天 14:02",
        timedelta(days=2, hours=1, minutes=5): "前天 09:15",
        timedelta(days=20, hours=1, minutes=50): "02-13 08:30",
    }
    for delta, expected in cases.items():
        assert forum_time(now - delta, now) == expected
    assert forum_time(datetime(2025, 3, 5, 10, 20, tzinfo=TZ), now) == "2025年3月5日 10:20"


def test_weibo_time_formats() -> None:
    now = datetime(2026, 11, 25, 12, 0, tzinfo=TZ)
    assert weibo_time(now, now) == "刚刚"
    assert weibo_time(now - timedelta(minutes=5), now) == "5分钟前"
    assert weibo_time(now - timedelta(hours=1, minutes=39), now) == "今天 10:21"
    assert weibo_time(now - timedelta(hours=20), now) == "昨天 16:00"
    assert weibo_time(datetime(2026, 11, 20, 18, 3, tzinfo=TZ), now) == "11月20日 18:03"
    assert weibo_time(datetime(2025, 11, 20, 18, 3, tzinfo=TZ), now) == "2025-11-20"


# ---------------------------------------------------------------------------- message board

MESSAGE_KEYS = {
    "tid", "title", "content", "nickname", "area", "createTime", "replyCount", "likeCount", "url",
}  # fmt: skip


def test_board_page_pagination(site: DemoSite, posts: list[dict[str, Any]]) -> None:
    seen: list[int] = []
    times: list[int] = []
    for page in range(1, MAX_PAGES):
        data = fetch(site.base_url, f"/board/api/messages?page={page}&size=20").json()
        assert data["code"] == 0 and data["data"]["page"] == page
        items = data["data"]["list"]
        if not items:
            break
        for item in items:
            assert set(item) == MESSAGE_KEYS
            assert isinstance(item["createTime"], int)
            assert item["url"] == f"/board/message/{item['tid']}"
        seen += [i["tid"] for i in items]
        times += [i["createTime"] for i in items]
    else:
        pytest.fail("page pagination did not terminate")
    assert sorted(seen) == sorted(p["id"] for p in by_channel(posts, "board"))
    assert data["data"]["total"] == len(seen)
    assert times == sorted(times, reverse=True)


def test_board_offset_and_cursor_agree(site: DemoSite) -> None:
    by_offset: list[int] = []
    for offset in range(0, 20 * MAX_PAGES, 25):
        items = fetch(site.base_url, f"/board/api/messages?offset={offset}&size=25").json()
        if not items["data"]["list"]:
            break
        by_offset += [i["tid"] for i in items["data"]["list"]]
    by_cursor: list[int] = []
    cursor = ""
    for _ in range(MAX_PAGES):
        data = fetch(site.base_url, f"/board/api/feed?size=15&cursor={cursor}").json()["data"]
        by_cursor += [i["tid"] for i in data["list"]]
        if data["next_cursor"] is None:
            assert data["has_more"] is False
            break
        cursor = data["next_cursor"]
    else:
        pytest.fail("cursor pagination did not terminate")
    assert by_offset == by_cursor and len(by_cursor) == len(set(by_cursor))


def test_board_search_and_detail(site: DemoSite) -> None:
    body = json.dumps({"keyword": "停工", "page": 1, "size": 2}).encode()
    data = fetch(site.base_url, "/board/api/search", "POST", body).json()["data"]
    assert data["total"] >= 2 and len(data["list"]) == 2
    assert all("停工" in i["title"] + i["content"] for i in data["list"])
    page = fetch(site.base_url, data["list"][0]["url"])
    assert page.status == 200
    assert 'class="message-title"' in page.text and 'class="message-content"' in page.text
    bad = fetch(site.base_url, "/board/api/search", "POST", b"not json")
    assert bad.status == 400 and bad.json()["code"] == 400
    assert fetch(site.base_url, "/board/api/messages?page=abc").status == 400
    assert fetch(site.base_url, "/board/api/feed?cursor=%%%").status == 400
    assert fetch(site.base_url, "/board/api/search").status == 405
    assert fetch(site.base_url, "/board/message/999999").status == 404


# ---------------------------------------------------------------------------- forum

_THREAD_LINK = re.compile(r'<a class="j_th_tit" href="([^"]+)"')
_NEXT = re.compile(r'<a class="next pagination-item" href="([^"]+)"')


def test_forum_list_pagination(site: DemoSite, posts: list[dict[str, Any]]) -> None:
    path: str | None = "/forum/"
    links: list[str] = []
    pages = 0
    while path is not None:
        pages += 1
        assert pages < MAX_PAGES
        page = fetch(site.base_url, path)
        assert page.status == 200 and "text/html" in page.headers["Content-Type"]
        links += _THREAD_LINK.findall(page.text)
        nxt = _NEXT.search(page.text)
        path = nxt.group(1) if nxt else None
    assert pages > 1
    thread_ids = {
        int(m.group(1)) for m in map(re.compile(r"/forum/thread/(\d+)$").match, links) if m
    }
    assert thread_ids - {0} == {p["id"] for p in by_channel(posts, "forum")}
    assert "/forum/thread/0" in links and "/forum/private/1" in links
    first = fetch(site.base_url, "/forum/").text
    assert "2025年" in first  # the pinned rules thread is from last year
    assert re.search(r"(刚刚|\d+分钟前|\d+小时前)", first)
    assert fetch(site.base_url, f"/forum/?pn={pages + 1}").status == 404


def test_forum_thread_reply_pages(site: DemoSite, posts: list[dict[str, Any]]) -> None:
    long = max(by_channel(posts, "forum"), key=lambda p: p["replies"])
    assert long["replies"] > 30
    first = fetch(site.base_url, f"/forum/thread/{long['id']}").text
    assert 'class="core_title_txt"' in first and 'data-floor="1"' in first
    assert re.escape(long["text"].splitlines()[0]) and long["text"].splitlines()[0] in first
    assert f'href="/forum/thread/{long["id"]}?pn=2"' in first
    second = fetch(site.base_url, f"/forum/thread/{long['id']}?pn=2").text
    assert 'data-floor="31"' in second and 'data-floor="1"' not in second
    assert fetch(site.base_url, f"/forum/thread/{long['id']}").text == first  # stable
    pages = -(-(long["replies"] + 1) // 30)
    assert fetch(site.base_url, f"/forum/thread/{long['id']}?pn={pages + 1}").status == 404
    short = next(p for p in by_channel(posts, "forum") if p["replies"] == 0)
    page = fetch(site.base_url, f"/forum/thread/{short['id']}").text
    assert 'class="next"' not in page


def test_broken_page_and_robots(site: DemoSite) -> None:
    broken = fetch(site.base_url, "/forum/thread/0")
    assert broken.status == 200
    with pytest.raises(UnicodeDecodeError):
        broken.body.decode("utf-8")
    robots = fetch(site.base_url, "/robots.txt")
    assert robots.status == 200 and "Disallow: /forum/private/" in robots.text
    parser = urllib.robotparser.RobotFileParser()
    parser.parse(robots.text.splitlines())
    assert not parser.can_fetch("yuqing", site.base_url + "/forum/private/1")
    assert parser.can_fetch("yuqing", site.base_url + "/forum/")
    assert fetch(site.base_url, "/forum/private/1").status == 200


# ---------------------------------------------------------------------------- weibo


def test_weibo_search(site: DemoSite, posts: list[dict[str, Any]]) -> None:
    keyword = "齐齐哈尔"
    expected = {p["id"] for p in by_channel(posts, "weibo") if keyword in p["text"]}
    found: set[int] = set()
    for page in range(1, MAX_PAGES):
        data = fetch(site.base_url, f"/weibo/api/search?q={quote(keyword)}&page={page}").json()
        if data["ok"] != 1:
            assert data["data"]["cards"] == []
            break
        for card in data["data"]["cards"]:
            blog = card["mblog"]
            assert keyword in re.sub(r"<[^>]+>", "", blog["text"])
            assert {"reposts_count", "comments_count", "attitudes_count"} <= set(blog)
            assert blog["user"]["screen_name"]
            assert re.fullmatch(
                r"刚刚|\d+分钟前|(今天|昨天) \d\d:\d\d|\d+月\d+日 \d\d:\d\d|\d{4}-\d\d-\d\d",
                blog["created_at"],
            )
            found.add(int(blog["mid"]) - 4_900_000_000_000_000)
            assert fetch(site.base_url, urlsplit(card["scheme"]).path).status == 200
    else:
        pytest.fail("weibo pagination did not terminate")
    assert found == expected and len(found) > 10


# ---------------------------------------------------------------------------- news feeds


def test_rss_and_atom(site: DemoSite, posts: list[dict[str, Any]]) -> None:
    rss = fetch(site.base_url, "/news/rss.xml?limit=1000")
    assert rss.headers["Content-Type"].startswith("application/rss+xml")
    items = ElementTree.fromstring(rss.body).findall("./channel/item")
    assert len(items) == len(by_channel(posts, "news"))
    dates = [parsedate_to_datetime(i.findtext("pubDate") or "") for i in items]
    assert dates == sorted(dates, reverse=True)
    link = items[0].findtext("link") or ""
    assert re.fullmatch(re.escape(site.base_url) + r"/news/article/\d+\.html", link)
    article = fetch(site.base_url, urlsplit(link).path)
    assert article.status == 200
    assert (items[0].findtext("title") or "-") in article.text
    assert 'class="article-content"' in article.text
    default = ElementTree.fromstring(fetch(site.base_url, "/news/rss.xml?limit=10").body)
    assert len(default.findall("./channel/item")) == 10

    atom = fetch(site.base_url, "/news/atom.xml")
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = ElementTree.fromstring(atom.body).findall("a:entry", ns)
    assert entries and all(e.find("a:link", ns) is not None for e in entries)
    assert datetime.fromisoformat(entries[0].findtext("a:updated", "", ns)).tzinfo is not None
    assert "下一页" in fetch(site.base_url, "/news/").text


# ---------------------------------------------------------------------------- county (GBK)


def test_county_pages_are_gbk(site: DemoSite, posts: list[dict[str, Any]]) -> None:
    listing = fetch(site.base_url, "/county/")
    assert listing.headers["Content-Type"] == "text/html"
    with pytest.raises(UnicodeDecodeError):
        listing.body.decode("utf-8")
    text = listing.body.decode("gbk")
    assert '<meta charset="gbk">' in text and "下一页" in text
    ids = re.findall(r'href="/county/article/(\d+)\.html"', text)
    second = fetch(site.base_url, "/county/index_2.html").body.decode("gbk")
    ids += re.findall(r'href="/county/article/(\d+)\.html"', second)
    assert sorted(map(int, ids)) == sorted(p["id"] for p in by_channel(posts, "county"))

    county = by_channel(posts, "county")
    header_only = next(p for p in county if "charset:header" in p["flags"])
    undeclared = next(p for p in county if "charset:none" in p["flags"])
    normal = next(p for p in county if not any(f.startswith("charset:") for f in p["flags"]))
    page = fetch(site.base_url, f"/county/article/{header_only['id']}.html")
    assert page.headers["Content-Type"] == "text/html; charset=GBK"
    assert "charset" not in page.body.decode("gbk").lower()
    assert header_only["title"] in page.body.decode("gbk")
    page = fetch(site.base_url, f"/county/article/{undeclared['id']}.html")
    assert page.headers["Content-Type"] == "text/html"
    assert "charset" not in page.body.decode("gbk").lower()
    page = fetch(site.base_url, f"/county/article/{normal['id']}.html")
    assert "charset=gbk" in page.body.decode("gbk")
    assert normal["text"].splitlines()[0] in page.body.decode("gbk")


# ---------------------------------------------------------------------------- faults


def test_fault_pages(site: DemoSite) -> None:
    base = site.base_url
    index = fetch(base, "/faults/").text
    assert all(p in index for p in ("/faults/500", "/faults/huge", "/faults/redirect-loop"))
    assert fetch(base, "/faults/500").status == 500
    first = fetch(base, "/faults/redirect-loop")
    assert first.status == 302
    hops = [first.headers["Location"]]
    for _ in range(3):
        hops.append(fetch(base, hops[-1]).headers["Location"])
    assert hops[0] == hops[2] and hops[1] == hops[3] and hops[0] != hops[1]
    binary = fetch(base, "/faults/binary")
    assert binary.headers["Content-Type"] == "application/octet-stream" and b"\x00" in binary.body
    changed = fetch(base, "/faults/json-changed").json()
    assert "code" not in changed and "list" not in json.dumps(changed)
    missing = fetch(base, "/faults/missing-fields").text
    assert "<title>" not in missing and 'class="article-title"></h1>' in missing
    assert "2025年13月45日 25:61" in fetch(base, "/faults/bad-date").text
    wrong = fetch(base, "/faults/wrong-charset")
    assert "charset=utf-8" in wrong.headers["Content-Type"]
    with pytest.raises(UnicodeDecodeError):
        wrong.body.decode("utf-8")
    assert "讷河市" in wrong.body.decode("gbk")
    assert fetch(base, "/faults/empty").body == b""
    assert fetch(base, "/no/such/page").status == 404


def test_huge_page_is_streamed(site: DemoSite) -> None:
    default = fetch(site.base_url, "/faults/huge", "HEAD")
    assert default.status == 200 and int(default.headers["Content-Length"]) == 2 * 1024 * 1024
    assert default.body == b""
    sized = fetch(site.base_url, "/faults/huge?bytes=300000")
    assert len(sized.body) == 300000 == int(sized.headers["Content-Length"])
    assert sized.body.startswith(b"<!DOCTYPE html>") and sized.body.endswith(b"</html>\n")
    unsized = fetch(site.base_url, "/faults/huge?bytes=200000&nolength=1")
    assert unsized.headers["Content-Length"] is None and len(unsized.body) == 200000
    assert DemoSite().state.options.huge_bytes == 50 * 1024 * 1024


def test_client_abort_on_huge_page_keeps_serving(site: DemoSite) -> None:
    parts = urlsplit(site.base_url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    conn.request("GET", "/faults/huge")
    resp = conn.getresponse()
    assert resp.read(1000)
    conn.close()
    assert fetch(site.base_url, "/robots.txt").status == 200


# ---------------------------------------------------------------------------- live mode


def test_live_release_via_control_endpoint() -> None:
    clock = FakeClock(NOW)
    with DemoSite(live=True, release_interval=3600, now=clock) as live:
        state = fetch(live.base_url, "/_control/state").json()
        assert state["live"] is True and state["held"] >= 10 and state["released"] == []
        held = state["held_ids"]
        assert held[0] not in [
            i["tid"]
            for i in fetch(live.base_url, "/board/api/messages?size=100").json()["data"]["list"]
        ]
        clock.now = NOW + timedelta(minutes=7)
        released = fetch(live.base_url, "/_control/release", "POST", b"").json()
        post = released["released"]
        assert post["id"] == held[0] and released["remaining"] == len(held) - 1
        assert datetime.fromisoformat(post["published"]) == NOW + timedelta(minutes=7)
        assert post["labels"]["blanket"] == 1 and post["labels"]["district"]
        newest = fetch(live.base_url, "/board/api/messages?size=1").json()["data"]["list"][0]
        assert newest["tid"] == post["id"]
        assert newest["createTime"] == int((NOW + timedelta(minutes=7)).timestamp())
        for _ in range(len(held) - 1):
            assert live.release_next() is not None
        done = fetch(live.base_url, "/_control/release", "POST", b"").json()
        assert done == {"released": None, "remaining": 0}
        state = fetch(live.base_url, "/_control/state").json()
        assert state["released"] == held and state["held"] == 0
        assert state["total_visible"] == len(load_posts())


def test_live_release_timer() -> None:
    before = set(threading.enumerate())
    with DemoSite(live=True, release_interval=0.05) as live:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and len(live.state.released) < 2:
            time.sleep(0.02)
        assert len(live.state.released) >= 2
    assert not [t for t in set(threading.enumerate()) - before if t.name.startswith("demo-site")]


def test_not_live_serves_held_posts(site: DemoSite, posts: list[dict[str, Any]]) -> None:
    state = fetch(site.base_url, "/_control/state").json()
    assert state["live"] is False and state["held"] == 0
    assert state["total_visible"] == len(posts)
    assert fetch(site.base_url, "/_control/release", "POST", b"").json()["released"] is None


# ---------------------------------------------------------------------------- server, scale


def test_home_head_logging_and_stop(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="yuqing.crawler.demo_site")
    s = DemoSite()
    s.start()
    base = s.base_url
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", base)
    home = fetch(base, "/")
    assert home.status == 200 and "/forum/" in home.text
    head = fetch(base, "/forum/", "HEAD")
    assert head.status == 200 and head.body == b"" and int(head.headers["Content-Length"]) > 0
    s.stop()
    assert any("GET / " in r.getMessage() for r in caplog.records)
    with pytest.raises(OSError):
        fetch(base, "/")


def test_scale_serves_many_posts() -> None:
    base = load_posts()
    scaled = scale_posts(base, 6000)
    assert len(scaled) == 6000 and len({p["id"] for p in scaled}) == 6000
    by_id = {p["id"]: p for p in base}
    for post in scaled[len(base) :: 97]:
        original = by_id[post["id"] % ID_STRIDE]
        assert post["labels"] == original["labels"] and post["channel"] == original["channel"]
        assert post["text"] != original["text"] and 0 <= post["age"] < MAX_AGE_MINUTES
    assert scale_posts(base, 6000) == scaled  # deterministic
    with DemoSite(scale=6000, now=FakeClock(NOW)) as big:
        state = fetch(big.base_url, "/_control/state").json()
        assert state["total_visible"] == 6000
        data = fetch(big.base_url, "/board/api/messages?page=3").json()["data"]
        assert data["total"] > 1000 and len(data["list"]) == 20
        assert fetch(big.base_url, "/forum/?pn=30").status == 200
