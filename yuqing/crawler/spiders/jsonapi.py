"""JSON APIs (GET, or POST with a JSON body): ``items`` and ``fields`` are JMESPaths; paging by
page number, offset, cursor or next link; ``{keyword}`` in the URL or body for search APIs.
With ``detail``, each post's ``url`` is fetched and read with HTML selectors."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urljoin

from scrapy.http import JsonRequest, Request, Response
from w3lib.url import add_or_replace_parameter

from yuqing.crawler.extract import (
    as_text,
    canonical_url,
    html_fields,
    json_fields,
    json_path,
    parse_count,
)
from yuqing.crawler.items import PostItem
from yuqing.crawler.spiders.base import SourceSpider

_COUNTS = ("replies", "likes", "reposts")


def _fill(value: Any, keyword: str | None) -> Any:
    """The body with ``{keyword}`` replaced in every string."""
    if isinstance(value, str):
        return value.replace("{keyword}", keyword or "")
    if isinstance(value, dict):
        return {k: _fill(v, keyword) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, keyword) for v in value]
    return value


class JsonApiSpider(SourceSpider):
    kind = "jsonapi"

    def first_requests(self, url: str, keyword: str | None) -> Iterable[Request]:
        pag = self.source.pagination
        position: Any = pag.start if pag.type in ("page", "offset") else None
        yield self.api_request(url, keyword, 1, position, first=True)

    def api_request(
        self, url: str, keyword: str | None, page: int, position: Any, first: bool = False
    ) -> Request:
        src, pag = self.source, self.source.pagination
        params: dict[str, Any] = {}
        if pag.type in ("page", "offset", "cursor") and position is not None:
            params[pag.param] = position
        if pag.size_param:
            params[pag.size_param] = pag.size
        kwargs = {"page": page, "keyword": keyword, "base_url": url, "position": position}
        if src.method == "POST":
            body = {**_fill(src.body or {}, keyword), **params}
            return JsonRequest(
                url,
                data=body,
                callback=self.parse,
                errback=self.on_error,
                dont_filter=first,
                cb_kwargs=kwargs,
            )
        target = url
        for name, value in params.items():
            target = add_or_replace_parameter(target, name, str(value))
        return self.request(target, self.parse, dont_filter=first, cb_kwargs=kwargs)

    def parse(
        self,
        response: Response,
        page: int = 1,
        keyword: str | None = None,
        base_url: str = "",
        position: Any = None,
    ) -> Iterator[Any]:
        resp = self.text_response(response)
        if resp is None:
            return
        src = self.source
        try:
            data = json.loads(resp.text)
        except ValueError as exc:
            self.page_drop("page:bad_json", resp.url, f"not JSON: {exc}")
            return
        entries = json_path(data, src.items)
        if not isinstance(entries, list):
            self.page_drop(
                "page:json_shape",
                resp.url,
                f"items path {src.items!r} found {type(entries).__name__}, not a list "
                "(has the API changed? check sources.yaml)",
            )
            return
        self.crawler.stats.inc_value("yuqing/listed", len(entries))
        settled = 0
        fields = self.fields(src.fields)
        for raw in entries:
            values = json_fields(raw, fields)
            item = self.item_from(values, base_url or resp.url)
            if self.cutoff is not None and self.is_settled(
                self.when(item.published, src.time_format), item.key
            ):
                settled += 1
                continue
            if src.detail is not None and item.url:
                yield self.request(item.url, self.parse_detail, cb_kwargs={"item": item})
            elif self.first_sighting(item):
                yield item
        self.crawler.stats.inc_value("yuqing/skipped_settled", settled)
        if not entries or settled == len(entries) or page >= src.max_pages:
            return
        if src.pagination.more_path and not json_path(data, src.pagination.more_path):
            return
        nxt = self.next_position(data, position, len(entries))
        if nxt is not None:
            url = nxt if src.pagination.type == "next_link" else base_url
            yield self.api_request(resp.urljoin(url), keyword, page + 1, nxt)

    def next_position(self, data: Any, position: Any, count: int) -> Any:
        pag = self.source.pagination
        if pag.type == "page":
            return int(position if position is not None else pag.start) + 1
        if pag.type == "offset":
            return int(position if position is not None else pag.start) + count
        if pag.type == "cursor":
            return as_text(json_path(data, pag.cursor_path or ""))
        if pag.type == "next_link":
            return as_text(json_path(data, pag.next_selector or ""))
        return None

    def item_from(self, values: dict[str, Any], api_url: str) -> PostItem:
        link = as_text(values.get("url"))
        external_id = as_text(values.get("external_id"))
        # Without a link, posts are told apart by their id; with neither, validation drops them.
        url = canonical_url(urljoin(api_url, link)) if link else (api_url if external_id else None)
        return self.new_item(
            url=url,
            found_on=api_url,
            title=as_text(values.get("title")),
            text=as_text(values.get("text")),
            published=values.get("published"),
            author=as_text(values.get("author")),
            external_id=external_id,
            replies=parse_count(values.get("replies")),
            likes=parse_count(values.get("likes")),
            reposts=parse_count(values.get("reposts")),
        )

    def parse_detail(self, response: Response, item: PostItem) -> Iterator[Any]:
        resp = self.html_response(response)
        if resp is None:
            return
        for name, value in html_fields(resp, self.fields(self.source.detail)).items():
            if value:
                setattr(item, name, parse_count(value) if name in _COUNTS else value)
        if self.first_sighting(item):
            yield item
