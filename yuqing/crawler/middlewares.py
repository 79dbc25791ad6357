"""Downloader middlewares: retries with exponential backoff, per-source request settings
(headers, proxy), and text-encoding repair (GBK/GB18030 pages that say otherwise). Spider
middleware: Scrapy's depth tracking, only when a DEPTH_* setting asks for it."""

from __future__ import annotations

import asyncio
import logging
import os
from typing import TYPE_CHECKING, Any

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response, TextResponse
from scrapy.spidermiddlewares.depth import DepthMiddleware

from yuqing.crawler.encoding import PAGE_ENCODING, fix_encoding, page_encoding

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler

log = logging.getLogger(__name__)
MAX_BACKOFF = 60.0


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retries (RETRY_TIMES, RETRY_HTTP_CODES), each retry waiting longer: the first
    ``YUQING_RETRY_BACKOFF`` seconds, then twice as long each time (at most a minute)."""

    def _retry(self, request: Request, reason: str | Exception | type[Exception]) -> Request | None:
        new = super()._retry(request, reason)
        if new is not None:
            base = float(self.crawler.settings.getfloat("YUQING_RETRY_BACKOFF", 0.5))
            attempt = int(new.meta.get("retry_times", 1))
            new.meta["backoff_delay"] = min(MAX_BACKOFF, base * 2 ** (attempt - 1))
        return new


class BackoffDelayMiddleware:
    """Wait ``meta["backoff_delay"]`` seconds before sending a retried request (other requests
    keep going meanwhile)."""

    async def process_request(self, request: Request) -> None:
        delay = request.meta.pop("backoff_delay", 0)
        if delay:
            await asyncio.sleep(delay)


class SourceRequestMiddleware:
    """Apply the source's headers and proxy to every request of its spider."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        source = getattr(self.crawler.spider, "source", None)
        if source is None:
            return
        for name, value in source.headers.items():
            request.headers.setdefault(name, value)
        proxy = source.proxy or (os.environ.get(source.proxy_env) if source.proxy_env else None)
        if proxy and "proxy" not in request.meta:
            request.meta["proxy"] = proxy


class EncodingMiddleware:
    """Re-read text responses whose declared encoding is wrong or missing (see
    :func:`yuqing.crawler.encoding.better_encoding`); the source's ``encoding`` wins. The
    encoding used is in ``response.meta["page_encoding"]``."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Any:
        if not isinstance(response, TextResponse) or request.url.endswith("/robots.txt"):
            return response
        source = getattr(self.crawler.spider, "source", None)
        fixed = fix_encoding(response, getattr(source, "encoding", None))
        if fixed is not response:
            self.crawler.stats.inc_value("yuqing/encoding_fixed")
            log.debug("read %s as %s", response.url, fixed.encoding)
        # what each page was read with, for its callbacks (``response.meta``) and logs
        request.meta[PAGE_ENCODING] = page_encoding(fixed)
        return fixed


class DepthWhenLimited(DepthMiddleware):
    """Scrapy's DepthMiddleware, enabled only when ``DEPTH_LIMIT``, ``DEPTH_PRIORITY`` or
    ``DEPTH_STATS_VERBOSE`` is set. Otherwise it would only record ``request_depth_max``,
    yet every output of every callback (each item too) passes through it: ~4 µs an output.
    Our spiders bound their crawl with ``max_pages``."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not (
            settings.getint("DEPTH_LIMIT")
            or settings.getint("DEPTH_PRIORITY")
            or settings.getbool("DEPTH_STATS_VERBOSE")
        ):
            raise NotConfigured
        return super().from_crawler(crawler)
