"""Scrapy's SPIDER_LOADER_CLASS for yuqing: spiders come from config/sources.yaml.

``scrapy list`` prints every configured source; ``scrapy crawl <source>`` runs the spider class
of the source's kind (feed, listing, jsonapi) as a subclass named after the source, with the
source's politeness settings as its custom settings.
"""

from __future__ import annotations

import builtins
import logging
from typing import Any

from scrapy import Request, Spider

from yuqing import lifeline
from yuqing.config import Config
from yuqing.config.sources import AnySource
from yuqing.crawler.context import load_config
from yuqing.crawler.spiders import KINDS, SourceSpider
from yuqing.crawler.spiders.base import settings_for

log = logging.getLogger(__name__)


def spider_class(source: AnySource) -> type[SourceSpider]:
    """A spider class for one source (its ``name`` is the source's name)."""
    base = KINDS[source.kind]
    attrs: dict[str, Any] = {
        "name": source.name,
        "source_name": source.name,
        "custom_settings": settings_for(source),
        "__module__": base.__module__,
    }
    cls_name = "".join(p.capitalize() for p in source.name.replace(".", "-").split("-")) or "Src"
    return type(f"{cls_name}Spider", (base,), attrs)


class SourceSpiderLoader:
    def __init__(self, config: Config) -> None:
        self.config = config
        self._sources = {s.name: s for s in config.sources.sources}

    @classmethod
    def from_settings(cls, settings: Any) -> SourceSpiderLoader:
        lifeline.die_with_parent()  # in a crawl process started by the runner (issue 14)
        config = settings.get("YUQING_CONFIG") or load_config()
        return cls(config)

    def load(self, spider_name: str) -> type[Spider]:
        try:
            source = self._sources[spider_name]
        except KeyError:
            raise KeyError(f"Spider not found: {spider_name}") from None
        return spider_class(source)

    def list(self) -> list[str]:
        return list(self._sources)

    def find_by_request(self, request: Request) -> builtins.list[str]:
        return []
