"""Source configuration (config/sources.yaml): one entry per site, validated per spider kind.

A new site is YAML, not code: the spider kinds below read everything they need from here.
URLs may contain ``{demo}`` (the bundled demo site's base URL, set when it runs) and, for
search sources, ``{keyword}`` (filled in once per keyword).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from yuqing.config.types import Duration, Slug

SPIDER_KINDS = ("feed", "listing", "jsonapi")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class FieldMap(Strict):
    """Where each post field is found: CSS (``css:``), XPath (``xpath:``) or JMESPath (jsonapi)."""

    url: str | None = None
    external_id: str | None = None
    title: str | None = None
    text: str | None = None
    published: str | None = None
    author: str | None = None
    replies: str | None = None
    likes: str | None = None
    reposts: str | None = None


class Pagination(Strict):
    type: Literal["none", "page", "offset", "cursor", "next_link"] = "none"
    param: str = "page"
    start: int = 1
    size_param: str | None = None
    size: int = 20
    cursor_path: str | None = None
    next_selector: str | None = None


class SourceBase(Strict):
    name: Slug
    title: str = ""
    enabled: bool = True
    note: str = ""
    start_urls: list[str] = Field(min_length=1)
    interval: Duration = timedelta(minutes=15)
    timeout: Duration = timedelta(minutes=10)
    keywords: list[str] | Literal["rules"] | None = None
    max_pages: int = Field(default=20, ge=1)
    recent_window: Duration = timedelta(days=2)
    headers: dict[str, str] = Field(default_factory=dict)
    encoding: str | None = None
    obey_robots: bool = True
    concurrency: int = Field(default=4, ge=1, le=64)
    download_delay: float = Field(default=0.25, ge=0)
    proxy: str | None = None
    date_order: Literal["newest_first", "unordered"] = "newest_first"

    @field_validator("start_urls")
    @classmethod
    def _urls(cls, urls: list[str]) -> list[str]:
        for url in urls:
            if not url.startswith(("http://", "https://", "{demo}")):
                raise ValueError(f"invalid URL {url!r} (expected http:// or https://)")
        return urls

    @model_validator(mode="after")
    def _keywords_need_placeholder(self) -> SourceBase:
        has_placeholder = any("{keyword}" in u for u in self.start_urls) or self._body_has_keyword()
        if self.keywords is not None and not has_placeholder:
            raise ValueError("keywords given but no URL or body contains the {keyword} placeholder")
        if has_placeholder and self.keywords is None:
            raise ValueError("a URL or body uses {keyword} but no keywords are configured")
        return self

    def _body_has_keyword(self) -> bool:
        return False


class FeedSource(SourceBase):
    kind: Literal["feed"]
    follow_links: bool = False
    article: FieldMap = Field(default_factory=FieldMap)


class ReplyPages(Strict):
    item: str
    fields: FieldMap = Field(default_factory=FieldMap)
    next_page: str | None = None
    max_pages: int = Field(default=5, ge=1)


class ListingSource(SourceBase):
    kind: Literal["listing"]
    links: str
    next_page: str | None = None
    fields: FieldMap = Field(default_factory=FieldMap)
    replies: ReplyPages | None = None


class JsonApiSource(SourceBase):
    kind: Literal["jsonapi"]
    method: Literal["GET", "POST"] = "GET"
    body: dict[str, Any] | None = None
    items: str
    fields: FieldMap = Field(default_factory=FieldMap)
    pagination: Pagination = Field(default_factory=Pagination)
    time_format: Literal["auto", "epoch", "epoch_ms", "text"] = "auto"

    def _body_has_keyword(self) -> bool:
        return self.body is not None and "{keyword}" in repr(self.body)


Source = Annotated[FeedSource | ListingSource | JsonApiSource, Field(discriminator="kind")]


class SourcesFile(Strict):
    sources: list[Source] = Field(default_factory=list)
