"""Reading fields out of pages: CSS/XPath on HTML, JMESPath on JSON, an optional regex, and
the small conversions every site needs (counts like ``1.2万``, text encodings)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any
from weakref import WeakKeyDictionary

import jmespath
from lxml import etree  # type: ignore[import-untyped]
from parsel import Selector
from parsel.csstranslator import HTMLTranslator
from scrapy.http import TextResponse
from scrapy.selector import Selector as ScrapySelector
from w3lib.url import canonicalize_url, url_query_cleaner

from yuqing.config.sources import FieldMap, FieldSpec
from yuqing.crawler.encoding import CHINESE_ENCODINGS, better_encoding, fix_encoding

_COUNT = re.compile(r"(\d+(?:\.\d+)?)\s*([万wWkK千亿]?)")
_MULTIPLIER = {"": 1, "万": 10_000, "w": 10_000, "W": 10_000, "k": 1000, "K": 1000, "千": 1000}
_MULTIPLIER["亿"] = 100_000_000

# A page (response), a parsel selector, or an lxml element from :func:`nodes`.
Node = Any
__all__ = ["CHINESE_ENCODINGS", "better_encoding", "fix_encoding"]  # moved to .encoding
TRACKING_PARAMS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "spm")


@lru_cache(maxsize=4096)
def canonical_url(url: str) -> str:
    """One spelling per page: sorted query, no fragment, no tracking parameters. (Cached: a
    post's URL is canonicalized by its spider and again by the normalize stage, a thread's
    URL once per reply.)"""
    cleaned = url_query_cleaner(url, TRACKING_PARAMS, remove=True, keep_fragments=True)
    return canonicalize_url(cleaned, keep_fragments=False)


# EXSLT prefixes parsel offers in XPath (re:test(...), set:difference(...)).
_NAMESPACES = {
    "re": "http://exslt.org/regular-expressions",
    "set": "http://exslt.org/sets",
}


@lru_cache(maxsize=1024)
def _compiled(selector: str) -> etree.XPath:
    """A selector compiled once (parsel would translate and compile it on every call). The
    EXSLT prefixes and regex functions are registered only for expressions that use them
    (registering them costs every evaluation ~0.7 µs, a sixth of a small one)."""
    if selector.startswith("xpath:"):
        expression = selector[len("xpath:") :]
    else:
        css = selector[len("css:") :] if selector.startswith("css:") else selector
        expression = _TRANSLATOR.css_to_xpath(css)
    namespaces = {k: v for k, v in _NAMESPACES.items() if f"{k}:" in expression}
    return etree.XPath(
        expression,
        namespaces=namespaces or None,
        regexp="re" in namespaces,
        smart_strings=False,
    )


_TRANSLATOR = HTMLTranslator()


# Each page's parsed tree, for as long as its response lives. Not ``response.selector``: that
# selector references its response back, a reference cycle that keeps every page and its tree
# alive until the garbage collector's next pass over it (with the crawl's GC settings, tens of
# megabytes of pages; see yuqing.crawler.gcfreeze).
_TREES: WeakKeyDictionary[TextResponse, Any] = WeakKeyDictionary()


def root(node: Node) -> Any:
    """The lxml element under a response or parsel selector (or the element itself)."""
    if isinstance(node, TextResponse):
        tree = _TREES.get(node)
        if tree is None:
            # what response.selector would parse, without caching the selector on it
            tree = _TREES[node] = rejoin(ScrapySelector(node).root)
        return tree
    if isinstance(node, Selector):
        return node.root
    return node


def rejoin(tree: Any) -> Any:
    """The page's tree with what followed a stray ``</html>`` put back into its body (issue
    12). lxml's parser makes such content a second ``<html>`` *beside* the root element, where
    a CSS selector (evaluated from the root element) cannot see it, while an absolute XPath
    (``//div``) can: the same field would be empty or found depending on how it is written."""
    extra = tree.getnext() if hasattr(tree, "getnext") else None
    if extra is None:
        return tree
    body = tree.find("body")
    target = body if body is not None else tree
    while extra is not None:
        following = extra.getnext()
        inner = extra.find("body")
        for child in list(inner if inner is not None else extra):
            if child.tag in ("head", "body"):
                continue
            target.append(child)
        if following is None:
            break
        extra = following
    # the (now empty) sibling elements stay; nothing selects them
    return tree


def nodes(node: Node, selector: str) -> list[Any]:
    """The elements ``selector`` matches in ``node`` (a page or an element)."""
    result = _compiled(selector)(root(node))
    return [r for r in result if not isinstance(r, str)] if isinstance(result, list) else []


def values(node: Node, selector: str) -> list[str]:
    """The strings ``selector`` matches: text, attribute values, or an element's markup."""
    result = _compiled(selector)(root(node))
    if not isinstance(result, list):
        return [] if result is None or result == "" else [str(result)]
    out = []
    for r in result:
        if isinstance(r, str):
            out.append(r)
        elif isinstance(r, etree._Element):
            out.append(etree.tostring(r, encoding="unicode", method="html", with_tail=False))
    return out


def join_url(response: TextResponse, link: str) -> str:
    """``link`` as found on ``response`` made absolute, as every spider joins every URL (a
    followed link, a stored post's ``url``, a next page): against the page's ``<base href>``
    when it has one, else its URL. A value spanning lines (several matches) gives its first."""
    return response.urljoin(link.strip().split("\n")[0].strip())


def first(node: Node, selector: str) -> str | None:
    found = values(node, selector)
    return found[0].strip() if found else None


def _narrow(text: str | None, spec: FieldSpec) -> str | None:
    if text is None or spec.regex is None:
        return text
    m = _regex(spec.regex).search(text)
    if m is None:
        return None
    return m.group(1) if m.groups() else m.group(0)


@lru_cache(maxsize=256)
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def html_field(node: Node, spec: FieldSpec | None) -> str | None:
    """The text of every match, joined by newlines (markup is kept: normalize cleans it). With
    a list of selectors, the first that gives a non-empty value wins."""
    if spec is None:
        return None
    if isinstance(spec.select, str):
        return _html_value(node, spec.select, spec)
    for selector in spec.select:
        value = _html_value(node, selector, spec)
        if value:
            return value
    return None


def _html_value(node: Node, selector: str, spec: FieldSpec) -> str | None:
    found = [v.strip() for v in values(node, selector)]
    text = "\n".join(v for v in found if v)
    return _narrow(text or None, spec)


# A FieldMap's fields as (name, spec) pairs: what spiders keep instead of asking the
# FieldMap each time (``FieldMap.items()`` walks the pydantic model: ~8 µs a call).
Fields = list[tuple[str, FieldSpec]]


def field_list(fields: FieldMap | None) -> Fields:
    return fields.items() if fields is not None else []


def html_fields(node: Node, fields: FieldMap | Fields) -> dict[str, str | None]:
    pairs = fields.items() if isinstance(fields, FieldMap) else fields
    return {name: html_field(node, spec) for name, spec in pairs}


def _field_chain(node: Any) -> list[str] | None:
    """The keys of a JMESPath made only of fields (``a``, ``a.b.c``), else None."""
    if node["type"] == "field":
        return [node["value"]]
    if node["type"] != "subexpression":
        return None
    keys: list[str] = []
    for child in node["children"]:
        sub = _field_chain(child)
        if sub is None:
            return None
        keys += sub
    return keys


class _FieldPath:
    """``a.b.c`` read as jmespath reads it (a missing key, or a step into something that is
    not an object, gives None), without building a tree interpreter per search."""

    def __init__(self, keys: list[str]) -> None:
        self.keys = keys

    def search(self, value: Any) -> Any:
        for key in self.keys:
            try:
                value = value.get(key)
            except AttributeError:
                return None
        return value


@lru_cache(maxsize=256)
def _jmespath(expression: str) -> Any:
    compiled = jmespath.compile(expression)
    keys = _field_chain(compiled.parsed)
    return _FieldPath(keys) if keys is not None else compiled


def json_path(data: Any, expression: str) -> Any:
    return _jmespath(expression).search(data)


def json_field(data: Any, spec: FieldSpec | None) -> Any:
    """A JSON value: numbers stay numbers (epoch times), lists of strings are joined. With a
    list of selectors, the first that gives a non-empty value wins."""
    if spec is None:
        return None
    for selector in spec.selectors:
        value = _json_value(data, selector, spec)
        if value is not None and value != "":
            return value
    return None


def _json_value(data: Any, selector: str, spec: FieldSpec) -> Any:
    value = json_path(data, selector)
    if isinstance(value, list):
        value = "\n".join(str(v) for v in value if v is not None) or None
    if spec.regex is not None and value is not None:
        return _narrow(str(value), spec)
    return value


def json_fields(data: Any, fields: FieldMap | Fields) -> dict[str, Any]:
    pairs = fields.items() if isinstance(fields, FieldMap) else fields
    return {name: json_field(data, spec) for name, spec in pairs}


def parse_count(value: Any) -> int | None:
    """``12`` → 12, ``"回复 4"`` → 4, ``"1.2万"`` → 12000; None when there is no number."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    m = _COUNT.search(str(value).replace(",", ""))
    if m is None:
        return None
    return int(float(m.group(1)) * _MULTIPLIER[m.group(2)])


def as_text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None
