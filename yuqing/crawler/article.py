"""A generic article extractor: title, main text, date and author of a news or government
article page without per-site selectors (issue 12).

It reads the page's own lxml tree (the one the spider's selectors use; nothing is changed):

* title: the page heading (``h1``…``h3`` or a ``*title*`` element) that the ``<title>`` (as
  its headline part, not its suffix) or ``og:title`` also shows, else ``og:title``, else the
  page's one long ``h1`` when the ``<title>`` is only a site name, else ``<title>`` less its
  site suffix (``_网易新闻``, ``-新浪网``, ``|频道`` parts);
* body: text density (:mod:`yuqing.crawler.density`), credits and notices trimmed;
* date and byline: the lines between the title and the body (``2019-09-07 13:43 来源：新京报``),
  then the page's metadata, a ``title`` attribute, a script variable
  (:mod:`yuqing.crawler.pagedates`);
* author: a labelled author or reporter in the byline (作者/记者), else its source (来源).

Fields the heuristics cannot find fall back to trafilatura (Apache-2.0), which reads the
metadata and main text of pages in any language.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from yuqing.crawler import density, pagedates
from yuqing.crawler.dates import SHANGHAI

log = logging.getLogger(__name__)

_WS = re.compile(r"\s+")
# "Title_频道_网站", "Title - 网站", "Title|关键词|关键词_网站", "Title——网站"
_SUFFIX = re.compile(r"\s*(?:[_|｜]|\s[-–—]\s|——|-(?=[^-]*$))\s*")
_MARKUP = re.compile(r"<[A-Za-z!/]")
_TITLE_HINT = re.compile(r"title|headline|tit\b|biaoti", re.I)
_NAME = r"([^\s:：|｜/，,。()（）【】\[\]]{2,30}?)"
_AUTHOR = re.compile(r"(?:作者|记者|撰文)\s*[:：]?\s*" + _NAME + r"(?=$|\s|[|｜/，,(（]|来源|编辑)")
_SOURCE = re.compile(
    r"(?:来源|出处|信息来源|稿源|文章来源)\s*[:：]\s*"
    r"([^\s|｜，,。()（）【】]{2,40}(?:[、和][^\s|｜，,。()（）【】]{2,40})*(?:等)?)"
)
_SLASH_AUTHOR = re.compile(r"^([\u4e00-\u9fff·]{2,4})\s*/\s*[\u4e00-\u9fff]{2,}")
_BYLINE_SKIP = re.compile(
    r"^(?:原创|举报|分享|分享到|收藏|评论|关注|字号|打印|关闭|纠错|我要分享|发布时间|发布日期|"
    r"人参与|超大|大|中|小|标准|A-?|A\+|编辑|责任编辑|作者|来源|发布于|发表于|发布|QQ空间|QQ好友|"
    r"腾讯QQ|微博|新浪微博|微信|微信好友|朋友圈|复制链接|举报|订阅|阅读|缩小字体|放大字体|"
    r".*APP|.*客户端|\d+|\W+)$",
    re.I,
)
_DATEISH = re.compile(
    r"\d{4}|\d{1,2}[:：]\d{2}|\d{1,2}-\d{1,2}|\d\s*[年月日]|\d\s*(?:秒|分钟|小时|天)前|昨天|前天|今天"
)


@dataclass
class Article:
    title: str | None = None
    text: str | None = None
    published: datetime | None = None
    published_text: str | None = None  # the date as the page prints it (for `sources try`)
    author: str | None = None


def clean(text: str | None) -> str:
    return _WS.sub(" ", text or "").strip()


def _text(el: Any) -> str:
    return clean("".join(t for t in el.itertext() if isinstance(t, str)))


# -- title -------------------------------------------------------------------------------
def _headings(root: Any) -> list[tuple[Any, str]]:
    found = []
    for el in root.iter("h1", "h2", "h3", "div", "span", "p", "strong"):
        if el.tag in ("div", "span", "p", "strong"):
            hint = (el.get("class") or "") + " " + (el.get("id") or "")
            if not _TITLE_HINT.search(hint) or len(el) > 3:
                continue
        text = _text(el)
        if 4 <= len(text) <= 120:
            found.append((el, text))
    return found


def _site_suffix_stripped(title: str) -> str:
    parts = [p for p in _SUFFIX.split(title) if p.strip()]
    return parts[0].strip() if parts else title.strip()


def find_title(root: Any) -> tuple[str | None, Any | None]:
    """(title, the heading element that shows it, if any)."""
    # an unclosed <title> swallows the page: keep what comes before the first tag
    head_title = clean(_MARKUP.split(root.findtext(".//title") or "", maxsplit=1)[0])
    og = clean(_meta(root, "og:title"))
    stripped = _site_suffix_stripped(head_title) if head_title else ""
    headings = _headings(root)
    best: tuple[Any, str] | None = None
    for el, text in headings:
        shown = (og and text in og) or _leads(text, head_title, stripped)
        long_enough = len(text) >= 0.3 * len(stripped or text)
        if shown and long_enough and (best is None or len(text) > len(best[1])):
            best = (el, text)
    if best is not None:
        return best[1], best[0]
    if og and (not head_title or head_title.startswith(og) or og in head_title):
        return og, None
    # a <title> that is only the site's name: the page's one long <h1> is the headline
    h1s = [(el, text) for el, text in headings if el.tag == "h1"]
    if len(h1s) == 1 and len(h1s[0][1]) >= 6 and (not head_title or stripped == head_title):
        return h1s[0][1], h1s[0][0]
    return (stripped or og or None), None


def _leads(text: str, head_title: str, stripped: str) -> bool:
    """``text`` is the <title>'s headline part, not its site or channel suffix."""
    at = head_title.find(text)
    return at == 0 or (at > 0 and text in stripped)


def _meta(root: Any, name: str) -> str | None:
    for el in root.iter("meta"):
        if name in (el.get("property"), el.get("name"), el.get("itemprop")):
            value = el.get("content")
            if value and value.strip():
                return str(value)
    return None


# -- byline: the lines between the title and the body ---------------------------------------
def _shows_title(text: str, title: str | None) -> bool:
    return bool(title) and title in text and len(text) <= len(title or "") + 10  # type: ignore[operator]


def byline_lines(
    lines: list[density.Line], heading: Any, body_first: Any | None, title: str | None = None
) -> list[str]:
    """The short lines after the heading (or, without one, before the body), at most 12."""
    start = None
    if heading is not None:
        inside = set(heading.iter())
        for i, line in enumerate(lines):
            if line.owner in inside:
                start = i + 1
            elif start is not None:
                break
    stop = len(lines)
    if body_first is not None:
        for i, line in enumerate(lines):
            if line is body_first:
                stop = i
                break
    if start is None:
        # no heading: after the line that prints the title, else the lines before the body
        start = next(
            (i + 1 for i in range(stop - 1, -1, -1) if _shows_title(lines[i].text, title)),
            max(0, stop - 8),
        )
    if stop <= start:
        stop = min(len(lines), start + 6)
    found = [" ".join(line.pieces) for line in lines[start:stop] if len(line.text) <= 120]
    return found[:12]


def find_author(byline: list[str], date_text: str | None) -> str | None:
    text = " ".join(byline)
    m = _AUTHOR.search(text)
    if m:
        return m.group(1)
    m = _SOURCE.search(text)
    if m:
        return m.group(1)
    for line in byline:
        m = _SLASH_AUTHOR.match(line)
        if m:
            return m.group(1)
    # an unlabelled name next to the date: "2019-09-07 13:43 新京报", "原创 南方都市报 2019-…"
    if not date_text or date_text not in text:
        return None
    at = text.index(date_text)
    after = _tokens(text[at + len(date_text) :])[:4]
    before = _tokens(text[:at])[-3:][::-1]
    # "IT之家 发布时间：09-30 22:46 某某公司": the name stands before a labelled date
    labelled = bool(before) and before[0].endswith((":", "："))
    for token in before + after if labelled else after + before:
        if token.endswith((":", "：")) or "作者" in token:
            continue
        if _DATEISH.search(token) or _BYLINE_SKIP.match(token) or len(token) > 20:
            continue
        if re.search(r"[\u4e00-\u9fffA-Za-z]{2,}", token):
            return token
    return None


def _tokens(text: str) -> list[str]:
    return [t for t in re.split(r"[\s|｜·]+", text) if t]


# -- the whole page ----------------------------------------------------------------------
def extract_article(
    root: Any, now: datetime, tz: tzinfo = SHANGHAI, fallback: bool = True
) -> Article:
    """Title, body, date and author of the article page under ``root`` (an lxml tree)."""
    lines = density.page_lines(root)
    title, heading = find_title(root)
    block = density.best_block(lines)
    body_lines = density.block_lines(lines, block) if block is not None else []
    text = "\n".join(density.trim(body_lines, title or "")) or None
    byline = byline_lines(lines, heading, body_lines[0] if body_lines else None, title)
    found = pagedates.find_published(root, byline, now, tz)
    article = Article(
        title=title,
        text=text,
        published=found.when if found else None,
        published_text=found.text if found else None,
        author=find_author(byline, found.text if found else None),
    )
    if fallback and not (article.title and article.text and article.published):
        _trafilatura_fallback(root, article, now, tz)
    return article


def _trafilatura_fallback(root: Any, article: Article, now: datetime, tz: tzinfo) -> None:
    """Fill what the heuristics left empty from trafilatura (its metadata and main text)."""
    from copy import deepcopy

    try:
        import trafilatura
    except ImportError:  # pragma: no cover - a dependency; tests run with it
        return
    try:
        doc = trafilatura.bare_extraction(deepcopy(root), with_metadata=True, fast=True)
    except Exception as exc:  # a third-party parser on arbitrary pages: never fatal
        log.debug("trafilatura failed: %s", exc)
        return
    if doc is None:
        return
    data = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    if not article.title and data.get("title"):
        article.title = _site_suffix_stripped(str(data["title"]))
    if not article.text and data.get("text"):
        article.text = str(data["text"])
    if not article.author and data.get("author"):
        article.author = str(data["author"])
    if article.published is None and data.get("date"):
        found = pagedates.read(str(data["date"]), now, tz)
        if found is not None:
            article.published, article.published_text = found, str(data["date"])


ARTICLE_FIELDS = ("title", "text", "published", "author")


def fill_missing(
    tree: Any,
    values: dict[str, Any],
    listed: dict[str, Any],
    now: datetime,
    tz: tzinfo,
    required: tuple[str, ...] = ("title", "text", "published"),
) -> dict[str, Any]:
    """``values`` (a detail page's selectors), else ``listed`` (its list entry or feed entry),
    with the article fields both leave empty filled by :func:`extract_article`. The page's
    own text beats a list's or feed's summary. The extractor runs only when the title, text,
    date or a required field is missing (an author alone is not worth ~30 ms a page)."""
    merged = {k: values.get(k) or listed.get(k) for k in {*values, *listed}}
    wanted = [f for f in ARTICLE_FIELDS if not merged.get(f)]
    if not values.get("text") and "text" not in wanted:
        wanted.append("text")
    if not any(f in ("title", "text", "published") or f in required for f in wanted):
        return merged
    article = extract_article(tree, now, tz)
    for name in wanted:
        found = getattr(article, name)
        if found:
            merged[name] = found
    return merged
