"""RSS 2.0 and Atom feeds; with ``follow_links`` each entry's article page is read with the
source's ``article`` selectors (the feed's title, summary and date are the fallbacks, and the
generic article extractor reads what neither gives: :mod:`yuqing.crawler.article`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from parsel import Selector
from scrapy.http import Response

from yuqing.crawler.extract import canonical_url, html_fields, join_url, parse_count
from yuqing.crawler.spiders.base import SourceSpider
from yuqing.store.posts import dedup_key

# After namespaces are removed, RSS and Atom elements read alike.
ENTRY = "//item | //entry"
FEED_FIELDS = {
    "title": "title/text()",
    "link": "link[not(@rel) or @rel='alternate']/@href | link/text()",
    "external_id": "guid/text() | id/text()",
    "published": "pubDate/text() | published/text() | date/text() | updated/text()",
    "author": "author/name/text() | author/text() | creator/text()",
    "text": "encoded/text() | content/text() | description/text() | summary/text()",
}


def _first(entry: Selector, xpath: str) -> str | None:
    for value in entry.xpath(xpath).getall():
        if value.strip():
            return value.strip()
    return None


class FeedSpider(SourceSpider):
    kind = "feed"

    def parse(self, response: Response, page: int = 1) -> Iterator[Any]:
        resp = self.text_response(response)
        if resp is None:
            return
        feed = Selector(text=resp.text, type="xml")
        feed.remove_namespaces()
        entries = feed.xpath(ENTRY)
        if not entries:
            self.page_drop("page:no_entries", resp.url, "no <item> or <entry> in the feed")
            return
        self.crawler.stats.inc_value("yuqing/listed", len(entries))
        for entry in entries:
            values = {name: _first(entry, xpath) for name, xpath in FEED_FIELDS.items()}
            link = values.pop("link")
            url = join_url(resp, link) if link else None
            if self.cutoff is not None and self.is_settled(
                self.when(values.get("published")),
                dedup_key(values.get("external_id"), canonical_url(url or "")),
            ):
                self.crawler.stats.inc_value("yuqing/skipped_settled")
                continue
            if self.source.follow_links and url:
                yield self.request(url, self.parse_article, cb_kwargs={"entry": values})
                continue
            item = self.new_item(url=url, found_on=resp.url, **values)
            if self.first_sighting(item):
                yield item

    def parse_article(self, response: Response, entry: dict[str, Any]) -> Iterator[Any]:
        resp = self.html_response(response)
        if resp is None:
            return
        values = html_fields(resp, self.fields(self.source.article))
        merged = self.with_article(resp, values, entry)
        counts = {k: parse_count(merged.pop(k, None)) for k in ("replies", "likes", "reposts")}
        link = merged.pop("url", None)
        item = self.new_item(
            url=join_url(resp, link) if link else resp.url, found_on=resp.url, **merged, **counts
        )
        if self.first_sighting(item):
            yield item
