"""Item pipelines, in order: validate → normalize → dedupe → tag → store.

A dropped item raises :class:`Drop` with a reason; the run recorder counts it per reason in
crawl_runs.drops and the crawl continues. Tagging runs in batches: the tag stage marks each
item, and the store stage has the whole batch tagged (``Tagger.tag_many``, ~8x faster than
one by one) just before it writes it.

Where the work runs (``YUQING_STORE_WORKER``, see :func:`store_mode`): in a crawl, the store
worker process (:mod:`yuqing.crawler.worker`) clusters (the dedupe stage's index), tags and
stores each batch, on the second core, while this process fetches, parses, validates and
normalizes; the dedupe stage here drops what one crawl saw twice. Driven by hand (tests,
``thread``/``off``), every stage does its whole work in this process, as Scrapy runs them.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from scrapy.exceptions import DropItem

from yuqing.crawler.clusters import DedupIndex, acquire_index, release_index
from yuqing.crawler.context import CrawlContext, context_for
from yuqing.crawler.dates import DateParseError, parse_datetime
from yuqing.crawler.encoding import garbled
from yuqing.crawler.extract import canonical_url
from yuqing.crawler.items import PostItem
from yuqing.crawler.storing import BatchWriter, WriteTotals, shared_state
from yuqing.crawler.tagging import TagStage
from yuqing.crawler.worker import StoreWorker, WorkerOptions, acquire, release
from yuqing.nlp.normalize import author_hash, clean_text, mask_pii, to_simplified

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler

log = logging.getLogger(__name__)
MAX_TITLE = 500
MAX_TEXT = 100_000


class Drop(DropItem):
    """An item that cannot be stored; ``reason`` is the key counted in crawl_runs.drops."""

    def __init__(self, reason: str, item: PostItem, detail: str = "") -> None:
        self.reason = reason
        where = item.url or item.found_on or "?"
        super().__init__(f"{reason}: {where}" + (f" ({detail})" if detail else ""))


class Stage:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.ctx: CrawlContext = context_for(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)


def _clean(value: Any) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    return _clean_str(text) if len(text) <= CACHED_CHARS else clean_text(text)


# The validate stage cleans an item's title and text to check them, the normalize stage right
# after it cleans them again: the second time is a look-up (pure functions; a str keeps its
# hash). The two stages run back to back on each item (a few items of a response at a time),
# so a small cache serves them and keeps at most a few texts alive. Authors repeat across a
# crawl: their keyed hash is computed once each.
CACHED_CHARS = 20_000


@lru_cache(maxsize=32)
def _clean_str(value: str) -> str:
    return clean_text(value)


@lru_cache(maxsize=4096)
def _author_hash(key: bytes, author: str | None) -> str | None:
    return author_hash(key, author)


class ValidatePipeline(Stage):
    """Required fields present, URL absolute http(s), text not garbled, time readable and not
    in the future. An optional time that is missing or cannot be read keeps the post: it is
    dated when first seen and flagged ``published_guessed`` (counted as ``yuqing/date_missing``
    and ``yuqing/date_unread``)."""

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, PostItem):
            return item
        if not item.url:
            raise Drop("missing_url", item)
        if not item.url.startswith(("http://", "https://")):
            raise Drop("bad_url", item, item.url[:100])
        for name in ("title", "text", "author"):
            if name in item.required and not _clean(getattr(item, name)):
                raise Drop(f"missing_{name}", item)
        if not _clean(item.title) and not _clean(item.text):
            raise Drop("missing_text", item)
        for name in ("title", "text"):
            value = getattr(item, name)
            if isinstance(value, str) and garbled(value):
                raise Drop("garbled_text", item, f"{name}: {value[:40]!r}")
        if item.published is None or (
            isinstance(item.published, str) and not item.published.strip()
        ):
            if "published" in item.required:
                raise Drop("missing_published", item)
            item.published_at = self.ctx.now()
            item.published_guessed = True
            self.crawler.stats.inc_value("yuqing/date_missing")
            return item
        tz = _zone(item.timezone) if item.timezone else self.ctx.tz
        try:
            item.published_at = parse_datetime(
                item.published,
                self.ctx.now(),
                tz,
                item.time_format,  # type: ignore[arg-type]
            )
        except DateParseError as exc:
            if "future" in str(exc):
                raise Drop("future_date", item, str(exc)) from None
            if "published" in item.required:
                raise Drop("bad_date", item, str(exc)) from None
            item.published_at = self.ctx.now()
            item.published_guessed = True
            self.crawler.stats.inc_value("yuqing/date_unread")
        return item


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


class NormalizePipeline(Stage):
    """Plain text, Simplified Chinese, phone/ID numbers masked, author pseudonymized, one URL."""

    def open_spider(self) -> None:
        # The Traditional → Simplified tables are built on first use (~0.1 s): at start-up,
        # not in the first item.
        to_simplified("繁體")

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, PostItem):
            return item
        item.title = mask_pii(to_simplified(_clean(item.title)))[:MAX_TITLE]
        text = mask_pii(to_simplified(_clean(item.text)))
        if len(text) > MAX_TEXT:
            self.crawler.stats.inc_value("yuqing/text_truncated")
            text = text[:MAX_TEXT]
        item.text = text
        item.author_hash = _author_hash(self.ctx.author_key(), _clean(item.author) or None)
        item.author = None  # the handle itself is never stored
        assert item.url is not None
        item.url = canonical_url(item.url)
        if item.parent_url:
            item.parent_url = canonical_url(item.parent_url)
        return item


class DedupePipeline(Stage):
    """Drop a post seen twice in one crawl; give copies and near-copies (reposts) the cluster
    of the first post they copy, among the recently stored posts and those crawled now (see
    :mod:`yuqing.crawler.clusters`). With the store worker, the worker does the clustering, in
    order, before tagging; the drop stays here."""

    def open_spider(self) -> None:
        self.seen: set[tuple[str, str]] = set()
        self.index: DedupIndex | None = None
        if store_mode(self.crawler.settings) == "process":
            return
        self.key = self.ctx.config.settings.effective_database_url
        self.index = acquire_index(self.key, self.ctx.config, self.ctx.database(), self.ctx.now())

    def close_spider(self) -> None:
        if self.index is not None:
            release_index(self.key)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, PostItem):
            return item
        key = (item.source, item.key)
        if key in self.seen:
            raise Drop("duplicate", item, "seen earlier in this crawl")
        self.seen.add(key)
        if self.index is not None and self.index.assign(item):
            self.crawler.stats.inc_value("yuqing/near_duplicates")
        return item


def store_mode(settings: Any) -> str:
    """``YUQING_STORE_WORKER``: ``process`` (the project's setting: a worker process tags and
    stores, see :mod:`yuqing.crawler.worker`), ``thread`` (a writer thread of this process; the
    default for pipelines driven by hand) or ``off`` (inline, in the caller's thread)."""
    mode = str(settings.get("YUQING_STORE_WORKER", "thread")).lower()
    if str(settings.get("YUQING_STORE_THREAD", "on")).lower() in ("off", "0", "false", "no"):
        mode = "off"  # the older switch
    return mode if mode in ("process", "thread") else "off"


def _tagger_enabled(settings: Any) -> bool:
    return str(settings.get("YUQING_TAGGER", "on")).lower() not in ("off", "0", "false", "no")


class TagPipeline(Stage):
    """Marks items for tagging; the tagger (loaded once per process) runs in batches, at the
    store stage: in the store worker, or on the writer thread (then loaded here)."""

    def open_spider(self) -> None:
        enabled = _tagger_enabled(self.crawler.settings)
        if store_mode(self.crawler.settings) == "process":
            # loaded by the worker, which reports its status (StorePipeline)
            self.stage = TagStage(None, "in the store worker")
            self.mark = enabled
            return
        self.stage = TagStage.load(self.ctx.config, enabled)
        self.mark = False  # the stage itself says (tests may swap it)
        self.crawler.stats.set_value("yuqing/tagger", self.stage.status)

    def process_item(self, item: Any) -> Any:
        if isinstance(item, PostItem) and (self.mark or self.stage.active):
            item.tag_pending = True
        return item


class StorePipeline(Stage):
    """Batched upserts (and their tags, clusters and reply links), flushed at close, written
    by the store worker process (``YUQING_STORE_WORKER=process``, the project's setting), by
    a writer thread (``thread``) or inline (``off``)."""

    def open_spider(self) -> Any:
        settings = self.crawler.settings
        self.batch_size = int(settings.getint("YUQING_STORE_BATCH", 200))
        self.buffer: list[PostItem] = []
        self.worker: StoreWorker | None = None
        self.writer: BatchWriter | None = None
        mode = store_mode(settings)
        if mode == "process":
            options = WorkerOptions(
                config=self.ctx.config,
                database_url=self.ctx.config.settings.effective_database_url,
                tagger=_tagger_enabled(settings),
                fixed_now=self.ctx.fixed_now,
                log_level=str(settings.get("LOG_LEVEL", "INFO")),
                log_format=str(settings.get("LOG_FORMAT") or WorkerOptions.log_format),
            )
            self.owner = f"{getattr(self.crawler.spider, 'name', '?')}#{id(self.crawler)}"
            self.worker = acquire(options, int(settings.getint("YUQING_STORE_PENDING", 6)))
            return self._open_worker()
        self.writer = self._thread_writer(mode == "thread", self._tag_stage())
        return None

    def _tag_stage(self) -> TagStage | None:
        try:
            tag = self.crawler.get_item_pipeline(TagPipeline)
        except RuntimeError:  # no engine: the pipelines are driven by hand (tests)
            tag = None
        return tag.stage if tag is not None else None

    def _thread_writer(self, threaded: bool, tagging: TagStage | None) -> BatchWriter:
        key = self.ctx.config.settings.effective_database_url
        return BatchWriter(self.ctx.database, tagging, threaded, state=shared_state(key), key=key)

    async def _open_worker(self) -> None:
        assert self.worker is not None
        if await self.worker.ready():
            self.crawler.stats.set_value("yuqing/tagger", self.worker.status)
            return
        # no worker: tag and store on a thread of this process, as before
        log.warning("%s: tagging and storing in the crawl process", self.worker.failure)
        release(self.worker)
        self.worker = None
        tagging = TagStage.load(self.ctx.config, _tagger_enabled(self.crawler.settings))
        self.crawler.stats.set_value("yuqing/tagger", tagging.status)
        self.writer = self._thread_writer(True, tagging)
        # the dedupe stage left the clustering to the worker: the writer thread does it
        key = self.ctx.config.settings.effective_database_url
        self.writer.index = acquire_index(key, self.ctx.config, self.ctx.database(), self.ctx.now())
        self.index_key = key

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, PostItem):
            return item
        self.buffer.append(item)
        if len(self.buffer) >= self.batch_size and self.flush():
            return self._after_room(item)
        return item

    async def _after_room(self, item: PostItem) -> PostItem:
        """Back pressure: this item waits until the worker has caught up (Scrapy meanwhile
        holds back new downloads once enough responses wait on their items)."""
        assert self.worker is not None
        await self.worker.room()
        return item

    def flush(self) -> bool:
        """Send the buffered items; True when the caller should wait for the worker."""
        batch, self.buffer = self.buffer, []
        if self.worker is not None:
            return self.worker.submit(self.owner, batch)
        assert self.writer is not None
        self.writer.submit(batch)
        return False

    def close_spider(self) -> Any:
        if self.worker is not None:
            return self._close_worker()
        self.flush()
        assert self.writer is not None
        self._record(self.writer.finish())
        if self.writer.index is not None:
            release_index(self.index_key)
        return None

    async def _close_worker(self) -> None:
        assert self.worker is not None
        self.flush()
        totals = await self.worker.finish(self.owner)
        if self.worker.peak_rss_mb:
            self.crawler.stats.set_value("yuqing/store_worker_peak_rss_mb", self.worker.peak_rss_mb)
        release(self.worker)
        self._record(totals)

    def _record(self, totals: WriteTotals) -> None:
        stats = self.crawler.stats
        stats.inc_value("yuqing/items_new", totals.new)
        stats.inc_value("yuqing/items_updated", totals.updated)
        stats.inc_value("yuqing/tags_stored", totals.tags)
        if totals.tag_errors:
            stats.inc_value("yuqing/tag_errors", totals.tag_errors)
        if totals.failed_items:
            stats.inc_value("yuqing/drops/store_error", totals.failed_items)
            stats.inc_value("yuqing/errors", len(totals.errors) or 1)
            messages = stats.get_value("yuqing/error_messages") or []
            stats.set_value("yuqing/error_messages", (messages + totals.errors)[:20])
        if totals.newest is not None:
            stats.set_value("yuqing/newest_published", totals.newest.isoformat())
        if totals.near_duplicates:
            stats.inc_value("yuqing/near_duplicates", totals.near_duplicates)
