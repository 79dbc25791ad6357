"""Source configuration (config/sources.yaml): one entry per site, validated per spider kind.

A new site is YAML, not code: the spider kinds below read everything they need from here.
URLs may contain ``{demo}`` (the bundled demo site's base URL, given at run time, e.g. by
``YUQING_DEMO_URL``) and, for search sources, ``{keyword}`` (filled in once per keyword;
``keywords: rules`` takes ``search_keywords`` from rules.yaml).

Field selectors: ``css:...`` (the default when there is no prefix) or ``xpath:...`` on HTML,
JMESPath on JSON. A field may also be ``{select: ..., regex: ...}``: the first group (or the
whole match) of ``regex`` in the selected text. A field (or its ``select``) may be a list of
selectors, tried in order: the first that finds a non-empty value wins
(``title: [h1.a::text, "meta[property='og:title']::attr(content)"]``).
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from yuqing.config.types import Duration, Slug, TimeZoneName

SPIDER_KINDS = ("feed", "listing", "jsonapi")
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_DOMAIN = re.compile(rf"{_LABEL}(?:\.{_LABEL})*")
POST_FIELDS = ("title", "text", "published", "url", "author")


Required = Literal["title", "text", "published", "url", "author"]


def _default_required() -> list[Required]:
    return ["title", "text", "published"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


def check_selector(value: str, language: Literal["html", "json"]) -> str:
    """Compile a selector once so a typo is reported when the config loads, not mid-crawl."""
    if not value.strip():
        raise ValueError("empty selector")
    if language == "json":
        import jmespath
        from jmespath.exceptions import JMESPathError

        try:
            jmespath.compile(value)
        except JMESPathError as exc:
            raise ValueError(f"invalid JMESPath {value!r}: {exc}") from exc
        return value
    if value.startswith("xpath:"):
        from lxml import etree  # type: ignore[import-untyped]

        try:
            etree.XPath(value[len("xpath:") :])
        except etree.XPathSyntaxError as exc:
            raise ValueError(f"invalid XPath {value!r}: {exc}") from exc
        return value
    css = value[len("css:") :] if value.startswith("css:") else value
    from cssselect import SelectorError
    from parsel.csstranslator import HTMLTranslator

    try:
        HTMLTranslator().css_to_xpath(css)
    except (SelectorError, ValueError) as exc:
        raise ValueError(f"invalid CSS selector {value!r}: {exc}") from exc
    return value


class FieldSpec(Strict):
    """One field: a selector, or a list of them tried in order (the first non-empty value
    wins), optionally narrowed by a regular expression."""

    select: str | list[str]
    regex: str | None = None

    @field_validator("select")
    @classmethod
    def _select(cls, value: str | list[str]) -> str | list[str]:
        if isinstance(value, list) and not value:
            raise ValueError("empty list of selectors")
        return value

    @property
    def selectors(self) -> list[str]:
        return [self.select] if isinstance(self.select, str) else self.select

    @field_validator("regex")
    @classmethod
    def _regex(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"invalid regex {value!r}: {exc}") from exc
        return value


def _spec(value: Any) -> Any:
    return {"select": value} if isinstance(value, str | list) else value


class FieldMap(Strict):
    """Where each post field is found (selectors relative to the page, item or floor)."""

    url: FieldSpec | None = None
    external_id: FieldSpec | None = None
    title: FieldSpec | None = None
    text: FieldSpec | None = None
    published: FieldSpec | None = None
    author: FieldSpec | None = None
    replies: FieldSpec | None = None
    likes: FieldSpec | None = None
    reposts: FieldSpec | None = None

    @model_validator(mode="before")
    @classmethod
    def _strings(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: _spec(v) for k, v in data.items()}
        return data

    def items(self) -> list[tuple[str, FieldSpec]]:
        return [(name, spec) for name in type(self).model_fields if (spec := getattr(self, name))]

    def check(self, language: Literal["html", "json"]) -> None:
        for name, spec in self.items():
            for index, selector in enumerate(spec.selectors):
                where = name if isinstance(spec.select, str) else f"{name}[{index}]"
                try:
                    check_selector(selector, language)
                except ValueError as exc:
                    raise ValueError(f"{where}: {exc}") from exc


class Pagination(Strict):
    """How a JSON API pages: ``page`` numbers, ``offset``, a ``cursor`` taken from each answer,
    or a ``next_link`` URL in each answer. Paging stops at an empty page, at ``max_pages``, when
    ``more_path`` is false, or when a whole page is older than the source's watermark."""

    type: Literal["none", "page", "offset", "cursor", "next_link"] = "none"
    param: str = "page"
    start: int = Field(default=1, ge=0)
    size_param: str | None = None
    size: int = Field(default=20, ge=1)
    cursor_path: str | None = None
    next_selector: str | None = None
    more_path: str | None = None

    @model_validator(mode="after")
    def _needs(self) -> Pagination:
        if self.type == "cursor" and not self.cursor_path:
            raise ValueError("cursor pagination needs cursor_path (a JMESPath to the next cursor)")
        if self.type == "next_link" and not self.next_selector:
            raise ValueError("next_link pagination needs next_selector (a JMESPath to the URL)")
        for name in ("cursor_path", "next_selector", "more_path"):
            value = getattr(self, name)
            if value is not None:
                try:
                    check_selector(value, "json")
                except ValueError as exc:
                    raise ValueError(f"{name}: {exc}") from exc
        return self


class SourceBase(Strict):
    name: Slug
    title: str = ""
    enabled: bool = True
    local: bool = False  # the city's own board or media: every post is about the city
    note: str = ""
    start_urls: list[str] = Field(min_length=1)
    interval: Duration = timedelta(minutes=15)
    timeout: Duration = timedelta(minutes=10)
    keywords: list[str] | Literal["rules"] | None = None
    max_pages: int = Field(default=20, ge=1)
    recent_window: Duration = timedelta(days=2)
    headers: dict[str, str] = Field(default_factory=dict)
    encoding: str | None = None
    # The site's time zone: times it prints without a zone are read in it (default: settings'
    # timezone, Asia/Shanghai).
    timezone: TimeZoneName | None = None
    obey_robots: bool = True
    concurrency: int = Field(default=4, ge=1, le=64)
    download_delay: float = Field(default=0.25, ge=0)
    download_timeout: Duration = timedelta(seconds=30)
    retries: int = Field(default=2, ge=0, le=10)
    proxy: str | None = None
    proxy_env: str | None = None
    date_order: Literal["newest_first", "unordered"] = "newest_first"
    required: list[Required] = Field(default_factory=_default_required)
    # Hosts the crawl may follow links to (each with its subdomains). Default: the hosts of
    # start_urls; list them to widen. Links elsewhere are counted (page:offsite), not followed.
    allowed_domains: list[str] | None = None

    @field_validator("allowed_domains")
    @classmethod
    def _domains(cls, domains: list[str] | None) -> list[str] | None:
        for i, domain in enumerate(domains or []):
            if not _DOMAIN.fullmatch(domain):
                raise ValueError(
                    f"[{i}]: {domain!r} is not a host name (write the host only, "
                    "e.g. 'news.example.cn': no scheme, port or path)"
                )
        return domains

    @field_validator("start_urls")
    @classmethod
    def _urls(cls, urls: list[str]) -> list[str]:
        for url in urls:
            if not url.startswith(("http://", "https://", "{demo}")):
                raise ValueError(f"invalid URL {url!r} (expected http:// or https://)")
        return urls

    @field_validator("encoding")
    @classmethod
    def _encoding(cls, value: str | None) -> str | None:
        if value is not None:
            import codecs

            try:
                codecs.lookup(value)
            except LookupError as exc:
                raise ValueError(f"unknown encoding {value!r}") from exc
        return value

    @field_validator("proxy")
    @classmethod
    def _proxy(cls, value: str | None) -> str | None:
        if value is not None:
            if not value.startswith(("http://", "https://")):
                raise ValueError(f"invalid proxy {value!r} (expected http:// or https://)")
            if "@" in value:
                raise ValueError(
                    "proxy credentials are secrets: put the proxy URL in an environment "
                    "variable and name it with proxy_env"
                )
        return value

    @model_validator(mode="after")
    def _keywords_need_placeholder(self) -> SourceBase:
        has_placeholder = any("{keyword}" in u for u in self.start_urls) or self._body_has_keyword()
        if self.keywords is not None and not has_placeholder:
            raise ValueError("keywords given but no URL or body contains the {keyword} placeholder")
        if has_placeholder and self.keywords is None:
            raise ValueError("a URL or body uses {keyword} but no keywords are configured")
        if isinstance(self.keywords, list) and not self.keywords:
            raise ValueError("keywords is empty (list at least one, or use 'rules')")
        return self

    def _body_has_keyword(self) -> bool:
        return False

    @property
    def is_search(self) -> bool:
        return self.keywords is not None

    @property
    def uses_demo(self) -> bool:
        return any(u.startswith("{demo}") for u in self.start_urls)

    def domains(self, demo_url: str = "") -> list[str]:
        """The hosts the crawl stays on (each with its subdomains): ``allowed_domains``, else
        the start URLs' hosts, ``www.`` dropped (``www.x.cn`` also allows ``x.cn``, ``m.x.cn``)."""
        if self.allowed_domains is not None:
            return list(self.allowed_domains)
        hosts: list[str] = []
        for template in self.start_urls:
            host = urlsplit(template.replace("{demo}", demo_url)).hostname
            if host and host.startswith("www.") and host.count(".") >= 2:
                host = host[len("www.") :]
            if host and "{" not in host and host not in hosts:
                hosts.append(host)
        return hosts


class FeedSource(SourceBase):
    """RSS 2.0 or Atom. With ``follow_links`` each entry's page is fetched and read with
    ``article`` (the feed's own title/summary/date are the fallbacks)."""

    kind: Literal["feed"]
    follow_links: bool = False
    article: FieldMap = Field(default_factory=FieldMap)

    @model_validator(mode="after")
    def _selectors(self) -> FeedSource:
        _checked(self.article, "article", "html")
        return self


class ReplyPages(Strict):
    """Forum threads: each floor matched by ``item`` (the opening post excluded) becomes a reply
    post linked to its thread; ``next_page`` follows the thread's own pages."""

    item: str
    fields: FieldMap = Field(default_factory=FieldMap)
    next_page: str | None = None
    max_pages: int = Field(default=5, ge=1)
    min_chars: int = Field(default=0, ge=0)

    @model_validator(mode="after")
    def _selectors(self) -> ReplyPages:
        for name in ("item", "next_page"):
            value = getattr(self, name)
            if value is not None:
                try:
                    check_selector(value, "html")
                except ValueError as exc:
                    raise ValueError(f"{name}: {exc}") from exc
        _checked(self.fields, "fields", "html")
        return self


class ListingSource(SourceBase):
    """An HTML list page → detail pages. ``item`` (optional) selects each entry of the list and
    ``list_fields`` read values there (a list-page time lets paging stop at the watermark
    without fetching details); ``links`` selects the detail URL (within the item, if any).

    List-only (``follow: false``, or no ``links``): each entry is stored as it is on the list
    page, from ``list_fields`` (its URL from ``list_fields.url``, else ``links``)."""

    kind: Literal["listing"]
    item: str | None = None
    links: str | None = None
    follow: bool | None = None
    list_fields: FieldMap = Field(default_factory=FieldMap)
    next_page: str | None = None
    fields: FieldMap = Field(default_factory=FieldMap)
    replies: ReplyPages | None = None

    @model_validator(mode="after")
    def _selectors(self) -> ListingSource:
        for name in ("item", "links", "next_page"):
            value = getattr(self, name)
            if value is not None:
                try:
                    check_selector(value, "html")
                except ValueError as exc:
                    raise ValueError(f"{name}: {exc}") from exc
        _checked(self.list_fields, "list_fields", "html")
        _checked(self.fields, "fields", "html")
        if self.follow and self.links is None:
            raise ValueError("follow: true needs links (the selector of each entry's page URL)")
        if not self.follows:
            self._list_only()
        return self

    def _list_only(self) -> None:
        how = "follow: false" if self.follow is False else "no links"
        if self.item is None:
            raise ValueError(
                f"a list-only source ({how}) needs item (the selector of each list entry)"
            )
        if self.list_fields.url is None and self.links is None:
            raise ValueError(
                f"a list-only source ({how}) needs list_fields.url or links (each entry's URL)"
            )
        for name in ("fields", "replies"):
            if name in self.model_fields_set:
                raise ValueError(
                    f"{name}: a list-only source ({how}) reads no detail pages; "
                    "put the selectors in list_fields"
                )
        if "required" not in self.model_fields_set:
            self.required = ["title", "published"]

    @property
    def follows(self) -> bool:
        """Whether each entry's link is fetched (False: a list-only source)."""
        return self.links is not None and self.follow is not False


class JsonApiSource(SourceBase):
    """A JSON endpoint (GET, or POST with a JSON ``body``): ``items`` is a JMESPath to the list
    of posts, ``fields`` JMESPaths within one post. With ``detail`` the post's ``url`` is
    fetched and read with those HTML selectors (JSON values are the fallbacks)."""

    kind: Literal["jsonapi"]
    method: Literal["GET", "POST"] = "GET"
    body: dict[str, Any] | None = None
    items: str
    fields: FieldMap = Field(default_factory=FieldMap)
    detail: FieldMap | None = None
    pagination: Pagination = Field(default_factory=Pagination)
    time_format: Literal["auto", "epoch", "epoch_ms", "text"] = "auto"

    def _body_has_keyword(self) -> bool:
        return self.body is not None and "{keyword}" in repr(self.body)

    @model_validator(mode="after")
    def _selectors(self) -> JsonApiSource:
        try:
            check_selector(self.items, "json")
        except ValueError as exc:
            raise ValueError(f"items: {exc}") from exc
        _checked(self.fields, "fields", "json")
        if self.detail is not None:
            _checked(self.detail, "detail", "html")
            if self.fields.url is None:
                raise ValueError("detail needs fields.url (the page to fetch for each post)")
        if self.method == "GET" and self.body is not None:
            raise ValueError("body is only sent with method: POST")
        return self


def _checked(fields: FieldMap, where: str, language: Literal["html", "json"]) -> None:
    try:
        fields.check(language)
    except ValueError as exc:
        raise ValueError(f"{where}.{exc}") from exc


Source = Annotated[FeedSource | ListingSource | JsonApiSource, Field(discriminator="kind")]
AnySource = FeedSource | ListingSource | JsonApiSource


class SourcesFile(Strict):
    sources: list[Source] = Field(default_factory=list)

    def get(self, name: str) -> AnySource:
        for source in self.sources:
            if source.name == name:
                return source
        raise KeyError(name)
