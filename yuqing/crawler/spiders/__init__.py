"""Spider kinds: one class per kind; the loader makes one subclass per configured source."""

from __future__ import annotations

from yuqing.crawler.spiders.base import SourceSpider
from yuqing.crawler.spiders.feed import FeedSpider
from yuqing.crawler.spiders.jsonapi import JsonApiSpider
from yuqing.crawler.spiders.listing import ListingSpider

KINDS: dict[str, type[SourceSpider]] = {
    "feed": FeedSpider,
    "listing": ListingSpider,
    "jsonapi": JsonApiSpider,
}

__all__ = ["KINDS", "FeedSpider", "JsonApiSpider", "ListingSpider", "SourceSpider"]
