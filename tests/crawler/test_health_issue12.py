"""Honest health, staying on the site, list-only sources: real crawls of a loopback server
(issue 12), and the health rules behind them."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from sqlalchemy import select

from tests.crawler.conftest import E2E_SETTINGS, FIXTURES
from yuqing.config import Config, load
from yuqing.crawler.runner import crawl_source
from yuqing.store import crawl as crawl_store
from yuqing.store.crawl import RunCounts
from yuqing.store.db import upgrade
from yuqing.store.models import Post, Source
from yuqing.store.session import Database


def run(db: Database, counts: RunCounts, incremental: bool = True) -> tuple[str, str]:
    with db.session() as s:
        rid = crawl_store.start_run(s, "s", "listing")
    counts.stats.setdefault("incremental", incremental)
    with db.session() as s:
        health = crawl_store.finish_run(s, rid, counts)
        return health.health, health.reason


def test_a_run_that_stored_nothing_is_degraded_even_after_empty_runs(
    sqlite_database: Database,
) -> None:
    """issue 12: 50 links that all returned 404 reported health ok (the runs before had
    stored nothing either, so "fewer items than usual" never fired)."""
    run(sqlite_database, RunCounts(status="ok", pages=1, stats={"listed": 0}))
    counts = RunCounts(
        status="ok", pages=51, errors=20, drops={"page:http_404": 50}, stats={"listed": 50}
    )
    assert run(sqlite_database, counts) == (
        "degraded",
        "stored nothing: 50 entries listed, none stored (page:http_404=50)",
    )


def test_nothing_new_since_the_last_crawl_is_not_degraded(sqlite_database: Database) -> None:
    run(sqlite_database, RunCounts(status="ok", pages=1, stats={"listed": 0}))
    quiet = RunCounts(status="ok", pages=1, stats={"listed": 20, "skipped_settled": 20})
    assert run(sqlite_database, quiet)[0] == "ok"


def test_mostly_garbled_text_is_degraded(sqlite_database: Database) -> None:
    counts = RunCounts(
        status="ok", pages=11, items_scraped=2, items_new=2, drops={"garbled_text": 8}
    )
    assert run(sqlite_database, counts) == (
        "degraded",
        "mostly garbled text: 8 posts dropped as garbled_text, 2 kept (set the source's encoding)",
    )


# -- real crawls of a loopback server ---------------------------------------------------------
class _Site(http.server.BaseHTTPRequestHandler):
    pages: ClassVar[dict[str, bytes]] = {}

    def do_GET(self) -> None:
        body = self.pages.get(self.path)
        self.send_response(200 if body is not None else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(body if body is not None else b"<html>not found</html>")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def site() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _config(tmp_path: Path, sources: str) -> tuple[Config, Database]:
    root = tmp_path / "conf"
    root.mkdir()
    (root / "sources.yaml").write_text(sources, encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'c.db'}"
    cfg = load(
        root,
        overrides={"data_dir": str(tmp_path / "var"), "database_url": url},
        env={"YUQING_AUTHOR_HASH_KEY": "k"},
    )
    db = Database(url)
    upgrade(db.engine)
    return cfg, db


def test_a_crawl_of_404s_is_degraded_and_off_site_links_are_counted_not_followed(
    site: str, tmp_path: Path
) -> None:
    links = "".join(f'<li><a href="/gone/{i}.html">帖子{i}</a></li>' for i in range(5))
    links += '<li><a href="http://elsewhere.invalid/x.html">外站</a></li>'
    _Site.pages = {"/list.html": f"<html><body><ul>{links}</ul></body></html>".encode()}
    cfg, db = _config(
        tmp_path,
        f"""
sources:
  - name: gone
    kind: listing
    start_urls: ["{site}/list.html"]
    item: li
    links: a::attr(href)
    fields: {{title: h1::text, text: div.c, published: span.t::text}}
    obey_robots: false
    retries: 0
    download_delay: 0
""",
    )
    summary = crawl_source(cfg, "gone", settings=E2E_SETTINGS, database=db)
    assert summary.status == "ok"
    assert summary.drops == {"page:http_404": 5, "page:offsite": 1}
    assert summary.health == "degraded"
    assert "health degraded (5 of 6 requests failed)" in summary.line()
    db.dispose()


def test_a_list_only_source_stores_each_entry_with_urls_joined_against_base_href(
    site: str, tmp_path: Path
) -> None:
    page = (FIXTURES / "list_only.html").read_text(encoding="utf-8")
    _Site.pages = {"/forum/forum-1.html": page.replace("http://bbs.test", site).encode()}
    cfg, db = _config(
        tmp_path,
        f"""
sources:
  - name: bbs
    kind: listing
    start_urls: ["{site}/forum/forum-1.html"]
    item: tbody.thread
    follow: false
    list_fields:
      url: a.xst::attr(href)
      title: a.xst::text
      published: td.by em::text
      replies: td.num a::text
      text: td.abstract::text
    obey_robots: false
    download_delay: 0
""",
    )
    summary = crawl_source(cfg, "bbs", settings=E2E_SETTINGS, database=db)
    assert summary.status == "ok" and summary.health == "ok", summary.line()
    assert summary.drops == {"missing_title": 1}
    with db.session() as s:
        rows = s.execute(
            select(Post.url, Post.title, Post.text, Post.replies)
            .join(Source, Source.id == Post.source_id)
            .order_by(Post.url)
        ).all()
    assert sorted(tuple(r) for r in rows) == [
        (
            f"{site}/forum/thread-101-1-1.html",
            "龙沙区烧烤一条街全部关停，商户一夜之间没了生计",
            "街道通知所有烧烤摊今晚起一律停业，办了证的也不行。",
            12,
        ),
        (
            f"{site}/forum/thread-102-1-1.html",
            "建华区供暖不热，打了三次电话没人管",
            "家里室温只有十四度，老人孩子都冻感冒了。",
            3,
        ),
        # a list-only source follows no link: an entry linking elsewhere is stored as listed
        ("http://other.example.org/thread-9.html", "转帖：外地新闻", "别处的帖子。", 1),
    ]
    db.dispose()
