"""HTML list page → detail pages, by CSS/XPath selectors; forum threads with reply pages.

List page: ``item`` (optional) selects each entry, ``links`` its detail URL, ``list_fields``
values read there (a time there lets paging stop at the watermark without fetching details),
``next_page`` the next list page. Detail page: ``fields``. With ``replies``, each floor on the
thread's pages becomes a reply post linked to the thread.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from scrapy.http import Response, TextResponse

from yuqing.crawler.extract import (
    canonical_url,
    first,
    html_field,
    html_fields,
    join_url,
    nodes,
    parse_count,
    values,
)
from yuqing.crawler.items import PostItem
from yuqing.crawler.spiders.base import SourceSpider
from yuqing.nlp.normalize import clean_text
from yuqing.store.posts import dedup_key

COUNT_FIELDS = ("replies", "likes", "reposts")


class ListingSpider(SourceSpider):
    kind = "listing"

    def parse(self, response: Response, page: int = 1) -> Iterator[Any]:
        resp = self.html_response(response)
        if resp is None:
            return
        src = self.source
        entries = nodes(resp, src.item) if src.item else [resp]
        list_fields = self.fields(src.list_fields)
        found = settled = 0
        follows = src.follows
        for entry in entries:
            listed = html_fields(entry, list_fields)
            if not follows:
                found += 1
                item = self.list_item(resp, entry, listed)
                key = dedup_key(item.external_id, canonical_url(item.url or ""))
                if self.cutoff is not None and self.is_settled(self.when(item.published), key):
                    settled += 1
                elif self.first_sighting(item):
                    yield item
                continue
            for href in values(entry, src.links):
                url = join_url(resp, href)
                found += 1
                if self.cutoff is not None and self.is_settled(
                    self.when(listed.get("published")),
                    dedup_key(listed.get("external_id"), canonical_url(url)),
                ):
                    settled += 1
                    continue
                yield self.request(url, self.parse_detail, cb_kwargs={"listed": listed})
        self.crawler.stats.inc_value("yuqing/listed", found)
        self.crawler.stats.inc_value("yuqing/skipped_settled", settled)
        if found == 0:
            if page == 1:
                self.page_drop("page:no_entries", resp.url, "no entries matched (check selectors)")
            return
        if settled == found:
            self.logger.info(
                "page %d of %s is all older than the cut-off: stopping", page, resp.url
            )
            return
        if src.next_page and page < src.max_pages:
            nxt = first(resp, src.next_page)
            if nxt:
                yield self.request(join_url(resp, nxt), self.parse, cb_kwargs={"page": page + 1})

    def parse_detail(self, response: Response, listed: dict[str, Any]) -> Iterator[Any]:
        resp = self.html_response(response)
        if resp is None:
            return
        values = html_fields(resp, self.fields(self.source.fields))
        merged = self.with_article(resp, values, listed)
        item = self.item_from(merged, resp.url, resp)
        if self.first_sighting(item):
            yield item
        replies = self.source.replies
        if replies is not None:
            yield from self.parse_replies(resp, item.url or resp.url, item.external_id, 1)

    def parse_replies(
        self, response: Response, thread_url: str, thread_id: str | None, page: int
    ) -> Iterator[Any]:
        resp = self.html_response(response)
        if resp is None:
            return
        cfg = self.source.replies
        parent = dedup_key(thread_id, canonical_url(thread_url))
        fields = self.fields(cfg.fields)
        # With min_chars, a floor's text is read first: most short floors need nothing else.
        others = [(name, spec) for name, spec in fields if name != "text"]
        short = 0
        for index, floor in enumerate(nodes(resp, cfg.item)):
            if cfg.min_chars:
                text = html_field(floor, cfg.fields.text)
                if len(clean_text(text)) < cfg.min_chars:
                    short += 1
                    continue
                values = html_fields(floor, others)
                if cfg.fields.text is not None:
                    values["text"] = text
            else:
                values = html_fields(floor, fields)
            item = self.item_from(values, None, resp)
            item.external_id = item.external_id or f"{parent[:12]}:{page}:{index}"
            item.url = item.url or thread_url
            item.parent_url, item.parent_external_id = thread_url, thread_id
            item.required = tuple(f for f in item.required if f != "title")
            yield item
        if short:
            self.crawler.stats.inc_value("yuqing/short_replies", short)
        if cfg.next_page and page < cfg.max_pages:
            nxt = first(resp, cfg.next_page)
            if nxt:
                yield self.request(
                    join_url(resp, nxt),
                    self.parse_reply_page,
                    cb_kwargs={"thread_url": thread_url, "thread_id": thread_id, "page": page + 1},
                )

    def parse_reply_page(
        self, response: Response, thread_url: str, thread_id: str | None, page: int
    ) -> Iterator[Any]:
        yield from self.parse_replies(response, thread_url, thread_id, page)

    def list_item(self, resp: TextResponse, entry: Any, listed: dict[str, Any]) -> PostItem:
        """A list-only source's entry as a post: its URL from ``list_fields.url``, else the
        ``links`` selector's first match, joined like a followed link."""
        link = listed.get("url")
        if not link and self.source.links:
            link = first(entry, self.source.links)
        return self.item_from({**listed, "url": link}, None, resp)

    def item_from(self, values: dict[str, Any], url: str | None, resp: TextResponse) -> PostItem:
        link = values.get("url")
        item = self.new_item(
            url=join_url(resp, link) if link else url,
            found_on=resp.url,
            title=values.get("title"),
            text=values.get("text"),
            published=values.get("published"),
            author=values.get("author"),
            external_id=values.get("external_id"),
        )
        for name in COUNT_FIELDS:
            setattr(item, name, parse_count(values.get(name)))
        return item
