"""Crawl health: every crawl writes its crawl_runs row (counts, drops by reason, errors,
duration) and updates the source's health and watermark (see :mod:`yuqing.store.crawl`).

:class:`RunRecorder` is a Scrapy extension. When the runner started the crawl it passes the id
of a ``running`` row (``YUQING_RUN_ID``) and closes that row itself if this process dies;
a plain ``scrapy crawl`` creates its own row.

Drop reasons counted in ``crawl_runs.drops``. Items: ``missing_title``, ``missing_text``,
``missing_published``, ``missing_author``, ``missing_url``, ``bad_url``, ``bad_date``,
``future_date``, ``garbled_text`` (mojibake: a page read in the wrong encoding), ``duplicate``
(seen twice in one crawl), ``store_error``. Pages (``page:``):
``http_<status>`` (after retries), ``robots``, ``redirect_loop``, ``too_large``
(DOWNLOAD_MAXSIZE), ``timeout``, ``connection``, ``dns``, ``not_text`` (a download, an
image), ``not_html`` (JSON where a page was expected), ``bad_json``, ``json_shape`` (the
items path found no list: the API changed), ``no_entries`` (a first list page or feed with
nothing on it: the selectors may be out of date), ``offsite`` (a link to a host outside the
source's allowed_domains, not followed). Page drops other than ``robots`` and ``offsite``
also count as errors.
"""

from __future__ import annotations

import base64
import logging
import resource
from datetime import datetime
from typing import IO, TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.extensions.corestats import CoreStats
from scrapy.logformatter import LogFormatter

from yuqing.crawler.context import context_for
from yuqing.store import crawl as crawl_store
from yuqing.store.crawl import RunCounts

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response
    from twisted.python.failure import Failure

log = logging.getLogger(__name__)
DROP_PREFIX = "yuqing/drops/"
OFFSITE = "page:offsite"
KEPT_STATS = (
    "yuqing/listed",
    "yuqing/skipped_settled",
    "yuqing/search_overlap",
    "yuqing/short_replies",
    "yuqing/near_duplicates",
    "yuqing/encoding_fixed",
    "yuqing/tagger",
    "yuqing/tags_stored",
    "yuqing/tag_errors",
    "yuqing/date_unread",  # optional dates not read: posts dated when first seen (issue 12)
    "yuqing/date_missing",  # optional dates absent: the same
    "yuqing/newest_published",
    "yuqing/store_worker_peak_rss_mb",
    "retry/count",
    "robotstxt/forbidden",
    "downloader/response_bytes",
)


def peak_rss_mb() -> float:
    """This process's peak resident memory. Linux's VmHWM starts afresh at exec, unlike
    ru_maxrss, which a child started by fork+exec inherits from its parent."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def counts_from_stats(stats: dict[str, Any], reason: str) -> RunCounts:
    """The crawl_runs figures of a finished crawl, from Scrapy's stats."""
    drops = {k[len(DROP_PREFIX) :]: int(v) for k, v in stats.items() if k.startswith(DROP_PREFIX)}
    # Links to other hosts, dropped by Scrapy's OffsiteMiddleware when they are scheduled
    # (allowed_domains; issue 12): counted, never followed, not errors.
    offsite = int(stats.get("offsite/filtered", 0) or 0)
    if offsite:
        drops[OFFSITE] = max(drops.get(OFFSITE, 0), offsite)
    pages = int(stats.get("response_received_count", 0))
    errors = int(stats.get("yuqing/errors", 0)) + int(stats.get("spider_exceptions/count", 0) or 0)
    items = int(stats.get("item_scraped_count", 0))
    # "shutdown": we stopped it (scheduler stopping, Ctrl-C); its JOBDIR resumes it next time,
    # so it says nothing of the source's health. (A timeout is marked by the runner.)
    status = {"finished": "ok", "shutdown": "stopped"}.get(reason, "failed")
    if status == "ok" and errors and not items and pages <= errors:
        status = "failed"  # nothing fetched but failures: the source is down
    messages = list(stats.get("yuqing/error_messages") or [])
    if reason != "finished":
        messages.insert(0, f"crawl ended: {reason}")
    kept = {
        k.split("/", 1)[-1] if k.startswith("yuqing/") else k: stats[k]
        for k in KEPT_STATS
        if k in stats
    }
    kept["close_reason"] = reason
    kept["incremental"] = bool(stats.get("yuqing/incremental"))
    kept["peak_rss_mb"] = peak_rss_mb()
    return RunCounts(
        status=status,
        pages=pages,
        items_scraped=items,
        items_new=int(stats.get("yuqing/items_new", 0)),
        items_updated=int(stats.get("yuqing/items_updated", 0)),
        items_dropped=sum(v for k, v in drops.items() if not k.startswith("page:")),
        drops=drops,
        errors=errors,
        error_messages=messages,
        stats=kept,
    )


class RunRecorder:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.run_id: int | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(ext.spider_error, signal=signals.spider_error)
        crawler.signals.connect(ext.request_dropped, signal=signals.request_dropped)
        return ext

    def spider_opened(self, spider: Any) -> None:
        source = getattr(spider, "source", None)
        if source is None:
            return
        ctx = context_for(self.crawler)
        given = self.crawler.settings.get("YUQING_RUN_ID")
        if given:
            self.run_id = int(given)
            return
        with ctx.database().session() as s:
            self.run_id = crawl_store.start_run(
                s, source.name, source.kind, source.model_dump(mode="json")
            )

    def item_dropped(self, item: Any, response: Any, exception: BaseException, spider: Any) -> None:
        reason = getattr(exception, "reason", "other")
        self.crawler.stats.inc_value(f"{DROP_PREFIX}{reason}")

    def request_dropped(self, request: Request, spider: Any) -> None:
        """A redirect back to a page already requested (a → b → a) is a redirect loop; other
        requests the duplicate filter drops are just links seen twice."""
        chain = request.meta.get("redirect_urls")
        if chain and hasattr(spider, "page_drop"):
            spider.page_drop("page:redirect_loop", chain[0], f"redirects back to {request.url}")
        else:
            self.crawler.stats.inc_value("yuqing/duplicate_requests")

    def spider_error(self, failure: Failure, response: Response, spider: Any) -> None:
        stats = self.crawler.stats
        messages = stats.get_value("yuqing/error_messages") or []
        if len(messages) < 20:
            messages.append(f"spider error on {response.url}: {failure.value!r}"[:300])
            stats.set_value("yuqing/error_messages", messages)

    def spider_closed(self, spider: Any, reason: str) -> None:
        source = getattr(spider, "source", None)
        if source is None or self.run_id is None:
            return
        stats = self.crawler.stats.get_stats()
        counts = counts_from_stats(stats, reason)
        ctx = context_for(self.crawler)
        with ctx.database().session() as s:
            newest = stats.get("yuqing/newest_published")
            if reason == "finished" and newest:
                crawl_store.advance_watermark(s, source.name, datetime.fromisoformat(newest))
            health = crawl_store.finish_run(s, self.run_id, counts)
        log.info(
            "crawl of %s %s: %d pages, %d items (%d new, %d updated), %d dropped %s, %d errors; "
            "health %s",
            source.name,
            counts.status,
            counts.pages,
            counts.items_scraped,
            counts.items_new,
            counts.items_updated,
            counts.items_dropped,
            counts.drops or "",
            counts.errors,
            health.health,
        )
        ctx.close()


class ScrapedCounter:
    """The last item pipeline: counts ``item_scraped_count`` (the items every pipeline let
    through, as the ``item_scraped`` signal does) and takes that count over from Scrapy's
    CoreStats, whose receiver was the signal's only one. A signal with a receiver costs Scrapy
    an asyncio task per item (~15 µs, a third of its work per item); with none, nothing.
    Without CoreStats it stands aside."""

    def __init__(self, crawler: Crawler) -> None:
        assert crawler.stats is not None
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        core = [e for e in crawler.extensions.middlewares if isinstance(e, CoreStats)]
        if not core:
            raise NotConfigured
        for ext in core:
            crawler.signals.disconnect(ext.item_scraped, signal=signals.item_scraped)
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        self.stats.inc_value("item_scraped_count")
        return item


class UrlRecorder:
    """With ``YUQING_RECORD_URLS=<file>``: one line per response (spider, method, URL, base64
    body), so the benchmark's bare spider can fetch exactly the same requests."""

    def __init__(self, crawler: Crawler, path: str) -> None:
        self.path = path
        self.fh: IO[str] | None = None
        crawler.signals.connect(self.response_received, signal=signals.response_received)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        path = crawler.settings.get("YUQING_RECORD_URLS")
        if not path:
            raise NotConfigured
        return cls(crawler, path)

    def response_received(self, response: Response, request: Request, spider: Any) -> None:
        if self.fh is None:
            # line-buffered: several crawlers of one process append to the same file
            self.fh = open(self.path, "a", encoding="utf-8", buffering=1)  # noqa: SIM115
        body = base64.b64encode(request.body).decode() if request.body else "-"
        self.fh.write(f"{spider.name}\t{request.method}\t{request.url}\t{body}\n")

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self.fh is not None:
            self.fh.close()
            self.fh = None


def would_log(name: str, level: int) -> bool:
    """Whether a record of ``level`` from logger ``name`` would reach a handler that takes it
    (the logger's level, then each handler's up the propagation chain, as ``Logger.handle``
    goes; handler filters are not looked at, so True may still come to nothing)."""
    logger = logging.getLogger(name)
    if not logger.isEnabledFor(level):
        return False
    found = False
    current: logging.Logger | None = logger
    while current is not None:
        for handler in current.handlers:
            found = True
            if level >= handler.level:
                return True
        current = current.parent if current.propagate else None
    last = logging.lastResort
    return not found and last is not None and level >= last.level


class QuietLogFormatter(LogFormatter):
    """Dropped items are logged as one line with the reason (not the whole item), at INFO.

    Scrapy logs every response ("Crawled (200) ...") and every item ("Scraped from ...") at
    DEBUG, and leaves the root logger at NOTSET, so each makes a log record that its handler
    (at ``LOG_LEVEL``) then drops: ~10% of the engine's cost per item. Those messages are only
    made when some handler would show them.
    """

    def crawled(self, request: Any, response: Any, spider: Any) -> Any:
        if not would_log("scrapy.core.engine", logging.DEBUG):
            return None
        return super().crawled(request, response, spider)

    def scraped(self, item: Any, response: Any, spider: Any) -> Any:
        if not would_log("scrapy.core.scraper", logging.DEBUG):
            return None
        return super().scraped(item, response, spider)

    def dropped(self, item: Any, exception: BaseException, response: Any, spider: Any) -> Any:
        return {
            "level": logging.INFO,
            "msg": "Dropped %(exception)s",
            "args": {"exception": exception},
        }
