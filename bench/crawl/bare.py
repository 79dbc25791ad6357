"""The baseline: bare Scrapy spiders that fetch a recorded list of requests and do nothing
with the responses (no parsing, no items, no pipelines, no yuqing extensions).

    python -m bench.crawl.bare URLS_FILE RESULT_JSON CONCURRENCY

One spider per source of the recording, all in one process, like the full run; the child
writes its crawl time (first spider opened → last closed), pages and peak RSS as JSON.
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

from yuqing.crawler.health import peak_rss_mb

Recorded = tuple[str, str, bytes | None]


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


def main(argv: list[str]) -> int:
    urls, result, concurrency = Path(argv[0]), Path(argv[1]), int(argv[2])
    recording = read_recording(urls)
    process = CrawlerProcess(
        {
            "ROBOTSTXT_OBEY": False,
            "AUTOTHROTTLE_ENABLED": False,
            "DOWNLOAD_DELAY": 0,
            "CONCURRENT_REQUESTS": 16,
            "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
            "TELNETCONSOLE_ENABLED": False,
            "REMOTE_CONTROL_ENABLED": False,
            "LOG_LEVEL": "WARNING",
            "HTTPERROR_ALLOW_ALL": True,
        }
    )
    marks: dict[str, float] = {}

    def opened(spider: Any) -> None:
        marks.setdefault("start", time.perf_counter())

    def closed(spider: Any, reason: str) -> None:
        marks["end"] = time.perf_counter()

    crawlers = []
    for name, requests in sorted(recording.items()):
        crawler = process.create_crawler(BareSpider)
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
