"""What every source spider shares: its source config, start URLs (``{demo}``, ``{keyword}``),
requests with error handling, the incremental cut-off, and page-level drop accounting.

Incremental crawling: the store keeps a per-source watermark (the newest post stored). The
*cut-off* is ``watermark - recent_window``: entries older than it are known and settled, so
they are skipped, and a list/API page made only of such entries ends the pagination. Newer
entries are (re)fetched, so reply and like counts of recent posts stay current.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import quote
from zoneinfo import ZoneInfo

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import JsonResponse, Request, Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from yuqing.config.sources import AnySource, FieldMap
from yuqing.crawler.article import fill_missing
from yuqing.crawler.context import CrawlContext, context_for
from yuqing.crawler.dates import DateParseError, parse_datetime
from yuqing.crawler.errors import CrawlError
from yuqing.crawler.extract import Fields, field_list, root
from yuqing.crawler.items import PostItem
from yuqing.store import crawl as crawl_store

log = logging.getLogger(__name__)
TEXT_TYPES = (b"text/", b"application/xhtml", b"application/xml", b"application/json")


def page_reason(failure: Failure) -> tuple[str, bool]:
    """(drop reason, counts as an error) for a failed request."""
    exc = failure.value
    if isinstance(exc, HttpError):
        return f"page:http_{exc.response.status}", True
    if isinstance(exc, IgnoreRequest):
        text = str(exc).lower()
        if "robots" in text:
            return "page:robots", False
        if "offsite" in text:
            return "page:offsite", False
        if "redirect" in text:
            return "page:redirect_loop", True
        return "page:ignored", False
    name = type(exc).__name__
    text = str(exc).lower()
    if "maxsize" in text or "max size" in text or "cancel" in name.lower() or "cancel" in text:
        return "page:too_large", True
    if "timeout" in name.lower() or "timed out" in text:
        return "page:timeout", True
    if "dns" in name.lower() or "lookup" in name.lower():
        return "page:dns", True
    return "page:connection", True


class SourceSpider(scrapy.Spider):
    """Base class; the spider loader makes one subclass per configured source."""

    source_name: ClassVar[str] = ""
    kind: ClassVar[str] = ""

    ctx: CrawlContext
    source: Any
    cutoff: datetime | None
    known: dict[str, datetime]

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> SourceSpider:
        spider: SourceSpider = super().from_crawler(crawler, *args, **kwargs)
        spider.setup(context_for(crawler))
        return spider

    def setup(self, ctx: CrawlContext) -> None:
        self.ctx = ctx
        self.source = ctx.source(self.source_name or self.name)
        self.now = ctx.now()
        self.cutoff = None
        self.known = {}
        self._seen_ids: set[str] = set()
        self._field_lists: dict[int, Fields] = {}
        self._required = tuple(self.source.required)
        self._time_format: str = getattr(self.source, "time_format", "auto")
        self._timezone: str | None = getattr(self.source, "timezone", None)
        self.tz = ZoneInfo(self._timezone) if self._timezone else ctx.tz
        if self.source.uses_demo and not ctx.demo_url:
            raise CrawlError(
                f"source {self.source.name!r} uses {{demo}} but no demo site URL is set "
                "(YUQING_DEMO_URL, or run `yuqing demo-site serve`)"
            )
        # Scrapy's OffsiteMiddleware reads this when the spider opens: links to other hosts
        # are dropped (counted as page:offsite; the start URLs themselves are always fetched).
        self.allowed_domains = self.source.domains(ctx.demo_url)
        if self.crawler.settings.getbool("YUQING_WATERMARK", True):
            self.load_watermark()

    def load_watermark(self) -> None:
        with self.ctx.database().session() as s:
            mark = crawl_store.watermark(s, self.source.name)
            if mark is not None and self.source.date_order == "newest_first":
                self.cutoff = mark - self.source.recent_window
                self.known = crawl_store.known_posts(
                    s, self.source.name, self.cutoff - self.source.recent_window * 10
                )
        if self.cutoff is not None:
            self.logger.info("incremental crawl: entries older than %s are known", self.cutoff)

    # -- start ------------------------------------------------------------------------------
    def keywords(self) -> list[str | None]:
        kw = self.source.keywords
        if kw is None:
            return [None]
        return list(self.ctx.config.rules.search_keywords if kw == "rules" else kw)

    def expand(self, template: str, keyword: str | None) -> str:
        url = template.replace("{demo}", self.ctx.demo_url)
        if keyword is not None:
            url = url.replace("{keyword}", quote(keyword))
        return url

    async def start(self) -> AsyncIterator[Any]:
        self.crawler.stats.set_value("yuqing/incremental", self.cutoff is not None)
        for keyword in self.keywords():
            for template in self.source.start_urls:
                for request in self.first_requests(self.expand(template, keyword), keyword):
                    yield request

    def first_requests(self, url: str, keyword: str | None) -> Iterable[Request]:
        yield self.request(url, self.parse, dont_filter=True, cb_kwargs={"page": 1})

    # -- requests and failures --------------------------------------------------------------
    def request(self, url: str, callback: Any, **kwargs: Any) -> Request:
        return Request(url, callback=callback, errback=self.on_error, **kwargs)

    def on_error(self, failure: Failure) -> None:
        request = getattr(failure, "request", None)
        url = request.url if request is not None else "?"
        reason, is_error = page_reason(failure)
        self.page_drop(reason, url, f"{type(failure.value).__name__}: {failure.value}", is_error)

    def page_drop(self, reason: str, url: str, message: str, is_error: bool = True) -> None:
        stats = self.crawler.stats
        stats.inc_value(f"yuqing/drops/{reason}")
        if is_error:
            stats.inc_value("yuqing/errors")
            messages = stats.get_value("yuqing/error_messages") or []
            if len(messages) < 20:
                messages.append(f"{reason} {url}: {message}"[:300])
                stats.set_value("yuqing/error_messages", messages)
            self.logger.warning("dropped page %s (%s): %s", url, reason, message)
        else:
            self.logger.info("skipped page %s (%s)", url, reason)

    def text_response(self, response: Response) -> TextResponse | None:
        """The response if it is text; a non-text page (a download, an image) is dropped."""
        if isinstance(response, TextResponse):
            return response
        self._not_text(response)
        return None

    def html_response(self, response: Response) -> TextResponse | None:
        """The response if it is an HTML (or XML) page; JSON or binary content is dropped."""
        if isinstance(response, JsonResponse):
            self.page_drop("page:not_html", response.url, "JSON where an HTML page was expected")
            return None
        if isinstance(response, TextResponse):
            return response
        self._not_text(response)
        return None

    def _not_text(self, response: Response) -> None:
        ctype = response.headers.get(b"Content-Type", b"") or b""
        self.page_drop(
            "page:not_text", response.url, f"content type {ctype.decode('latin-1') or 'none'}"
        )

    # -- incremental ------------------------------------------------------------------------
    def when(self, value: Any, fmt: str = "auto") -> datetime | None:
        """``value`` as a time, or None when it cannot be read (the pipeline reports that)."""
        if value is None:
            return None
        try:
            return parse_datetime(value, self.now, self.tz, fmt)  # type: ignore[arg-type]
        except DateParseError:
            return None

    def is_settled(self, published: datetime | None, key: str | None = None) -> bool:
        """Known and older than the cut-off: no need to fetch or store it again. (Without a
        cut-off, callers skip reading the entry's time and key for it: the validate stage
        reads the time anyway.)"""
        if self.cutoff is None:
            return False
        if published is not None:
            return published < self.cutoff
        if key is not None and key in self.known:
            return self.known[key] < self.cutoff
        return False

    def first_sighting(self, item: PostItem) -> bool:
        """Search sources see a post once per keyword that finds it: keep the first."""
        if not self.source.is_search:
            return True
        key = item.key
        if key in self._seen_ids:
            self.crawler.stats.inc_value("yuqing/search_overlap")
            return False
        self._seen_ids.add(key)
        return True

    def fields(self, fields: FieldMap | None) -> Fields:
        """One of the source's field maps as (name, spec) pairs, listed once per spider."""
        found = self._field_lists.get(id(fields))
        if found is None:
            found = self._field_lists[id(fields)] = field_list(fields)
        return found

    def new_item(self, url: str | None, found_on: str, **fields: Any) -> PostItem:
        return PostItem(
            source=self.source.name,
            url=url,
            found_on=found_on,
            required=self._required,
            time_format=self._time_format,
            timezone=self._timezone,
            **fields,
        )

    def with_article(
        self, response: TextResponse, values: dict[str, Any], listed: dict[str, Any]
    ) -> dict[str, Any]:
        """A detail page's values: the selectors' (``values``), then the list page's or feed
        entry's (``listed``), with what both leave empty read by the generic article
        extractor (:func:`yuqing.crawler.article.fill_missing`)."""
        return fill_missing(root(response), values, listed, self.now, self.tz, self._required)


def settings_for(source: AnySource) -> dict[str, Any]:
    """The source's politeness settings, applied as the spider's custom settings."""
    settings: dict[str, Any] = {
        "CONCURRENT_REQUESTS_PER_DOMAIN": source.concurrency,
        "DOWNLOAD_DELAY": source.download_delay,
        "ROBOTSTXT_OBEY": source.obey_robots,
        "DOWNLOAD_TIMEOUT": max(1, int(source.download_timeout.total_seconds())),
        "RETRY_TIMES": source.retries,
    }
    if source.download_delay == 0:
        settings["AUTOTHROTTLE_ENABLED"] = False
    return settings
