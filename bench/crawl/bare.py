"""The baseline: bare Scrapy spiders that fetch a recorded list of requests and do nothing
with the responses (no parsing, no items, no pipelines, no yuqing downloader middlewares).

    python -m bench.crawl.bare URLS_FILE RESULT_JSON [--scrapy-defaults]

One spider per source of the recording, all in one process, like the full run, each with its
source's download settings, as the crawl has them (:data:`DOWNLOAD_SETTINGS` from
``yuqing.crawler.settings``, then the loader's per-source ``settings_for``: per-domain
concurrency, delay, timeout, retries; AutoThrottle is off for the demo sources on both sides,
their delay being 0). The engine settings are the crawl's too (:data:`ENGINE_SETTINGS`: items
in parallel, spider middlewares, log messages), and so is the process's garbage-collector
tuning (:data:`PROCESS_EXTENSIONS`), so the only difference is what is done with the
responses. ``--scrapy-defaults`` leaves both at Scrapy's and Python's defaults instead (the
baseline the benchmark used first; Scrapy's default ``CONCURRENT_ITEMS`` makes every response
cost more, items or not). robots.txt is fetched as the recorded request it was, not obeyed.
The child writes its crawl time (first spider opened → last closed), pages and peak RSS as
JSON.
"""

from __future__ import annotations

import base64
import json
import sys
import time
from collections import defaultdict
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import scrapy
from scrapy import signals
from scrapy.crawler import CrawlerProcess
from scrapy.http import Request, Response

from yuqing.config import load
from yuqing.crawler import settings as project
from yuqing.crawler.health import peak_rss_mb
from yuqing.crawler.spiders.base import settings_for

Recorded = tuple[str, str, bytes | None]
# The crawl's download settings (the per-source ones come from ``settings_for``).
DOWNLOAD_SETTINGS = (
    "TWISTED_REACTOR",
    "USER_AGENT",
    "CONCURRENT_REQUESTS",
    "CONCURRENT_REQUESTS_PER_DOMAIN",
    "DOWNLOAD_DELAY",
    "AUTOTHROTTLE_ENABLED",
    "AUTOTHROTTLE_START_DELAY",
    "AUTOTHROTTLE_MAX_DELAY",
    "AUTOTHROTTLE_TARGET_CONCURRENCY",
    "DOWNLOAD_TIMEOUT",
    "DOWNLOAD_MAXSIZE",
    "DOWNLOAD_WARNSIZE",
    "DOWNLOAD_FAIL_ON_DATALOSS",
    "REDIRECT_MAX_TIMES",
    "RETRY_TIMES",
    "RETRY_HTTP_CODES",
)
# How the engine handles a response and its output, as the crawl sets it (not what is done
# with it): items in parallel, spider middlewares, the per-response log message.
ENGINE_SETTINGS = (
    "CONCURRENT_ITEMS",
    "WARN_ON_GENERATOR_RETURN_VALUE",
    "SPIDER_MIDDLEWARES",
    "LOG_FORMATTER",
)
# The crawl process's garbage-collector tuning (yuqing.crawler.gcfreeze), on both sides.
PROCESS_EXTENSIONS = {"yuqing.crawler.gcfreeze.GcFreeze": 120}


def read_recording(path: Path) -> dict[str, list[Recorded]]:
    """spider name → [(method, url, body)] in the order they were fetched."""
    out: dict[str, list[Recorded]] = defaultdict(list)
    for line in path.read_text(encoding="utf-8").splitlines():
        name, method, url, body = line.split("\t")
        out[name].append((method, url, None if body == "-" else base64.b64decode(body)))
    return dict(out)


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, requests: list[Recorded], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.recorded = requests

    async def start(self) -> AsyncIterator[Any]:
        for method, url, body in self.recorded:
            headers = {"Content-Type": "application/json"} if body else None
            yield Request(url, method=method, body=body, headers=headers, dont_filter=True)

    def parse(self, response: Response) -> None:
        return None


def spider_for(source_name: str) -> type[BareSpider]:
    """A bare spider class with the download settings of the source it stands for."""
    custom = settings_for(load(env={}).sources.get(source_name))
    custom["ROBOTSTXT_OBEY"] = False  # robots.txt is among the recorded requests
    return type(f"Bare_{source_name.replace('-', '_')}", (BareSpider,), {"custom_settings": custom})


def crawl_settings(scrapy_defaults: bool) -> dict[str, Any]:
    settings: dict[str, Any] = {
        "TELNETCONSOLE_ENABLED": False,
        "REMOTE_CONTROL_ENABLED": False,
        "LOG_LEVEL": "WARNING",
        "HTTPERROR_ALLOW_ALL": True,
    }
    keys = DOWNLOAD_SETTINGS if scrapy_defaults else DOWNLOAD_SETTINGS + ENGINE_SETTINGS
    settings.update({k: getattr(project, k) for k in keys if hasattr(project, k)})
    if not scrapy_defaults:
        settings["EXTENSIONS"] = dict(PROCESS_EXTENSIONS)
    return settings


def main(argv: list[str]) -> int:
    urls, result = Path(argv[0]), Path(argv[1])
    recording = read_recording(urls)
    process = CrawlerProcess(crawl_settings("--scrapy-defaults" in argv[2:]))
    marks: dict[str, float] = {}

    def opened(spider: Any) -> None:
        marks.setdefault("start", time.perf_counter())

    def closed(spider: Any, reason: str) -> None:
        marks["end"] = time.perf_counter()

    crawlers = []
    for name, requests in sorted(recording.items()):
        crawler = process.create_crawler(spider_for(name))
        crawler.signals.connect(opened, signal=signals.spider_opened)
        crawler.signals.connect(closed, signal=signals.spider_closed)
        process.crawl(crawler, requests=requests, name=f"{name}-bare")
        crawlers.append(crawler)
    process.start()
    pages = sum(int(c.stats.get_value("response_received_count", 0)) for c in crawlers)
    result.write_text(
        json.dumps(
            {
                "seconds": marks["end"] - marks["start"],
                "pages": pages,
                "peak_rss_mb": peak_rss_mb(),
            }
        ),
        encoding="utf-8",
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
