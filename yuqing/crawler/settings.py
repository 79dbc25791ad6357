"""Scrapy settings for the yuqing crawler (``scrapy.cfg``: ``default = yuqing.crawler.settings``).

Spiders are not modules here: :class:`yuqing.crawler.loader.SourceSpiderLoader` makes one spider
per source in config/sources.yaml, so ``scrapy list`` prints the configured sources and
``scrapy crawl <source>`` crawls one. Per-source politeness (concurrency, delay, robots,
timeout, retries) is applied by the loader as the spider's custom settings.

yuqing's own settings (``YUQING_*``) can be given with ``-s`` like any other:
``YUQING_DEMO_URL`` (what ``{demo}`` in URLs means; also read from the environment),
``YUQING_RUN_ID`` (a crawl_runs row created by the runner), ``YUQING_NOW`` (ISO time that
relative dates are read against; tests), ``YUQING_TAGGER`` (``on``/``off``),
``YUQING_RETRY_BACKOFF`` (seconds before the first retry, doubled for each next one),
``YUQING_RECORD_URLS`` (a file to list every fetched URL in: the benchmark's baseline),
``YUQING_STORE_WORKER`` (``process``: tag and store in a worker process; ``thread``; ``off``),
``YUQING_STORE_PENDING`` (batches the worker may lag behind before the crawl waits),
``YUQING_GC_FREEZE`` / ``YUQING_GC_THRESHOLD`` (the crawl process's garbage collector, see
:mod:`yuqing.crawler.gcfreeze`), ``YUQING_WATERMARK`` (``False``: the spider reads no
watermark, so it needs no database: ``yuqing sources try``), ``YUQING_JOB_GUARD`` (``on``: the
crawl keeps its own JOBDIR's bookkeeping, see :mod:`yuqing.crawler.jobguard`; Scrapyd nodes).
"""

from __future__ import annotations

import os

BOT_NAME = "yuqing"
SPIDER_LOADER_CLASS = "yuqing.crawler.loader.SourceSpiderLoader"
SPIDER_MODULES: list[str] = []
NEWSPIDER_MODULE = ""

USER_AGENT = "yuqing/0.1 (public-opinion monitoring; obeys robots.txt)"
ROBOTSTXT_OBEY = True

# Politeness: AutoThrottle adapts the delay to the server's latency; per-domain concurrency and
# delay are overridden per source by the loader.
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.25
# Items of one response processed concurrently. Scrapy starts this many asyncio tasks for
# every response, items or not (default 100: measured a third of a bare crawl's CPU); our
# pipelines are synchronous but for the store's back pressure, so a few are enough. Measured
# (Scrapy's work per response, no pipelines or 5 synchronous ones): 2 is as cheap as 8 for
# responses of 10-20 items and ~14% cheaper for responses of 0-1 items; 1 costs 5% more on
# 20 items (its queue of 2 makes the callback wait for the item processing).
CONCURRENT_ITEMS = 2
# Scrapy re-parses the source of every generator callback for every response to warn about
# `return value` in generators (its cache misses on bound methods); a development check.
WARN_ON_GENERATOR_RETURN_VALUE = False
# Every output of a callback (each item, each request) passes through each spider middleware
# that looks at outputs, ~4 µs each. Kept: Referer (the header real sites expect) and
# UrlLength (drops absurd URLs); HttpError (non-2xx responses go to the errback) and Start
# see responses and start requests only. Depth only when a DEPTH_* setting asks for it
# (otherwise it would only record request_depth_max). MetaCopyDetection warns about
# response.meta copied into new requests, which our spiders never do (they use cb_kwargs).
SPIDER_MIDDLEWARES = {
    "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
    "yuqing.crawler.middlewares.DepthWhenLimited": 900,
    "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware": None,
}

RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
REDIRECT_MAX_TIMES = 5
DOWNLOAD_TIMEOUT = 30
# Pages beyond this size are dropped (counted as page:too_large); the crawl goes on.
DOWNLOAD_MAXSIZE = 8 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
DOWNLOAD_FAIL_ON_DATALOSS = True

DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "yuqing.crawler.middlewares.BackoffRetryMiddleware": 550,
    "yuqing.crawler.middlewares.BackoffDelayMiddleware": 560,
    "yuqing.crawler.middlewares.SourceRequestMiddleware": 590,
    "yuqing.crawler.middlewares.EncodingMiddleware": 600,
}

# Counts the items that came through (item_scraped_count) in place of CoreStats' signal
# receiver, a task per item; in the base, so that it stays with ITEM_PIPELINES={} too.
# Still pays (issue 15, `python -m bench.crawl`, variant full_corestats): without it the full
# crawl costs 13% more CPU per post stored and tagged (3.12 vs 2.75 CPU-s per 1,000 posts).
ITEM_PIPELINES_BASE = {"yuqing.crawler.health.ScrapedCounter": 10_000}
ITEM_PIPELINES = {
    "yuqing.crawler.pipelines.ValidatePipeline": 100,
    "yuqing.crawler.pipelines.NormalizePipeline": 200,
    "yuqing.crawler.pipelines.DedupePipeline": 300,
    "yuqing.crawler.pipelines.TagPipeline": 400,
    "yuqing.crawler.pipelines.StorePipeline": 500,
}

# GcFreeze: the garbage collector tuned for a crawl process (YUQING_GC_FREEZE, _THRESHOLD).
# Still pays (issue 15, bench.crawl variant full_gc_default): off, the full crawl costs 18%
# more CPU per post stored and tagged (3.24 vs 2.75 CPU-s per 1,000 posts).
EXTENSIONS = {
    "scrapy.extensions.telnet.TelnetConsole": None,
    "yuqing.crawler.health.RunRecorder": 100,
    "yuqing.crawler.health.UrlRecorder": 110,
    "yuqing.crawler.gcfreeze.GcFreeze": 120,
    # JOBDIR bookkeeping inside the crawl (Scrapyd nodes; YUQING_JOB_GUARD=on)
    "yuqing.crawler.jobguard.JobGuard": 130,
}

REMOTE_CONTROL_ENABLED = False

# Encodings, logs
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = os.environ.get("YUQING_CRAWL_LOG_LEVEL", "INFO")
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"

YUQING_DEMO_URL = os.environ.get("YUQING_DEMO_URL", "")
YUQING_RUN_ID = os.environ.get("YUQING_RUN_ID", "")
YUQING_NOW = os.environ.get("YUQING_NOW", "")
YUQING_TAGGER = os.environ.get("YUQING_TAGGER", "on")
YUQING_RETRY_BACKOFF = float(os.environ.get("YUQING_RETRY_BACKOFF", "0.5"))
YUQING_RECORD_URLS = os.environ.get("YUQING_RECORD_URLS", "")
YUQING_STORE_BATCH = 200
# Tag and store in a worker process of their own (yuqing.crawler.worker); "thread" or "off".
YUQING_STORE_WORKER = os.environ.get("YUQING_STORE_WORKER", "process")
LOG_FORMATTER = "yuqing.crawler.health.QuietLogFormatter"
