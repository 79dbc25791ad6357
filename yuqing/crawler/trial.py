"""``yuqing sources try``: one source's extraction on one page (or the first few), in-process,
without storing or tagging (issue 12).

The page goes through the code a crawl runs: the source's spider class (the same callbacks),
Scrapy's OffsiteMiddleware and our EncodingMiddleware, then the validate and normalize
pipeline stages. Nothing is written: no crawl run, no watermark, no store worker, no tagger
(the spider is built with ``YUQING_WATERMARK=False``; the normalize stage gets a throw-away
author key). Pages come from a saved file or over HTTP (:mod:`yuqing.crawler.trial_fetch`,
robots.txt obeyed as the crawl obeys it).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.offsite import OffsiteMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response, TextResponse
from scrapy.responsetypes import responsetypes
from scrapy.settings import Settings
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from yuqing.config import Config
from yuqing.config.sources import AnySource, SourcesFile
from yuqing.crawler.context import context_for
from yuqing.crawler.items import PostItem
from yuqing.crawler.loader import spider_class
from yuqing.crawler.middlewares import EncodingMiddleware
from yuqing.crawler.pipelines import Drop, Stage
from yuqing.crawler.spiders import SourceSpider

RAW_FIELDS = ("url", "title", "published", "author", "text", "external_id")
COUNTS = ("replies", "likes", "reposts")
# The callback a saved page is read with when it is a detail (article, thread) page.
DEDUPE = "yuqing.crawler.pipelines.DedupePipeline"
DETAIL_CALLBACKS = {"listing": "parse_detail", "feed": "parse_article", "jsonapi": "parse_detail"}

Fetch = Callable[[Request, AnySource], Response]


@dataclass
class TrialItem:
    """One post as the page gave it, and what the pipeline stages made of it."""

    found_on: str
    raw: dict[str, Any]
    counts: dict[str, int | None]
    title: str = ""
    text: str = ""
    url: str | None = None
    published_at: datetime | None = None
    drop: str | None = None
    drop_detail: str = ""

    @property
    def kept(self) -> bool:
        return self.drop is None


@dataclass
class TrialPage:
    url: str
    callback: str
    status: int = 200
    encoding: str | None = None
    declared: str | None = None
    origin: str = ""  # "file PATH" or "HTTP"
    items: list[TrialItem] = field(default_factory=list)
    follow: list[tuple[str, str]] = field(default_factory=list)  # (url, callback)
    offsite: list[str] = field(default_factory=list)
    drops: list[tuple[str, str, str]] = field(default_factory=list)  # (reason, url, message)


@dataclass
class TrialResult:
    source: AnySource
    pages: list[TrialPage] = field(default_factory=list)
    not_fetched: int = 0  # follow-up requests beyond the limit
    unread_posts: int = 0  # ... of them, detail pages (where posts would come from)

    @property
    def items(self) -> list[TrialItem]:
        return [i for p in self.pages for i in p.items]

    @property
    def stored(self) -> int:
        return sum(1 for i in self.items if i.kept)

    @property
    def failed(self) -> bool:
        """Nothing would be stored, and no detail page left unread could change that."""
        return self.stored == 0 and self.unread_posts == 0

    def drop_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for page in self.pages:
            for reason, _, _ in page.drops:
                counts[reason] = counts.get(reason, 0) + 1
            for item in page.items:
                if item.drop:
                    counts[item.drop] = counts.get(item.drop, 0) + 1
        return dict(sorted(counts.items()))


def load_source_yaml(path: Path, name: str | None) -> AnySource:
    """The source ``name`` (or the only one) of a YAML file holding ``sources:`` entries or a
    single source mapping, validated like sources.yaml."""
    from yuqing.config.errors import ConfigError
    from yuqing.config.loader import read_yaml

    data = read_yaml(path)
    entries = data.get("sources") if "sources" in data else [data]
    try:
        sources = SourcesFile.model_validate({"sources": entries}).sources
    except ValueError as exc:
        first = str(exc).splitlines()
        raise ConfigError(str(path), "", " ".join(first[1:3]) or str(exc)) from None
    if name is None:
        if len(sources) != 1:
            names = ", ".join(s.name for s in sources)
            raise ConfigError(str(path), "", f"holds {len(sources)} sources ({names}): name one")
        return sources[0]
    for source in sources:
        if source.name == name:
            return source
    raise ConfigError(str(path), "", f"no source named {name!r}")


def with_source(config: Config, source: AnySource) -> Config:
    others = [s for s in config.sources.sources if s.name != source.name]
    return config.model_copy(update={"sources": SourcesFile(sources=[*others, source])})


def build_spider(
    config: Config, source: AnySource, demo_url: str = "", now: datetime | None = None
) -> SourceSpider:
    """The source's spider as a crawl builds it, on a crawler that is never started."""
    settings = Settings()
    settings.setmodule("yuqing.crawler.settings", priority="project")
    settings.setdict(
        {
            "YUQING_CONFIG": with_source(config, source),
            "YUQING_WATERMARK": False,
            "YUQING_DEMO_URL": demo_url,
            "YUQING_NOW": now.isoformat() if now else "",
            "TWISTED_REACTOR_ENABLED": False,
            "LOG_ENABLED": False,
        },
        priority="cmdline",
    )
    cls = spider_class(source)
    crawler = Crawler(cls, settings, init_reactor=False)
    crawler._apply_settings()
    ctx = context_for(crawler)
    ctx._key = b"sources-try"  # author hashes are never kept: no key file is made
    spider = cls.from_crawler(crawler)
    crawler.spider = spider
    return spider


def checking_stages(crawler: Crawler) -> list[Any]:
    """The item pipeline stages a crawl runs before the dedupe stage (validate, normalize,
    and any check added between them), built and opened as the crawl builds them. The
    dedupe, tag and store stages need the database and the tagger: ``try`` stops short."""
    from scrapy.utils.conf import build_component_list
    from scrapy.utils.misc import build_from_crawler, load_object

    settings = crawler.settings
    order = {**settings.getdict("ITEM_PIPELINES_BASE"), **settings.getdict("ITEM_PIPELINES")}
    limit = order.get(DEDUPE, order.get(load_object(DEDUPE), 300))
    stages = []
    for path in build_component_list(settings.getwithbase("ITEM_PIPELINES")):
        cls = load_object(path)
        priority = order.get(path, order.get(cls))
        if priority is None or priority >= limit or not issubclass(cls, Stage):
            continue
        stage = build_from_crawler(cls, crawler)
        if hasattr(stage, "open_spider"):
            stage.open_spider()
        stages.append(stage)
    return stages


class Trial:
    """Runs pages through one spider and the validate/normalize stages."""

    def __init__(self, spider: SourceSpider, fetch: Fetch | None, limit: int) -> None:
        self.spider = spider
        self.fetch = fetch
        self.limit = limit
        crawler = spider.crawler
        self.offsite = OffsiteMiddleware(crawler.stats)
        self.offsite.crawler = crawler
        self.offsite.spider_opened(spider)
        self.encoding = EncodingMiddleware(crawler)
        self.stages = checking_stages(crawler)
        self.seen: set[str] = set()
        self.result = TrialResult(spider.source)
        self._page: TrialPage | None = None
        original = spider.page_drop

        def page_drop(reason: str, url: str, message: str, is_error: bool = True) -> None:
            if self._page is not None:
                self._page.drops.append((reason, url, message))
            original(reason, url, message, is_error)

        spider.page_drop = page_drop  # type: ignore[method-assign]

    def allow_host(self, url: str) -> None:
        """A page given by URL is on the site for this try, even when the source's start
        URLs are elsewhere (a saved copy read as if it came from the real site)."""
        host = urlsplit(url).hostname
        domains = list(self.spider.allowed_domains)
        if host and domains and not any(host == d or host.endswith(f".{d}") for d in domains):
            self.spider.allowed_domains = [*domains, host]
            self.offsite.spider_opened(self.spider)

    # -- pages ------------------------------------------------------------------------------
    def run_response(self, response: Response, callback: str, origin: str, **kwargs: Any) -> None:
        """Read one page with the named callback; follow-ups are queued, not fetched."""
        page = TrialPage(url=response.url, callback=callback, status=response.status, origin=origin)
        self.result.pages.append(page)
        self._page = page
        request = response.request or Request(response.url)
        if isinstance(response, TextResponse):
            page.declared = response.encoding
            response = self.encoding.process_response(request, response)
            page.encoding = getattr(response, "encoding", None)
        if response.status >= 400:
            failure = Failure(HttpError(response, "Ignoring non-200 response"))
            failure.request = request  # type: ignore[attr-defined]
            self.spider.on_error(failure)
            return
        outputs = getattr(self.spider, callback)(response, **kwargs)
        self._collect(page, outputs or ())

    def _collect(self, page: TrialPage, outputs: Iterable[Any]) -> None:
        for out in outputs:
            if isinstance(out, Request):
                try:
                    self.offsite.process_request(out)
                except IgnoreRequest as exc:
                    page.offsite.append(out.url)
                    self.spider.page_drop("page:offsite", out.url, str(exc), False)
                    continue
                name = getattr(out.callback, "__name__", "parse")
                page.follow.append((out.url, name))
                self.pending.append(out)
            elif isinstance(out, PostItem):
                page.items.append(self._item(out))

    def _item(self, item: PostItem) -> TrialItem:
        raw = {name: getattr(item, name) for name in RAW_FIELDS}
        out = TrialItem(
            found_on=item.found_on or "", raw=raw, counts={n: getattr(item, n) for n in COUNTS}
        )
        work = copy.copy(item)
        try:
            for stage in self.stages:
                stage.process_item(work)
        except Drop as exc:
            out.drop, out.drop_detail = exc.reason, str(exc)
            return out
        out.title, out.text, out.url = work.title or "", work.text or "", work.url
        out.published_at = work.published_at
        key = f"{work.source}|{work.key}"
        if key in self.seen:
            out.drop, out.drop_detail = "duplicate", "seen earlier in this try"
        self.seen.add(key)
        return out

    def _unread(self) -> None:
        self.result.not_fetched = len(self.pending)
        self.result.unread_posts = sum(
            1 for r in self.pending if getattr(r.callback, "__name__", "parse") != "parse"
        )

    # -- driving ----------------------------------------------------------------------------
    pending: list[Request]

    def start(self) -> list[Request]:
        """The source's start requests (``{demo}`` and ``{keyword}`` filled in; the first
        keyword only, for a search source)."""
        spider = self.spider
        keyword = spider.keywords()[0]
        out: list[Request] = []
        for template in spider.source.start_urls:
            out.extend(spider.first_requests(spider.expand(template, keyword), keyword))
        return out

    def crawl(self, requests: list[Request]) -> TrialResult:
        """Fetch ``requests``, then follow-ups breadth first, up to ``limit`` pages in all."""
        assert self.fetch is not None
        self.pending = list(requests)
        fetched = 0
        while self.pending and fetched < self.limit:
            request = self.pending.pop(0)
            fetched += 1
            response = self.fetch(request, self.spider.source)
            if response.status == 0:  # not fetched (robots.txt, connection): already said why
                page = TrialPage(url=request.url, callback="-", status=0, origin="HTTP")
                reason = response.meta.get("reason", "page:connection")
                page.drops.append((reason, request.url, response.meta.get("message", "")))
                self.result.pages.append(page)
                continue
            callback = getattr(request.callback, "__name__", "parse")
            self.run_response(response, callback, "HTTP", **request.cb_kwargs)
        self._unread()
        return self.result

    def read_file(self, path: Path, url: str, detail: bool) -> TrialResult:
        self.pending = []
        body = path.read_bytes()
        cls = responsetypes.from_args(filename=str(path), body=body)
        request = Request(url)
        response = cls(url=url, body=body, request=request)
        callback = DETAIL_CALLBACKS[self.spider.source.kind] if detail else "parse"
        kwargs = detail_kwargs(self.spider, url) if detail else {}
        self.run_response(response, callback, f"file {path}", **kwargs)
        self._unread()
        return self.result


def detail_kwargs(spider: SourceSpider, url: str) -> dict[str, Any]:
    """What a detail callback gets besides the page, for a page read on its own: nothing
    from a list entry, feed entry or API item."""
    kind = spider.source.kind
    if kind == "listing":
        return {"listed": {}}
    if kind == "feed":
        return {"entry": {}}
    return {"item": spider.new_item(url=url, found_on=url)}


def try_source(
    config: Config,
    source: AnySource,
    *,
    file: Path | None = None,
    url: str | None = None,
    detail: bool = False,
    limit: int = 3,
    demo_url: str = "",
    now: datetime | None = None,
    fetch: Fetch | None = None,
) -> TrialResult:
    """Run ``source`` on a saved page (``file``, read as if fetched from ``url`` or the first
    start URL), on ``url``, or on its start URLs; at most ``limit`` pages are fetched."""
    spider = build_spider(config, source, demo_url, now)
    if fetch is None and file is None:
        from yuqing.crawler.trial_fetch import Fetcher

        fetch = Fetcher(spider).fetch
    trial = Trial(spider, fetch, limit)
    if url is not None:
        trial.allow_host(url)
    if file is not None:
        base = url or (trial.start()[0].url if source.start_urls else "http://localhost/")
        return trial.read_file(file, base, detail)
    if url is not None:
        if detail:
            cb = getattr(spider, DETAIL_CALLBACKS[source.kind])
            kwargs = detail_kwargs(spider, url)
            request = spider.request(url, cb, dont_filter=True, cb_kwargs=kwargs)
            return trial.crawl([request])
        return trial.crawl(list(spider.first_requests(url, spider.keywords()[0])))
    return trial.crawl(trial.start())
