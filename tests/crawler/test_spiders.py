"""Every spider kind against saved pages of the demo site, without a crawl: what each callback
yields (items, follow-up requests), where pagination stops, and page-level drops."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Request, Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from tests.crawler.conftest import DEMO, FIXTURE_NOW, SpiderFactory, fixture_response, with_sources
from yuqing.config import Config
from yuqing.crawler.items import PostItem
from yuqing.crawler.middlewares import EncodingMiddleware
from yuqing.crawler.spiders.base import page_reason

JSON = "application/json; charset=utf-8"


def split(results: Any) -> tuple[list[PostItem], list[Request]]:
    out = list(results)
    items = [r for r in out if isinstance(r, PostItem)]
    requests = [r for r in out if isinstance(r, Request)]
    assert len(items) + len(requests) == len(out)
    return items, requests


def drops(spider: Any) -> dict[str, int]:
    stats = spider.crawler.stats.get_stats()
    return {k.split("/", 2)[2]: v for k, v in stats.items() if k.startswith("yuqing/drops/")}


# -- feed ---------------------------------------------------------------------------------
def test_rss_entries_are_followed_to_their_articles(make_spider: SpiderFactory) -> None:
    spider = make_spider("demo-news")
    resp = fixture_response("news_rss.xml", f"{DEMO}/news/rss.xml", "application/rss+xml")
    items, requests = split(spider.parse(resp))
    assert items == [] and len(requests) == 5
    assert all(r.url.startswith(f"{DEMO}/news/article/") for r in requests)
    entry = requests[0].cb_kwargs["entry"]
    assert entry["title"] and entry["published"].endswith("+0800")


def test_article_page_gives_full_text_and_the_feed_fills_gaps(make_spider: SpiderFactory) -> None:
    spider = make_spider("demo-news")
    resp = fixture_response("news_rss.xml", f"{DEMO}/news/rss.xml", "application/rss+xml")
    _, requests = split(spider.parse(resp))
    article = fixture_response("news_article.html", requests[0].url)
    items, _ = split(spider.parse_article(article, **requests[0].cb_kwargs))
    (item,) = items
    assert item.title == requests[0].cb_kwargs["entry"]["title"]
    assert item.text and len(item.text) > len(requests[0].cb_kwargs["entry"]["text"]) - 5
    assert item.published.startswith("2026-11-27T")  # the article's meta time wins
    assert item.author and "来源" not in item.author


def test_atom_entries_become_items(make_spider: SpiderFactory) -> None:
    spider = make_spider("demo-news-atom")
    resp = fixture_response("news_atom.xml", f"{DEMO}/news/atom.xml", "application/atom+xml")
    items, requests = split(spider.parse(resp))
    assert requests == [] and len(items) == 5
    assert all(i.external_id and i.external_id.startswith("tag:demo.yuqing") for i in items)
    assert all(i.url and i.url.startswith(f"{DEMO}/news/article/") for i in items)
    assert all(i.title and i.text and i.published for i in items)


def test_feed_stops_at_the_watermark(make_spider: SpiderFactory) -> None:
    spider = make_spider("demo-news-atom")
    spider.cutoff = FIXTURE_NOW + timedelta(days=1)
    resp = fixture_response("news_atom.xml", f"{DEMO}/news/atom.xml", "application/atom+xml")
    assert split(spider.parse(resp)) == ([], [])


# -- listing ------------------------------------------------------------------------------
def forum_list() -> Response:
    return fixture_response("forum_list.html", f"{DEMO}/forum/")


def test_forum_list_requests_every_thread_and_the_next_page(make_spider: SpiderFactory) -> None:
    spider = make_spider("demo-forum")
    items, requests = split(spider.parse(forum_list()))
    details = [r for r in requests if "/forum/thread/" in r.url or "/forum/private/" in r.url]
    pages = [r for r in requests if r not in details]
    assert items == [] and len(details) == 33  # 30 threads, the pinned one, broken, private
    assert [r.url for r in pages] == [f"{DEMO}/forum/?pn=2"]
    assert details[1].cb_kwargs["listed"]["published"] == "30分钟前"


def test_listing_pagination_stops_at_the_watermark(make_spider: SpiderFactory) -> None:
    spider = make_spider("demo-forum")
    spider.cutoff = FIXTURE_NOW - timedelta(hours=3)
    _, requests = split(spider.parse(forum_list()))
    assert 0 < len(requests) < 33  # only the threads newer than the cut-off
    assert any("pn=2" in r.url for r in requests)  # the page was not all old: go on
    spider.cutoff = FIXTURE_NOW + timedelta(days=1)
    assert split(spider.parse(forum_list())) == ([], [])  # all settled: stop here


def test_listing_without_list_times_uses_the_known_posts(
    make_spider: SpiderFactory, crawl_config: Config
) -> None:
    cfg = with_sources(
        crawl_config,
        {
            "name": "bare-forum",
            "kind": "listing",
            "start_urls": ["{demo}/forum/"],
            "item": "li.j_thread_list",
            "links": "a.j_th_tit::attr(href)",
            "next_page": "a.next::attr(href)",
        },
    )
    spider = make_spider("bare-forum", cfg)
    spider.cutoff = FIXTURE_NOW - timedelta(days=2)
    from yuqing.store.posts import dedup_key

    old = FIXTURE_NOW - timedelta(days=30)
    urls = [f"{DEMO}/forum/thread/{n}" for n in range(400)] + [f"{DEMO}/forum/private/1"]
    spider.known = {dedup_key(None, url): old for url in urls}
    assert split(spider.parse(forum_list())) == ([], [])
    spider.known = {}
    assert len(split(spider.parse(forum_list()))[1]) == 34


def test_forum_thread_gives_post_replies_and_next_reply_page(make_spider: SpiderFactory) -> None:
    spider = make_spider("demo-forum")
    url = f"{DEMO}/forum/thread/5"
    items, requests = split(spider.parse_detail(fixture_response("forum_thread.html", url), {}))
    thread, replies = items[0], items[1:]
    assert thread.url == url and thread.title and thread.published and thread.author
    assert thread.parent_url is None
    assert replies and all(r.parent_url == url and r.external_id for r in replies)
    assert all(len(r.text or "") >= 12 for r in replies)  # short replies are skipped
    assert spider.crawler.stats.get_value("yuqing/short_replies") > 0
    assert [r.url for r in requests] == [f"{DEMO}/forum/thread/5?pn=2"]
    page2 = fixture_response("forum_thread_p2.html", requests[0].url)
    more, none = split(spider.parse_reply_page(page2, **requests[0].cb_kwargs))
    assert none == [] and all(r.parent_url == url for r in more)


def test_malformed_html_page_does_not_break_the_spider(make_spider: SpiderFactory) -> None:
    spider = make_spider("demo-forum")
    resp = fixture_response("forum_broken.html", f"{DEMO}/forum/thread/0")
    items, _ = split(spider.parse_detail(resp, {}))
    assert items and items[0].published is None  # the pipeline drops it (missing time)


def test_non_html_content_type_is_dropped(make_spider: SpiderFactory) -> None:
    spider = make_spider("demo-forum")
    resp = Response(
        f"{DEMO}/faults/binary",
        body=bytes(range(256)),
        headers={"Content-Type": "application/octet-stream"},
    )
    assert split(spider.parse_detail(resp, {})) == ([], [])
    assert drops(spider) == {"page:not_text": 1}


def test_empty_list_page_is_reported(make_spider: SpiderFactory) -> None:
    spider = make_spider("demo-forum")
    resp = HtmlResponse(f"{DEMO}/forum/", body=b"<html><body>maintenance</body></html>")
    assert split(spider.parse(resp)) == ([], [])
    assert drops(spider) == {"page:no_entries": 1}


# -- GBK ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("county_article.html", "text/html"),  # <meta http-equiv ... charset=gbk>
        ("county_article_header.html", "text/html; charset=GBK"),  # only the header says
        ("county_article_none.html", "text/html"),  # nobody says
    ],
)
def test_gbk_pages_decode(make_spider: SpiderFactory, name: str, content_type: str) -> None:
    spider = make_spider("demo-county")
    raw = fixture_response(name, f"{DEMO}/county/article/1.html", content_type)
    resp = EncodingMiddleware(spider.crawler).process_response(raw.request, raw)  # type: ignore[arg-type]
    items, _ = split(spider.parse_detail(resp, {}))
    (item,) = items
    assert item.title and "\ufffd" not in item.title and item.title.isprintable()
    assert any("\u4e00" <= ch <= "\u9fff" for ch in item.title)
    assert item.published and item.published.startswith("2026-")
    assert item.author and "\ufffd" not in item.author


def test_page_declaring_utf8_but_sent_in_gbk_is_read_as_gbk(make_spider: SpiderFactory) -> None:
    spider = make_spider("demo-county")
    raw = fixture_response(
        "wrong_charset.html", f"{DEMO}/faults/wrong-charset", "text/html; charset=utf-8"
    )
    resp = EncodingMiddleware(spider.crawler).process_response(raw.request, raw)  # type: ignore[arg-type]
    items, _ = split(spider.parse_detail(resp, {}))
    assert items[0].title == "讷河市召开安全生产会议"


def test_gbk_list_page_links_every_article(make_spider: SpiderFactory) -> None:
    spider = make_spider("demo-county")
    raw = fixture_response("county_list.html", f"{DEMO}/county/", "text/html")
    resp = EncodingMiddleware(spider.crawler).process_response(raw.request, raw)  # type: ignore[arg-type]
    _, requests = split(spider.parse(resp))
    assert sum("/county/article/" in r.url for r in requests) == 20
    assert any(r.url.endswith("/county/index_2.html") for r in requests)


# -- JSON APIs ----------------------------------------------------------------------------
def test_board_api_items_and_next_page(make_spider: SpiderFactory) -> None:
    spider = make_spider("demo-board")
    url = f"{DEMO}/board/api/messages?size=20&page=1"
    resp = fixture_response("board_page1.json", url, JSON)
    items, requests = split(
        spider.parse(resp, page=1, base_url=f"{DEMO}/board/api/messages?size=20", position=1)
    )
    assert len(items) == 5
    assert all(isinstance(i.published, int) and i.external_id and i.title for i in items)
    assert all(i.url and i.url.startswith(f"{DEMO}/board/message/") for i in items)
    assert [r.url for r in requests] == [f"{DEMO}/board/api/messages?size=20&page=2"]


def test_board_api_stops_at_an_empty_page(make_spider: SpiderFactory) -> None:
    spider = make_spider("demo-board")
    resp = fixture_response("board_empty.json", f"{DEMO}/board/api/messages?page=999", JSON)
    assert split(spider.parse(resp, page=3, position=999)) == ([], [])
    assert drops(spider) == {}


def test_board_api_stops_at_the_watermark(make_spider: SpiderFactory) -> None:
    spider = make_spider("demo-board")
    spider.cutoff = FIXTURE_NOW + timedelta(days=1)
    resp = fixture_response("board_page1.json", f"{DEMO}/board/api/messages?page=1", JSON)
    assert split(spider.parse(resp, page=1, position=1)) == ([], [])
    assert spider.crawler.stats.get_value("yuqing/skipped_settled") == 5


def test_weibo_search_items_and_end_of_results(make_spider: SpiderFactory) -> None:
    spider = make_spider("demo-weibo")
    base = f"{DEMO}/weibo/api/search?q=%E9%BD%90%E9%BD%90%E5%93%88%E5%B0%94"
    items, requests = split(
        spider.parse(fixture_response("weibo_search.json", base, JSON), base_url=base, position=1)
    )
    assert len(items) == 10 and len(requests) == 1 and "page=2" in requests[0].url
    assert all(
        i.title is None and i.text and i.external_id and i.reposts is not None for i in items
    )
    end = fixture_response("weibo_end.json", base + "&page=99", JSON)
    assert split(spider.parse(end, page=2, base_url=base, position=2)) == ([], [])
    assert drops(spider) == {}


def test_search_source_expands_every_keyword(make_spider: SpiderFactory) -> None:
    spider = make_spider("demo-weibo")
    urls = [spider.expand(t, k) for k in spider.keywords() for t in spider.source.start_urls]
    assert len(urls) == len(spider.source.keywords)
    assert f"{DEMO}/weibo/api/search?q=%E9%BD%90%E9%BD%90%E5%93%88%E5%B0%94" in urls


def test_search_source_keeps_the_first_sighting_only(make_spider: SpiderFactory) -> None:
    spider = make_spider("demo-weibo")
    base = f"{DEMO}/weibo/api/search?q=x"
    first, _ = split(spider.parse(fixture_response("weibo_search.json", base, JSON), base_url=base))
    again, _ = split(spider.parse(fixture_response("weibo_search.json", base, JSON), base_url=base))
    assert len(first) == 10 and again == []
    assert spider.crawler.stats.get_value("yuqing/search_overlap") == 10


def test_rules_keywords_come_from_rules_yaml(
    make_spider: SpiderFactory, crawl_config: Config
) -> None:
    cfg = with_sources(
        crawl_config,
        {
            "name": "rules-search",
            "kind": "feed",
            "start_urls": ["{demo}/s?q={keyword}"],
            "keywords": "rules",
        },
    )
    spider = make_spider("rules-search", cfg)
    assert spider.keywords() == list(cfg.rules.search_keywords)


def test_json_api_whose_shape_changed_is_a_page_drop(make_spider: SpiderFactory) -> None:
    spider = make_spider("demo-board")
    resp = fixture_response("json_changed.json", f"{DEMO}/faults/json-changed", JSON)
    assert split(spider.parse(resp)) == ([], [])
    assert drops(spider) == {"page:json_shape": 1}
    assert "data.list" in spider.crawler.stats.get_value("yuqing/error_messages")[0]


def test_json_api_answering_html_is_a_page_drop(make_spider: SpiderFactory) -> None:
    spider = make_spider("demo-board")
    resp = fixture_response("bad_date.html", f"{DEMO}/board/api/messages?page=1", JSON)
    assert split(spider.parse(resp)) == ([], [])
    assert drops(spider) == {"page:bad_json": 1}


# -- request failures -------------------------------------------------------------------
def _failure(exc: Exception) -> Failure:
    try:
        raise exc
    except Exception:
        return Failure()


@pytest.mark.parametrize(
    ("exc", "reason", "is_error"),
    [
        (HttpError(Response("http://x/", status=500), "500"), "page:http_500", True),
        (IgnoreRequest("Forbidden by robots.txt"), "page:robots", False),
        (IgnoreRequest("max redirections reached"), "page:redirect_loop", True),
        (
            RuntimeError(
                "Cancelling download of http://x/: received response size (9) larger "
                "than download max size (8)."
            ),
            "page:too_large",
            True,
        ),
        (TimeoutError("User timeout caused connection failure: timed out"), "page:timeout", True),
        (ConnectionRefusedError("refused"), "page:connection", True),
    ],
)
def test_failed_requests_are_classified(exc: Exception, reason: str, is_error: bool) -> None:
    assert page_reason(_failure(exc)) == (reason, is_error)


# -- issue 12: detail pages without selectors, selector lists, <base href> -------------------
ARTICLES = "articles/"


def _listing(make_spider: SpiderFactory, crawl_config: Config, **source: Any) -> Any:
    entry = {
        "name": "site",
        "kind": "listing",
        "start_urls": ["http://site.test/list"],
        "links": "a::attr(href)",
        **source,
    }
    return make_spider("site", with_sources(crawl_config, entry))


def test_detail_page_without_selectors_is_read_by_the_generic_extractor(
    make_spider: SpiderFactory, crawl_config: Config
) -> None:
    spider = _listing(make_spider, crawl_config)
    resp = fixture_response(ARTICLES + "news_site.html", "http://site.test/a/1.html")
    (item,), _ = split(spider.parse_detail(resp, {}))
    assert item.title == "市区三条道路下周起封闭施工"
    assert item.text and item.text.startswith("记者从市交通运输局获悉")
    assert item.published.year == 2026 and item.author == "鹤城日报"


def test_list_page_values_win_over_the_extractor(
    make_spider: SpiderFactory, crawl_config: Config
) -> None:
    spider = _listing(make_spider, crawl_config)
    resp = fixture_response(ARTICLES + "news_site.html", "http://site.test/a/1.html")
    (item,), _ = split(spider.parse_detail(resp, {"published": "2026-03-06 09:00"}))
    assert item.published == "2026-03-06 09:00"


def test_a_field_given_as_a_list_takes_the_first_non_empty_selector(
    make_spider: SpiderFactory, crawl_config: Config
) -> None:
    title = ["h1.nothing::text", "meta[property='og:title']::attr(content)", "h1::text"]
    spider = _listing(make_spider, crawl_config, fields={"title": title, "text": "div.post_text"})
    resp = fixture_response(ARTICLES + "news_site.html", "http://site.test/a/1.html")
    (item,), _ = split(spider.parse_detail(resp, {}))
    assert item.title == "市区三条道路下周起封闭施工"  # og:title, the second selector


def test_stored_url_honours_base_href(make_spider: SpiderFactory, crawl_config: Config) -> None:
    spider = _listing(make_spider, crawl_config, fields={"url": "link[rel=canonical]::attr(href)"})
    body = (
        b'<html><head><base href="http://mirror.site.test/news/">'
        b'<link rel="canonical" href="2026/0305/a1.html"><title>t</title></head>'
        b"<body><h1>t</h1><p>text</p></body></html>"
    )
    resp = HtmlResponse("http://site.test/a/1.html", body=body, encoding="utf-8")
    (item,), _ = split(spider.parse_detail(resp, {}))
    assert item.url == "http://mirror.site.test/news/2026/0305/a1.html"


def test_feed_article_without_selectors_keeps_the_feed_title_and_reads_the_page_text(
    make_spider: SpiderFactory, crawl_config: Config
) -> None:
    cfg = with_sources(
        crawl_config,
        {
            "name": "rss",
            "kind": "feed",
            "start_urls": ["http://site.test/rss"],
            "follow_links": True,
        },
    )
    spider = make_spider("rss", cfg)
    resp = fixture_response(ARTICLES + "news_site.html", "http://site.test/a/1.html")
    entry = {"title": "订阅源里的标题", "text": "摘要", "published": None, "author": None}
    (item,), _ = split(spider.parse_article(resp, entry))
    assert item.title == "订阅源里的标题"
    assert item.text and item.text.startswith("记者从市交通运输局获悉")
    assert item.published is not None and item.published.year == 2026


def test_source_time_zone_reaches_the_item(
    make_spider: SpiderFactory, crawl_config: Config
) -> None:
    spider = _listing(make_spider, crawl_config, timezone="Europe/Berlin")
    resp = fixture_response(ARTICLES + "dash_time.html", "http://site.test/a/2.html")
    (item,), _ = split(spider.parse_detail(resp, {}))
    assert item.timezone == "Europe/Berlin"
    assert item.published.utcoffset() == timedelta(hours=2)  # 2007-08-20, summer time
