"""Downloader middlewares (retry backoff, per-source headers and proxy, encodings), the run
recorder's bookkeeping, and the store stage surviving a failed batch."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from scrapy.http import HtmlResponse, Request
from sqlalchemy import select

from tests.crawler.conftest import DEMO, SpiderFactory, with_sources
from yuqing.config import Config
from yuqing.crawler import storing
from yuqing.crawler.health import counts_from_stats, peak_rss_mb
from yuqing.crawler.items import PostItem
from yuqing.crawler.middlewares import (
    BackoffDelayMiddleware,
    BackoffRetryMiddleware,
    EncodingMiddleware,
    SourceRequestMiddleware,
)
from yuqing.crawler.pipelines import StorePipeline
from yuqing.crawler.runner import crawl_env
from yuqing.crawler.together import _close_run
from yuqing.store.models import CrawlRun, Post
from yuqing.store.session import Database


def test_retries_wait_longer_each_time(make_spider: SpiderFactory) -> None:
    spider = make_spider("demo-board", YUQING_RETRY_BACKOFF=0.5)  # the source: retries 2
    mw = BackoffRetryMiddleware.from_crawler(spider.crawler)
    request: Request | None = Request(f"{DEMO}/faults/500")
    delays = []
    for _ in range(2):
        assert request is not None
        request = mw._retry(request, "500 Internal Server Error")
        assert request is not None
        delays.append(request.meta["backoff_delay"])
    assert delays == [0.5, 1.0]
    assert request is not None
    assert mw._retry(request, "500") is None  # the source's retries are used up: give up


def test_backoff_delay_is_waited_once() -> None:
    request = Request("http://x/", meta={"backoff_delay": 0.01})
    asyncio.run(BackoffDelayMiddleware().process_request(request))
    assert "backoff_delay" not in request.meta


def test_source_headers_and_proxy_from_the_environment(
    make_spider: SpiderFactory, crawl_config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = with_sources(
        crawl_config,
        {
            "name": "proxied",
            "kind": "feed",
            "start_urls": ["https://news.example/rss"],
            "headers": {"Referer": "https://news.example/"},
            "proxy_env": "TEST_PROXY_URL",
        },
    )
    monkeypatch.setenv("TEST_PROXY_URL", "http://user:secret@proxy.example:3128")
    spider = make_spider("proxied", cfg)
    request = Request("https://news.example/rss")
    SourceRequestMiddleware.from_crawler(spider.crawler).process_request(request)
    assert request.headers[b"Referer"] == b"https://news.example/"
    assert request.meta["proxy"] == "http://user:secret@proxy.example:3128"


def test_source_encoding_overrides_the_declared_one(
    make_spider: SpiderFactory, crawl_config: Config
) -> None:
    cfg = with_sources(
        crawl_config,
        {
            "name": "gbk-site",
            "kind": "listing",
            "start_urls": ["https://x.example/"],
            "links": "a::attr(href)",
            "encoding": "gbk",
        },
    )
    spider = make_spider("gbk-site", cfg)
    body = "<html><head><meta charset='utf-8'></head><body>齐齐哈尔</body></html>".encode("gbk")
    raw = HtmlResponse("https://x.example/", body=body, request=Request("https://x.example/"))
    fixed = EncodingMiddleware.from_crawler(spider.crawler).process_response(raw.request, raw)
    assert fixed.encoding == "gb18030" and "齐齐哈尔" in fixed.text
    assert fixed.meta["page_encoding"] == "gb18030"


def test_the_encoding_used_is_in_the_responses_meta_issue_12(make_spider: SpiderFactory) -> None:
    spider = make_spider("demo-county")
    body = "<html><head><meta charset='gb2312'></head><body>齐齐哈尔</body></html>".encode()
    raw = HtmlResponse("https://x.example/", body=body, request=Request("https://x.example/"))
    fixed = EncodingMiddleware.from_crawler(spider.crawler).process_response(raw.request, raw)
    assert fixed.meta["page_encoding"] == "utf-8" and "齐齐哈尔" in fixed.text


def test_counts_from_stats_separate_item_and_page_drops() -> None:
    stats = {
        "response_received_count": 10,
        "item_scraped_count": 7,
        "yuqing/drops/missing_title": 2,
        "yuqing/drops/page:http_500": 1,
        "yuqing/errors": 1,
        "yuqing/incremental": True,
    }
    counts = counts_from_stats(stats, "finished")
    assert (counts.status, counts.items_dropped, counts.errors) == ("ok", 2, 1)
    assert counts.drops == {"missing_title": 2, "page:http_500": 1}
    assert counts.stats["incremental"] is True and counts.stats["peak_rss_mb"] > 0


def test_a_crawl_that_fetched_nothing_but_failed_is_a_failed_run() -> None:
    counts = counts_from_stats({"yuqing/errors": 2, "response_received_count": 0}, "finished")
    assert counts.status == "failed"
    assert counts_from_stats({"item_scraped_count": 3}, "closespider_timeout").status == "failed"


def test_a_crawl_we_stopped_is_stopped_not_failed() -> None:
    """SIGTERM/Ctrl-C (close reason "shutdown"): resumed from the JOBDIR next time; health
    leaves such runs out (store/crawl.py)."""
    assert counts_from_stats({"item_scraped_count": 3}, "shutdown").status == "stopped"


def test_peak_memory_is_reported() -> None:
    assert 1 < peak_rss_mb() < 100_000


def test_failed_store_batch_is_counted_and_the_next_one_stored(
    make_spider: SpiderFactory,
    crawl_db: Database,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    spider = make_spider("demo-board", YUQING_STORE_BATCH=1, YUQING_TAGGER="off")
    store = StorePipeline.from_crawler(spider.crawler)
    store.open_spider()
    real = storing.store_batch
    calls = {"n": 0}

    def flaky(*args: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("database is locked")
        return real(*args)

    monkeypatch.setattr(storing, "store_batch", flaky)
    now = datetime.now(UTC)
    with caplog.at_level(logging.ERROR):
        for n in (1, 2):
            item = PostItem(
                source="demo-board",
                url=f"{DEMO}/board/message/{n}",
                title="t",
                text=f"正文{n}",
                external_id=str(n),
                published_at=now - timedelta(hours=n),
                content_hash=f"h{n}",
            )
            store.process_item(item)
        store.close_spider()
    stats = spider.crawler.stats
    assert stats.get_value("yuqing/drops/store_error") == 1
    assert stats.get_value("yuqing/items_new") == 1
    assert "database is locked" in stats.get_value("yuqing/error_messages")[0]
    with crawl_db.session() as s:
        assert s.execute(select(Post.external_id)).scalars().all() == ["2"]


def test_crawl_process_gets_absolute_paths_and_the_run_id(crawl_config: Config) -> None:
    env = crawl_env(crawl_config, "http://127.0.0.1:1", 42)
    assert env["YUQING_RUN_ID"] == "42" and env["YUQING_DEMO_URL"] == "http://127.0.0.1:1"
    assert env["YUQING_DATA_DIR"].startswith("/")
    assert env["YUQING_DATABASE_URL"].startswith("sqlite:////")
    assert env["SCRAPY_SETTINGS_MODULE"] == "yuqing.crawler.settings"


def test_crawl_process_that_died_early_still_leaves_a_failed_run(crawl_db: Database) -> None:
    since = datetime.now(UTC) - timedelta(seconds=1)
    run_id = _close_run(crawl_db, "demo-news", "feed", since, "1", "CrawlError: no demo URL")
    with crawl_db.session() as s:
        run = s.get(CrawlRun, run_id)
        assert run is not None and run.status == "failed"
        assert run.error_messages == ["CrawlError: no demo URL"]
