"""List-only listings and allowed domains in the spider itself (issue 12)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from scrapy.http import Request

from tests.crawler.conftest import FIXTURE_NOW, SpiderFactory, fixture_response, with_sources
from yuqing.config import Config
from yuqing.crawler.items import PostItem

BBS: dict[str, Any] = {
    "name": "bbs",
    "kind": "listing",
    "start_urls": ["http://bbs.test/forum/forum-1.html"],
    "item": "tbody.thread",
    "follow": False,
    "list_fields": {
        "url": "a.xst::attr(href)",
        "title": "a.xst::text",
        "published": "td.by em::text",
        "replies": "td.num a::text",
        "text": "td.abstract::text",
    },
    "next_page": "a.nxt::attr(href)",
}


def test_list_only_entries_become_items_joined_against_base_href(
    make_spider: SpiderFactory, crawl_config: Config
) -> None:
    """issue 12: <base href> was honoured for followed links but not for the stored url."""
    spider = make_spider("bbs", with_sources(crawl_config, BBS))
    resp = fixture_response("list_only.html", "http://bbs.test/somewhere/else.html")
    out = list(spider.parse(resp))
    items = [o for o in out if isinstance(o, PostItem)]
    requests = [o for o in out if isinstance(o, Request)]
    assert [i.url for i in items] == [
        "http://bbs.test/forum/thread-101-1-1.html",
        "http://bbs.test/forum/thread-102-1-1.html",
        "http://bbs.test/forum/thread-103-1-1.html",
        "http://other.example.org/thread-9.html",
    ]
    assert items[0].replies == 12 and items[0].published == "2026-11-27 09:15"
    assert items[0].required == ("title", "published")
    assert [r.url for r in requests] == ["http://bbs.test/forum/forum-2.html"]


def test_list_only_paging_stops_at_the_watermark(
    make_spider: SpiderFactory, crawl_config: Config
) -> None:
    spider = make_spider("bbs", with_sources(crawl_config, BBS))
    spider.cutoff = FIXTURE_NOW + timedelta(days=1)
    resp = fixture_response("list_only.html", "http://bbs.test/forum/forum-1.html")
    assert list(spider.parse(resp)) == []
    assert spider.crawler.stats.get_value("yuqing/skipped_settled") == 4


def test_allowed_domains_come_from_the_start_urls(
    make_spider: SpiderFactory, crawl_config: Config
) -> None:
    assert make_spider("demo-county").allowed_domains == ["demo.test"]
    wide = {**BBS, "allowed_domains": ["bbs.test", "img.example.cn"]}
    assert make_spider("bbs", with_sources(crawl_config, wide)).allowed_domains == [
        "bbs.test",
        "img.example.cn",
    ]
