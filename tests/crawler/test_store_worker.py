"""The store worker (yuqing/crawler/worker.py): tag and store in a process of their own.

Real worker processes (spawned, tagger off: loading it takes seconds) on a test database;
the pipelines driven by hand as Scrapy would, with the worker's awaitables run on asyncio.
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Awaitable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import pytest
from sqlalchemy import func, select

from tests.crawler.conftest import DEMO, SpiderFactory
from yuqing.config import Config
from yuqing.crawler import pipelines, storing
from yuqing.crawler.items import PostItem
from yuqing.crawler.pipelines import (
    DedupePipeline,
    NormalizePipeline,
    StorePipeline,
    TagPipeline,
    ValidatePipeline,
)
from yuqing.crawler.storing import StoreState, write_batch
from yuqing.crawler.worker import StoreWorker, WorkerOptions
from yuqing.store.models import Post
from yuqing.store.session import Database

T = TypeVar("T")
TEXT = "龙沙区江安街道的工地全部被叫停了，我们手续齐全，希望区别对待，不要一刀切。"
PROCESS = {"YUQING_STORE_WORKER": "process", "YUQING_TAGGER": "off", "LOG_LEVEL": "WARNING"}


def run(value: Any) -> Any:
    """What Scrapy does with a pipeline method's result: await it if it is awaitable."""
    if isinstance(value, Awaitable):
        return asyncio.run(_await(value))
    return value


async def _await(value: Awaitable[T]) -> T:
    return await value


def post(n: int, source: str = "demo-board", **fields: Any) -> PostItem:
    values: dict[str, Any] = {
        "source": source,
        "url": f"{DEMO}/board/message/{n}",
        "title": f"第{n}号留言：工地停工",
        "text": f"{TEXT}（第{n}次反映）",
        "published": "2026-11-27 10:00",
        "author": "龙沙区老张",
        "external_id": str(n),
    }
    values.update(fields)
    return PostItem(**values)


def stored(post_item: PostItem, n: int) -> PostItem:
    """An item as the stages before the store leave it (hash and time set)."""
    post_item.published_at = datetime(2026, 11, 27, 2, tzinfo=UTC) + timedelta(minutes=n)
    post_item.content_hash = f"{n:040d}"
    return post_item


class Chain:
    """The five stages on one crawler, driven as Scrapy drives them (awaiting what they
    return); the loop is restarted per call, which the worker's handle allows."""

    def __init__(self, spider: Any) -> None:
        crawler = spider.crawler
        self.crawler = crawler
        self.stages = [
            ValidatePipeline.from_crawler(crawler),
            NormalizePipeline.from_crawler(crawler),
            DedupePipeline.from_crawler(crawler),
            TagPipeline.from_crawler(crawler),
            StorePipeline.from_crawler(crawler),
        ]
        for stage in self.stages:
            if hasattr(stage, "open_spider"):
                run(stage.open_spider())

    @property
    def store(self) -> StorePipeline:
        return self.stages[4]  # type: ignore[return-value]

    def run(self, item: PostItem) -> PostItem:
        for stage in self.stages:
            item = run(stage.process_item(item))  # type: ignore[attr-defined]
        return item

    def close(self) -> None:
        for stage in reversed(self.stages):
            if hasattr(stage, "close_spider"):
                run(stage.close_spider())

    def stat(self, name: str) -> Any:
        return self.crawler.stats.get_value(name)


def count_posts(db: Database) -> int:
    with db.session() as s:
        return int(s.execute(select(func.count()).select_from(Post)).scalar_one())


def options(config: Config, url: str | None = None) -> WorkerOptions:
    return WorkerOptions(
        config=config,
        database_url=url or config.settings.effective_database_url,
        tagger=False,
        log_level="WARNING",
    )


def test_crawl_stores_through_the_worker_process(
    make_spider: SpiderFactory, crawl_db: Database
) -> None:
    chain = Chain(make_spider("demo-board", YUQING_STORE_BATCH=2, **PROCESS))
    worker = chain.store.worker
    assert worker is not None and worker.process.pid != os.getpid()
    for n in range(1, 6):
        item = chain.run(post(n))
        assert item.content_hash is None  # clustering is the worker's, in order
    chain.close()
    assert count_posts(crawl_db) == 5
    assert (chain.stat("yuqing/items_new"), chain.stat("yuqing/tagger")) == (5, "off")
    assert chain.stat("yuqing/store_worker_peak_rss_mb") > 0
    assert not worker.process.is_alive()  # the last user stopped it


def test_repost_from_another_crawler_joins_the_cluster_in_the_worker(
    make_spider: SpiderFactory, crawl_db: Database
) -> None:
    """Regression: with clustering moved to the worker, crawlers of one process still share
    one index (a repost crawled by another source joins the original's cluster)."""
    board = Chain(make_spider("demo-board", **PROCESS))
    weibo = Chain(make_spider("demo-weibo", **PROCESS))
    assert board.store.worker is weibo.store.worker
    board.run(post(1, text=TEXT))
    weibo.run(
        post(
            7,
            source="demo-weibo",
            title=None,
            text="转发微博 //@某人: " + TEXT + " 求扩散",
            required=("text", "published"),
        )
    )
    board.close()
    weibo.close()
    with crawl_db.session() as s:
        rows = dict(s.execute(select(Post.external_id, Post.cluster_id)).all())
        first = s.execute(select(Post.id).where(Post.external_id == "1")).scalar_one()
    assert rows == {"1": first, "7": first}
    assert weibo.stat("yuqing/near_duplicates") == 1


def test_posts_of_a_worker_that_died_are_counted_as_store_errors(
    crawl_config: Config, crawl_db: Database
) -> None:
    """Regression: posts sent to a worker that dies are never lost silently."""
    worker = StoreWorker(options(crawl_config))
    assert asyncio.run(worker.ready())
    worker.submit("a", [stored(post(1), 1)])
    assert asyncio.run(worker.finish("a")).new == 1
    os.kill(worker.process.pid or 0, signal.SIGKILL)
    worker.process.join(10)
    worker.submit("b", [stored(post(n), n) for n in (2, 3)])
    totals = asyncio.run(worker.finish("b"))
    assert totals.failed_items == 2 and totals.new == 0
    assert "store worker died" in totals.errors[0]
    worker.stop()
    assert count_posts(crawl_db) == 1


def test_worker_that_cannot_start_says_why(crawl_config: Config, tmp_path: Any) -> None:
    worker = StoreWorker(options(crawl_config, f"sqlite:///{tmp_path / 'empty.db'}"))
    assert not asyncio.run(worker.ready())
    failure = worker.failure or ""
    assert "could not start" in failure and "SchemaOutOfDate" in failure
    worker.submit("a", [stored(post(1), 1)])
    assert asyncio.run(worker.finish("a")).failed_items == 1
    worker.stop()


def test_crawl_falls_back_to_the_writer_thread_without_a_worker(
    make_spider: SpiderFactory,
    crawl_db: Database,
    crawl_config: Config,
    tmp_path: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    broken = options(crawl_config, f"sqlite:///{tmp_path / 'empty.db'}")
    monkeypatch.setattr(pipelines, "acquire", lambda *_a: StoreWorker(broken))
    chain = Chain(make_spider("demo-board", **PROCESS))
    assert chain.store.worker is None and chain.store.writer is not None
    for n in (1, 2):
        chain.run(post(n))
    chain.close()
    assert count_posts(crawl_db) == 2 and chain.stat("yuqing/items_new") == 2


def test_back_pressure_waits_for_the_worker(crawl_config: Config, crawl_db: Database) -> None:
    worker = StoreWorker(options(crawl_config), max_pending=0)
    assert asyncio.run(worker.ready())
    assert worker.submit("a", [stored(post(1), 1)])  # one batch in flight: over the limit
    asyncio.run(worker.room())
    assert worker.in_flight == 0
    assert asyncio.run(worker.finish("a")).new == 1
    worker.stop()


def test_failed_batch_is_stored_post_by_post(
    crawl_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One bad post costs only itself: the rest of its batch is stored."""
    real = storing.store_batch

    def picky(session: Any, items: Any, state: StoreState, words: Any = None) -> Any:
        if any(i.external_id == "2" for i in items):
            raise ValueError("bad post 2")
        return real(session, items, state, words)

    monkeypatch.setattr(storing, "store_batch", picky)
    batch = [stored(post(n), n) for n in (1, 2, 3)]
    totals = write_batch(crawl_db, None, StoreState(), batch)
    assert (totals.new, totals.failed_items) == (2, 1)
    assert totals.errors == ["store: ValueError: bad post 2"]
    with crawl_db.session() as s:
        assert sorted(str(x) for x in s.execute(select(Post.external_id)).scalars()) == ["1", "3"]


def test_batch_that_cannot_be_sent_is_counted(crawl_config: Config, crawl_db: Database) -> None:
    """Regression: a batch that cannot be pickled is counted where it fails, not dropped by the
    queue's feeder thread (which only logs)."""
    worker = StoreWorker(options(crawl_config))
    assert asyncio.run(worker.ready())
    unsendable = stored(post(1), 1)
    unsendable.published = lambda: None  # not picklable
    assert not worker.submit("a", [unsendable, stored(post(2), 2)])
    worker.submit("a", [stored(post(3), 3)])
    totals = asyncio.run(worker.finish("a"))
    assert (totals.failed_items, totals.new) == (2, 1)
    assert totals.errors[0].startswith("store: AttributeError: Can't pickle local object")
    worker.stop()
