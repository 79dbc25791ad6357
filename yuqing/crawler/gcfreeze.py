"""Garbage collection tuned for a crawl process (a Scrapy extension).

When a crawler is set up, the process holds what it keeps until it exits: Scrapy, lxml,
SQLAlchemy, the configuration, the spiders. Left to the collector, every full collection walks
all of it again, and the short-lived objects of each response (requests, selectors, items,
Deferreds) trigger a young collection every 700 allocations. This extension collects once and
freezes what survives (:func:`gc.freeze`: out of the collector's sight, still freed by
reference counting) when the crawler builds it, again when the engine starts (what the engine,
the pipelines and the other crawlers of the process added), and then raises the first
generation's threshold to ``YUQING_GC_THRESHOLD`` (default 50,000; 0 keeps Python's). Cycles
are still collected, less often. Measured on the demo site: GC time in the crawl process
0.5-0.8 s → 0.05 s per crawl. ``YUQING_GC_FREEZE=off`` disables the extension.
"""

from __future__ import annotations

import gc
import logging
import time
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.exceptions import NotConfigured

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler

log = logging.getLogger(__name__)
DEFAULT_THRESHOLD = 50_000
_OFF = ("off", "0", "false", "no")


class GcFreeze:
    def __init__(self, threshold: int) -> None:
        self.threshold = threshold

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if str(crawler.settings.get("YUQING_GC_FREEZE", "on")).lower() in _OFF:
            raise NotConfigured
        ext = cls(crawler.settings.getint("YUQING_GC_THRESHOLD", DEFAULT_THRESHOLD))
        # The big collection now, before the crawl's clock starts; what the engine adds
        # (downloader, pipelines, other crawlers of the process) is frozen when it starts.
        ext.freeze("start-up")
        crawler.signals.connect(ext.engine_started, signal=signals.engine_started)
        return ext

    def engine_started(self) -> None:
        self.freeze("engine started")
        if self.threshold > 0:
            _, gen1, gen2 = gc.get_threshold()
            gc.set_threshold(self.threshold, gen1, gen2)

    @staticmethod
    def freeze(when: str) -> None:
        started = time.process_time()
        gc.collect()
        gc.freeze()
        log.debug("gc: collected and froze at %s in %.3fs", when, time.process_time() - started)
