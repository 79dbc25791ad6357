"""Resumable crawls without a full crawl: the demo site's request log and gate, requests of
every spider kind through Scrapy's disk-queue serialisation, and the saved job's rules
(fingerprint, age, lock)."""

from __future__ import annotations

import asyncio
import pickle
import threading
import urllib.request
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from scrapy.http import Request
from scrapy.utils.request import request_from_dict
from sqlalchemy import func, select

from tests.crawler.conftest import DEMO, SpiderFactory, fixture_response, with_sources
from tests.crawler.resume_kit import BOARD, BOARD_SOURCE, WAIT, Work, crawl
from yuqing.config import Config
from yuqing.crawler import jobdir as jobs
from yuqing.crawler.demo_site import DemoSite
from yuqing.crawler.errors import CrawlError
from yuqing.store.models import CrawlRun
from yuqing.store.session import Database
from yuqing.store.types import utcnow


@pytest.fixture
def work(tmp_path: Path, crawl_db: Database) -> Work:
    return Work(tmp_path, crawl_db)


@pytest.fixture
def site() -> Iterator[DemoSite]:
    # live mode: held posts appear only when released, as new posts do between two crawls
    with DemoSite(live=True, release_interval=3600) as demo:
        yield demo


# -- the demo site's request log and gate ----------------------------------------------------
def test_gate_answers_n_requests_and_holds_the_rest_until_released(site: DemoSite) -> None:
    log = site.state.requests
    mark = log.count
    log.hold_after(2)
    done: list[int] = []

    def fetch(i: int) -> None:
        with urllib.request.urlopen(f"{site.base_url}/robots.txt?n={i}", timeout=WAIT) as r:
            done.append(r.status)

    threads = [threading.Thread(target=fetch, args=(i,), daemon=True) for i in (1, 2, 3)]
    for t in threads:
        t.start()
    assert log.wait_for(lambda lg: lg.count - mark == 2 and lg.waiting == 1, WAIT)
    assert len(log.since(mark)) == 2 and len(done) <= 2  # the third waits at the gate
    log.release()
    for t in threads:
        t.join(WAIT)
    assert done == [200, 200, 200]
    assert sorted(log.since(mark)) == [f"GET /robots.txt?n={i}" for i in (1, 2, 3)]


# -- requests survive the disk queue ---------------------------------------------------------
def _round_trip(request: Request, spider: Any) -> None:
    """What Scrapy's disk queue does with a request: to_dict, pickle, and back."""
    data = pickle.loads(pickle.dumps(request.to_dict(spider=spider), protocol=4))
    back = request_from_dict(data, spider=spider)
    assert back.url == request.url and back.method == request.method
    assert back.body == request.body
    assert back.callback.__func__ is request.callback.__func__  # type: ignore[union-attr]
    assert back.errback.__func__ is request.errback.__func__  # type: ignore[union-attr]
    assert back.cb_kwargs == request.cb_kwargs
    assert back.dont_filter == request.dont_filter


def test_every_kind_of_request_the_spiders_make_survives_the_disk_queue(
    make_spider: SpiderFactory, crawl_config: Config
) -> None:
    """Regression guard: a request that does not pickle is kept in memory only, and lost on
    an interruption while its fingerprint is saved (the page would never be fetched)."""
    cfg = with_sources(crawl_config, BOARD_SOURCE)
    seen: list[Request] = []

    async def starts(spider: Any) -> list[Any]:
        return [r async for r in spider.start()]

    for name in ("demo-board", "demo-board-search", "demo-forum", "demo-news", BOARD):
        spider = make_spider(name, cfg=cfg)
        seen += [r for r in asyncio.run(starts(spider)) if isinstance(r, Request)]
    news = make_spider("demo-news", cfg=cfg)
    rss = fixture_response("news_rss.xml", f"{DEMO}/news/rss.xml", "application/rss+xml")
    seen += [r for r in news.parse(rss) if isinstance(r, Request)]  # cb_kwargs: entry dict
    forum = make_spider("demo-forum", cfg=cfg)
    listed = [r for r in forum.parse(fixture_response("forum_list.html", f"{DEMO}/forum/"))]
    seen += [r for r in listed if isinstance(r, Request)]  # cb_kwargs: listed dict
    thread = fixture_response("forum_thread.html", f"{DEMO}/forum/thread/1")
    seen += [r for r in forum.parse_detail(thread, listed={}) if isinstance(r, Request)]
    board = make_spider(BOARD, cfg=cfg)
    api = fixture_response(
        "board_page1.json", f"{DEMO}/board/api/messages?size=10", "application/json"
    )
    seen += [r for r in board.parse(api, base_url=api.url) if isinstance(r, Request)]
    spiders = {
        name: make_spider(name, cfg=cfg)
        for name in ("demo-board", "demo-board-search", "demo-forum", "demo-news", BOARD)
    }
    kinds = Counter(r.callback.__name__ for r in seen)  # type: ignore[union-attr]
    assert {"parse", "parse_article", "parse_detail", "parse_reply_page"} <= set(kinds)
    assert any(type(v).__name__ == "PostItem" for r in seen for v in r.cb_kwargs.values())
    assert any(r.method == "POST" for r in seen)
    for request in seen:
        owner = request.callback.__self__  # type: ignore[union-attr]
        _round_trip(request, spiders[owner.name])


# -- the saved job: fingerprint, age, lock -----------------------------------------------------
def test_fingerprint_follows_what_the_requests_depend_on(crawl_config: Config) -> None:
    cfg = with_sources(crawl_config, BOARD_SOURCE)
    base = jobs.fingerprint(cfg, cfg.sources.get(BOARD), "http://127.0.0.1:1")

    def changed(url: str = "http://127.0.0.1:1", **changes: Any) -> str:
        other = with_sources(crawl_config, {**BOARD_SOURCE, **changes})
        return jobs.fingerprint(other, other.sources.get(BOARD), url)

    assert changed(interval="1h", title="renamed", timeout="1h", note="x") == base
    assert changed(start_urls=["{demo}/board/api/messages?size=20"]) != base
    assert changed(detail={"text": "div.other"}) != base
    assert changed(url="http://127.0.0.1:2") != base  # the saved URLs point at the old site


def test_saved_job_older_than_the_recent_window_is_discarded(
    work: Work, crawl_config: Config
) -> None:
    cfg = with_sources(crawl_config, BOARD_SOURCE)
    source = cfg.sources.get(BOARD)
    print_ = jobs.fingerprint(cfg, source, None)
    jobdir = work.jobdir(BOARD)
    old = (utcnow() - source.recent_window - timedelta(minutes=1)).isoformat()
    jobs.write_job(jobdir, jobs.Job(print_, "interrupted", [1], saved_at=old, pending=3))
    mode, why, _ = jobs.prepare(work.db, jobdir, source, print_)
    assert mode == "discarded" and "longer than the source's recent_window" in why
    assert not jobdir.exists()
    jobs.write_job(jobdir, jobs.Job(print_, "interrupted", [1], saved_at=utcnow().isoformat()))
    assert jobs.prepare(work.db, jobdir, source, print_)[:2] == (
        "discarded",
        "nothing was left to fetch",
    )


def test_a_source_being_crawled_is_not_crawled_twice(work: Work, site: DemoSite) -> None:
    cfg = work.config()
    busy = pytest.raises(CrawlError, match=r"'resume-board' is being crawled by another")
    with jobs.locked(work.jobdir(BOARD)), busy:
        crawl(work, cfg, site)
    with work.db.session() as s:  # refused before any run row was made
        assert s.execute(select(func.count()).select_from(CrawlRun)).scalar() == 0
