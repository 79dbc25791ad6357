"""What every component of one crawl process shares: the configuration, the database, the
time zone, "now", the demo site's URL and the author-hash key (each made once, lazily)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from yuqing.config import Config, load
from yuqing.config.settings import author_hash_key
from yuqing.config.sources import AnySource
from yuqing.crawler.errors import CrawlError
from yuqing.store.session import Database

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

_ATTR = "_yuqing_context"
_CONFIG_CACHE: dict[str, Config] = {}


@dataclass
class CrawlContext:
    config: Config
    demo_url: str = ""
    fixed_now: datetime | None = None
    _database: Database | None = field(default=None, repr=False)
    _key: bytes | None = field(default=None, repr=False)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.config.settings.timezone)

    def now(self) -> datetime:
        if self.fixed_now is not None:
            return self.fixed_now.astimezone(self.tz)
        return datetime.now(self.tz)

    def database(self) -> Database:
        if self._database is None:
            self._database = Database.from_settings(self.config.settings)
            self._database.check_schema()
        return self._database

    def author_key(self) -> bytes:
        if self._key is None:
            self._key = author_hash_key(self.config.secrets, self.config.settings.data_dir)
        return self._key

    def source(self, name: str) -> AnySource:
        try:
            return self.config.sources.get(name)
        except KeyError:
            raise CrawlError(f"no source named {name!r} in sources.yaml") from None

    def close(self) -> None:
        if self._database is not None:
            self._database.dispose()
            self._database = None


def load_config() -> Config:
    """The configuration as the environment describes it (cached per config dir)."""
    key = os.environ.get("YUQING_CONFIG_DIR", "")
    if key not in _CONFIG_CACHE:
        _CONFIG_CACHE[key] = load()
    return _CONFIG_CACHE[key]


def context_for(crawler: Crawler) -> CrawlContext:
    """The crawl's context, made on first use from the crawler's settings."""
    ctx: CrawlContext | None = getattr(crawler, _ATTR, None)
    if ctx is None:
        ctx = make_context(crawler.settings)
        setattr(crawler, _ATTR, ctx)
    return ctx


def make_context(settings: Any) -> CrawlContext:
    config = settings.get("YUQING_CONFIG") or load_config()
    now_text = settings.get("YUQING_NOW") or ""
    fixed = None
    if now_text:
        try:
            fixed = datetime.fromisoformat(now_text)
        except ValueError as exc:
            raise CrawlError(f"YUQING_NOW: invalid ISO time {now_text!r}") from exc
    demo = settings.get("YUQING_DEMO_URL") or os.environ.get("YUQING_DEMO_URL", "")
    return CrawlContext(config=config, demo_url=demo.rstrip("/"), fixed_now=fixed)
