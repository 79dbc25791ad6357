"""What keeps the crawl process's CPU per page down, and what it must not change: the
garbage-collector extension, the engine settings (spider middlewares, shared with the bench's
bare baseline), the log messages made only when shown, parsed pages freed with their
response, JMESPath field paths, XPath prefixes, reply floors read text first."""

from __future__ import annotations

import gc
import logging
import weakref
from collections.abc import Iterator
from typing import Any

import jmespath
import pytest
from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse, Request
from scrapy.settings import Settings
from scrapy.signalmanager import SignalManager
from scrapy.utils.conf import build_component_list
from scrapy.utils.test import get_crawler

from bench.crawl import bare
from tests.crawler.conftest import DEMO, SpiderFactory, fixture_response
from yuqing.crawler import settings as project
from yuqing.crawler.extract import (
    _FieldPath,
    _jmespath,
    html_fields,
    json_path,
    nodes,
    root,
    values,
)
from yuqing.crawler.gcfreeze import GcFreeze
from yuqing.crawler.health import QuietLogFormatter, ScrapedCounter, would_log
from yuqing.crawler.items import PostItem
from yuqing.crawler.middlewares import DepthWhenLimited
from yuqing.nlp.normalize import clean_text

GC_EXTENSION = "yuqing.crawler.gcfreeze.GcFreeze"


def project_settings() -> Settings:
    settings = Settings()
    settings.setmodule(project)
    return settings


@pytest.fixture
def gc_state() -> Iterator[None]:
    """The test process's collector as it was (thresholds, nothing frozen)."""
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


# -- garbage collection -------------------------------------------------------------------
def test_gc_extension_is_enabled_for_every_crawl() -> None:
    extensions = build_component_list(project_settings().getwithbase("EXTENSIONS"))
    assert GC_EXTENSION in extensions


def bare_crawler(settings: dict[str, Any]) -> Crawler:
    """A crawler whose signals reach only what the test connects."""
    crawler = get_crawler(Spider, settings)
    crawler.signals = SignalManager(object())
    return crawler


def test_gc_extension_freezes_start_up_and_raises_the_threshold(gc_state: None) -> None:
    crawler = bare_crawler({"YUQING_GC_THRESHOLD": 12_345})
    gc.unfreeze()
    ext = GcFreeze.from_crawler(crawler)  # signals hold their receivers weakly
    assert gc.get_freeze_count() > 0  # what start-up made is out of the collector's sight
    assert gc.get_threshold()[0] != 12_345  # the crawl's threshold applies once it runs
    crawler.signals.send_catch_log(signal=signals.engine_started)
    assert gc.get_threshold()[0] == 12_345
    del ext


def test_gc_threshold_zero_keeps_pythons(gc_state: None) -> None:
    before = gc.get_threshold()
    crawler = bare_crawler({"YUQING_GC_THRESHOLD": 0})
    ext = GcFreeze.from_crawler(crawler)
    crawler.signals.send_catch_log(signal=signals.engine_started)
    assert gc.get_threshold() == before
    assert ext.threshold == 0


def test_gc_extension_can_be_switched_off(gc_state: None) -> None:
    gc.unfreeze()
    with pytest.raises(NotConfigured):
        GcFreeze.from_crawler(get_crawler(Spider, {"YUQING_GC_FREEZE": "off"}))
    assert gc.get_freeze_count() == 0


# -- engine settings ----------------------------------------------------------------------
def test_spider_middlewares_keep_what_protects_the_crawl() -> None:
    enabled = build_component_list(project_settings().getwithbase("SPIDER_MIDDLEWARES"))
    for kept in ("httperror.HttpErrorMiddleware", "referer.RefererMiddleware"):
        assert f"scrapy.spidermiddlewares.{kept}" in enabled
    for kept in ("urllength.UrlLengthMiddleware", "start.StartSpiderMiddleware"):
        assert f"scrapy.spidermiddlewares.{kept}" in enabled
    assert "scrapy.spidermiddlewares.depth.DepthMiddleware" not in enabled
    assert "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware" not in enabled
    assert "yuqing.crawler.middlewares.DepthWhenLimited" in enabled


def test_depth_is_tracked_only_when_a_depth_setting_asks_for_it() -> None:
    with pytest.raises(NotConfigured):
        DepthWhenLimited.from_crawler(get_crawler(Spider, {}))
    crawler = get_crawler(Spider, {"DEPTH_LIMIT": 1})
    mw = DepthWhenLimited.from_crawler(crawler)
    page = HtmlResponse("http://x/", body=b"", request=Request("http://x/", meta={"depth": 1}))
    assert list(mw.process_spider_output(page, [Request("http://x/a")])) == []  # depth 2 > 1
    assert crawler.stats is not None
    assert crawler.stats.get_value("depth/request_ignored_count") == 1


def test_bare_baseline_runs_with_the_crawls_engine_and_gc_settings() -> None:
    settings = bare.crawl_settings(scrapy_defaults=False)
    for key in bare.ENGINE_SETTINGS:
        assert settings[key] == getattr(project, key), key
    assert GC_EXTENSION in settings["EXTENSIONS"]
    defaults = bare.crawl_settings(scrapy_defaults=True)
    assert not set(bare.ENGINE_SETTINGS) & set(defaults) and "EXTENSIONS" not in defaults


def test_scraped_items_are_counted_by_the_last_pipeline_not_a_signal() -> None:
    crawler = get_crawler(Spider)
    assert crawler.stats is not None
    counter = ScrapedCounter.from_crawler(crawler)
    crawler.signals.send_catch_log(signal=signals.item_scraped, item={}, spider=Spider("x"))
    assert crawler.stats.get_value("item_scraped_count") is None  # CoreStats no longer counts
    counter.process_item({})
    counter.process_item({})
    assert crawler.stats.get_value("item_scraped_count") == 2
    without_core = {"EXTENSIONS": {"scrapy.extensions.corestats.CoreStats": None}}
    with pytest.raises(NotConfigured):  # nothing to take over
        ScrapedCounter.from_crawler(get_crawler(Spider, without_core))


def test_scraped_counter_is_the_last_pipeline_even_with_none_configured() -> None:
    settings = project_settings()
    for configured in (project.ITEM_PIPELINES, {}):
        settings.set("ITEM_PIPELINES", configured, priority="cmdline")
        pipelines = build_component_list(settings.getwithbase("ITEM_PIPELINES"))
        assert pipelines[-1] == "yuqing.crawler.health.ScrapedCounter"


# -- log messages -------------------------------------------------------------------------
@pytest.fixture
def quiet_logger() -> Iterator[logging.Logger]:
    parent = logging.getLogger("tests.wouldlog")
    child = logging.getLogger("tests.wouldlog.child")
    parent.propagate = False
    parent.setLevel(logging.DEBUG)
    yield child
    parent.propagate = True
    parent.setLevel(logging.NOTSET)
    child.setLevel(logging.NOTSET)


def test_would_log_follows_levels_and_handlers(
    quiet_logger: logging.Logger, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = quiet_logger.name
    parent = logging.getLogger("tests.wouldlog")
    monkeypatch.setattr(parent, "handlers", [])  # not even pytest's capture
    assert not would_log(name, logging.DEBUG)  # no handler (the last resort shows WARNING)
    assert would_log(name, logging.WARNING)
    info = logging.NullHandler()
    info.setLevel(logging.INFO)
    parent.addHandler(info)
    assert not would_log(name, logging.DEBUG) and would_log(name, logging.INFO)
    quiet_logger.setLevel(logging.WARNING)
    assert not would_log(name, logging.INFO)


def test_page_and_item_messages_are_made_only_when_shown(
    caplog: pytest.LogCaptureFixture,
) -> None:
    formatter, spider = QuietLogFormatter(), Spider("x")
    request = Request("http://x/")
    page = HtmlResponse("http://x/", body=b"", request=request)
    caplog.set_level(logging.INFO)
    assert formatter.crawled(request, page, spider) is None
    assert formatter.scraped({"a": 1}, page, spider) is None
    caplog.set_level(logging.DEBUG)
    assert formatter.crawled(request, page, spider)["level"] == logging.DEBUG
    assert formatter.scraped({"a": 1}, page, spider)["level"] == logging.DEBUG


# -- extraction ---------------------------------------------------------------------------
def test_a_parsed_page_is_freed_with_its_response() -> None:
    """Regression: response.selector references its response back; the cycle kept every
    page's tree alive until a full collection (+40 MB in a crawl of the demo site)."""
    page = HtmlResponse("http://x/", body="<h1>标题</h1>".encode(), encoding="utf-8")
    assert values(page, "h1::text") == ["标题"]
    assert root(page) is root(page)  # parsed once
    ref = weakref.ref(page)
    gc.disable()
    try:
        del page
        assert ref() is None  # freed by reference counting alone
    finally:
        gc.enable()


JSON_DATA: list[Any] = [
    {"tid": 7, "mblog": {"user": {"screen_name": "鹤城"}, "id": "m1"}},
    {"mblog": None},
    {"mblog": "text"},
    {"mblog": {"user": [1, 2]}},
    [{"tid": 1}],
    "tid",
    None,
]


@pytest.mark.parametrize("data", JSON_DATA)
@pytest.mark.parametrize("expression", ["tid", "mblog.id", "mblog.user.screen_name"])
def test_field_paths_read_as_jmespath_reads_them(data: Any, expression: str) -> None:
    assert isinstance(_jmespath(expression), _FieldPath)  # the fast path
    assert json_path(data, expression) == jmespath.search(expression, data)


def test_other_jmespaths_use_jmespath() -> None:
    data = {"data": {"cards": [{"card_type": 9, "id": 1}, {"card_type": 11}]}}
    expression = "data.cards[?card_type==`9`].id"
    assert not isinstance(_jmespath(expression), _FieldPath)
    assert json_path(data, expression) == [1]


def test_xpath_selectors_keep_exslt_prefixes() -> None:
    body = b'<a href="/t/1">a</a><a href="/u/2">b</a><a href="/t/3">c</a>'
    page = HtmlResponse("http://x/", body=body, encoding="utf-8")
    assert values(page, "xpath://a[re:test(@href, '^/t/')]/@href") == ["/t/1", "/t/3"]
    assert values(page, "xpath:set:difference(//a, //a[2])/text()") == ["a", "c"]
    assert values(page, "a::attr(href)") == ["/t/1", "/u/2", "/t/3"]


def test_reply_floors_read_text_first_give_what_a_full_read_gives(
    make_spider: SpiderFactory,
) -> None:
    spider: Any = make_spider("demo-forum")
    url = f"{DEMO}/forum/thread/5"
    page = fixture_response("forum_thread.html", url)
    cfg = spider.source.replies
    full = [html_fields(floor, cfg.fields) for floor in nodes(page, cfg.item)]
    kept = [f for f in full if len(clean_text(f.get("text"))) >= cfg.min_chars]
    assert 0 < len(kept) < len(full)
    items = [i for i in spider.parse_replies(page, url, None, 1) if isinstance(i, PostItem)]
    got = [(i.text, i.author, i.published, i.external_id) for i in items]
    assert got == [(f["text"], f["author"], f["published"], f["external_id"]) for f in kept]
    assert spider.crawler.stats.get_value("yuqing/short_replies") == len(full) - len(kept)


def test_first_crawl_leaves_entry_times_to_the_validate_stage(
    make_spider: SpiderFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a watermark nothing is settled: the spider does not read times for it."""
    spider: Any = make_spider("demo-forum")
    assert spider.cutoff is None

    def when(*args: Any) -> None:
        raise AssertionError("when() called without a cut-off")

    monkeypatch.setattr(spider, "when", when)
    out = list(spider.parse(fixture_response("forum_list.html", f"{DEMO}/forum/")))
    assert len([r for r in out if isinstance(r, Request)]) > 1
