"""Crawler test helpers: a config on a migrated SQLite database, spiders built without a crawl,
responses from the saved fixtures (pages of the demo site, see fixtures/README.md)."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from scrapy.http import HtmlResponse, Request, Response, TextResponse
from scrapy.utils.test import get_crawler
from sqlalchemy import select

from yuqing.config import Config, load
from yuqing.config.sources import SourcesFile
from yuqing.crawler.demo_site import DemoSite
from yuqing.crawler.loader import spider_class
from yuqing.crawler.runner import CrawlSummary
from yuqing.crawler.spiders import SourceSpider
from yuqing.crawler.together import crawl_together
from yuqing.store.db import upgrade
from yuqing.store.models import CrawlRun, Post, Source
from yuqing.store.session import Database

FIXTURES = Path(__file__).with_name("fixtures")
TZ = timezone(timedelta(hours=8))
# The demo site's clock when the fixtures were saved.
FIXTURE_NOW = datetime(2026, 11, 27, 17, 0, tzinfo=TZ)
DEMO = "http://demo.test"


@pytest.fixture(scope="session")
def _migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file per session; tests get copies (migrating takes ~1 s)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    db = Database(f"sqlite:///{path}")
    upgrade(db.engine)
    db.dispose()
    return path


@pytest.fixture(scope="session")
def _base_config() -> Config:
    return load(env={"YUQING_AUTHOR_HASH_KEY": "test-key"})


@pytest.fixture
def crawl_db(tmp_path: Path, _migrated_template: Path) -> Iterator[Database]:
    """A migrated SQLite database of this test's own."""
    path = tmp_path / "crawl.db"
    shutil.copyfile(_migrated_template, path)
    db = Database(f"sqlite:///{path}")
    yield db
    db.dispose()


@pytest.fixture
def crawl_config(tmp_path: Path, crawl_db: Database, _base_config: Config) -> Config:
    """The shipped config on a migrated SQLite database in a temporary data dir."""
    settings = _base_config.settings.model_copy(
        update={"data_dir": tmp_path / "var", "database_url": crawl_db.url}
    )
    return _base_config.model_copy(update={"settings": settings})


def with_sources(cfg: Config, *sources: dict[str, Any]) -> Config:
    """``cfg`` with extra (or replaced) sources, validated like sources.yaml entries."""
    extra = SourcesFile.model_validate({"sources": list(sources)}).sources
    names = {s.name for s in extra}
    merged = [s for s in cfg.sources.sources if s.name not in names] + list(extra)
    return cfg.model_copy(update={"sources": SourcesFile(sources=merged)})


SpiderFactory = Callable[..., Any]


@pytest.fixture
def make_spider(crawl_config: Config) -> SpiderFactory:
    def build(
        name: str, cfg: Config | None = None, now: datetime = FIXTURE_NOW, **settings: Any
    ) -> SourceSpider:
        config = cfg or crawl_config
        cls = spider_class(config.sources.get(name))
        crawler = get_crawler(
            cls,
            {
                "YUQING_CONFIG": config,
                "YUQING_DEMO_URL": DEMO,
                "YUQING_NOW": now.isoformat(),
                **settings,
            },
        )
        spider = cls.from_crawler(crawler)
        crawler.spider = spider
        return spider

    return build


def fixture_response(
    name: str,
    url: str,
    content_type: str | None = None,
    request: Request | None = None,
    cb_kwargs: dict[str, Any] | None = None,
) -> Response:
    """A response with a saved fixture's bytes, as Scrapy would build it."""
    body = (FIXTURES / name).read_bytes()
    headers = {"Content-Type": content_type} if content_type else {}
    req = request or Request(url, cb_kwargs=cb_kwargs or {})
    cls: type[Response]
    if content_type is None or "html" in content_type:
        cls = HtmlResponse
    elif content_type.startswith(
        ("text/", "application/json", "application/rss", "application/atom")
    ):
        cls = TextResponse
    else:
        cls = Response
    return cls(url=url, body=body, headers=headers, request=req)


# -- end to end: the demo site crawled by real crawl processes ---------------------------
DEMO_SOURCES = ["demo-board", "demo-forum", "demo-weibo", "demo-news", "demo-county"]
VARIANTS = ["demo-board-cursor", "demo-board-search"]
FAULT_SOURCES = ["faults", "faults-json"]
E2E_SETTINGS = {"YUQING_TAGGER": "off", "YUQING_RETRY_BACKOFF": "0.05"}
# Extra sources for the end-to-end crawl: the variants switched on, and two sources made of
# the demo site's fault pages (each page a different kind of bad input).
USER_SOURCES = """
sources:
  - {name: demo-board-cursor, enabled: true}
  - {name: demo-board-search, enabled: true}
  - name: faults
    kind: listing
    start_urls: ["{demo}/faults/"]
    links: ul.faults a::attr(href)
    fields:
      title: h1.article-title::text, h2.detail-title::text
      text: div.article-content, div.detail-content
      published: span.pub-time::text
    required: [title, text]
    download_delay: 0
    retries: 2
  - name: faults-json
    kind: jsonapi
    start_urls: ["{demo}/faults/json-changed", "{demo}/board/api/messages?size=5"]
    items: data.list
    fields: {external_id: tid, url: url, title: title, text: content, published: createTime}
    time_format: epoch
    max_pages: 1
    download_delay: 0
  - name: slow
    kind: listing
    start_urls: ["{demo}/faults/slow?seconds=10"]
    links: a::attr(href)
  - name: unreachable
    kind: feed
    start_urls: ["http://127.0.0.1:9/rss.xml"]
    retries: 0
"""


@dataclass
class Crawled:
    """The outcome of one crawl of every demo and fault source."""

    site: DemoSite
    config: Config
    db: Database
    summaries: dict[str, CrawlSummary]

    def posts(self, source: str) -> list[Post]:
        with self.db.session() as s:
            rows = (
                s.execute(
                    select(Post)
                    .join(Source, Source.id == Post.source_id)
                    .where(Source.name == source)
                )
                .scalars()
                .all()
            )
            s.expunge_all()
            return list(rows)

    def run(self, source: str) -> CrawlRun:
        with self.db.session() as s:
            row = s.get(CrawlRun, self.summaries[source].run_id)
            assert row is not None
            s.expunge(row)
            return row

    def visible(self, channel: str) -> list[dict[str, Any]]:
        """The posts the site shows now in ``channel`` (with their ground truth)."""
        return [dict(i.post) for i in self.site.state.listing(channel)]


@pytest.fixture(scope="session")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawled]:
    root = tmp_path_factory.mktemp("e2e")
    (root / "config").mkdir()
    (root / "config" / "sources.yaml").write_text(USER_SOURCES, encoding="utf-8")
    db_url = f"sqlite:///{root / 'e2e.db'}"
    config = load(
        root / "config",
        overrides={"data_dir": str(root / "var"), "database_url": db_url},
        env={"YUQING_AUTHOR_HASH_KEY": "e2e-key"},
    )
    db = Database(db_url)
    upgrade(db.engine)
    with DemoSite(live=True, release_interval=3600) as site:
        summaries = crawl_together(
            config,
            DEMO_SOURCES + VARIANTS + FAULT_SOURCES,
            demo_url=site.base_url,
            timeout=240,
            settings=E2E_SETTINGS,
        )
        yield Crawled(site, config, db, {s.source: s for s in summaries})
    db.dispose()
