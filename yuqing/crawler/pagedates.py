"""When an article page says it was published: the date printed near its title first (what a
reader sees), then the page's metadata (``article:published_time`` and kin, JSON-LD, ``<time>``),
a date in an element's ``title`` attribute, a time in a script variable (text or epoch
seconds). A date printed without its year (``10-08 12:00``) takes the year of a metadata date
of the same day, else the crawl's (:func:`yuqing.crawler.dates.parse_datetime`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from yuqing.crawler.dates import SHANGHAI, DateParseError, parse_datetime

# A date as pages print it, with or without its year and time.
_CLOCK = r"(?:\s*\d{1,2}\s*[:：]\s*\d{2}(?:\s*[:：]\s*\d{2})?)"
_FULL = (
    r"\d{4}\s*(?:[-/.]|年|\s)\s*\d{1,2}\s*(?:[-/.]|月)\s*\d{1,2}\s*[日号]?"
    r"(?:\s*[T-]?" + _CLOCK + r")?"
)
_SHORT_YEAR = r"(?<![\d-])\d{2}-\d{1,2}-\d{1,2}(?![\d-])(?:" + _CLOCK + r")?"
_PARTIAL = (
    r"(?<![\d-])\d{1,2}\s*(?:-|月)\s*\d{1,2}\s*[日号]?(?:" + _CLOCK + r")?(?![\d-])"
    r"|(?:今天|昨天|前天)"
    + _CLOCK
    + r"?|\d+\s*(?:秒|分钟|小时|天)前|刚刚|(?<![\d:])\d{1,2}:\d{2}(?![\d:])"
)
FIND = re.compile(_FULL + "|" + _SHORT_YEAR + "|" + _PARTIAL)
_SHORT_YEAR_AT = re.compile(r"^(\d{2})-(\d{1,2})-(\d{1,2})(?!\d)")
_CLOCK_ALONE = re.compile(r"^\d{1,2}:\d{2}$")
_YEAR = re.compile(r"\d{4}")
_SPACED_YMD = re.compile(r"^(\d{4})\s+(\d{1,2})\s*/\s*(\d{1,2})")
_META_NAMES = (
    "article:published_time",
    "og:release_date",
    "og:published_time",
    "datePublished",
    "publishdate",
    "PubDate",
    "pubdate",
    "publish_time",
    "publishtime",
    "weibo: article:create_at",
    "dc.date.issued",
    "DC.date.issued",
    "dc.date",
    "article:modified_time",
    "dateModified",
    "dateUpdate",
    "lastmod",
)
_SCRIPT_VAR = re.compile(
    r"""["']?(?:publish|pub|release|post|create|ctime|ptime|news|article)[_\s]?"""
    r"""(?:time|date|at|Time|Date|_time|_date)?["']?\s*[:=]\s*["']?"""
    r"""(\d{10}(?:\d{3})?|\d{4}[-/年]\d{1,2}[-/月]\d{1,2}[^"',;<]{0,12})""",
    re.I,
)


@dataclass
class Found:
    when: datetime
    text: str
    where: str  # byline, meta, title_attr, script
    has_year: bool = True


def read(text: str, now: datetime, tz: tzinfo = SHANGHAI) -> datetime | None:
    """``text`` as a time, or None."""
    value = text.strip()
    m = _SPACED_YMD.match(value)
    if m:  # "2019 09 / 07 19 : 02"
        value = f"{m.group(1)}-{m.group(2)}-{m.group(3)}" + value[m.end() :]
    value = re.sub(r"\s*([:：])\s*", ":", value)
    m = _SHORT_YEAR_AT.match(value)
    if m:  # "18-03-08 23:16" (baijiahao and others print two-digit years)
        value = f"20{m.group(1)}-{m.group(2)}-{m.group(3)}" + value[m.end() :]
    try:
        return parse_datetime(value, now, tz)
    except DateParseError:
        return None


def in_text(text: str, now: datetime, tz: tzinfo = SHANGHAI) -> Found | None:
    """The first readable date in ``text`` (a dated one before a relative one)."""
    partial: Found | None = None
    for m in FIND.finditer(text):
        raw = m.group(0).strip()
        when = read(raw, now, tz)
        if when is None:
            continue
        if _YEAR.match(raw) or _SHORT_YEAR_AT.match(raw):
            return Found(when, raw, "byline")
        if partial is None:
            partial = Found(when, raw, "byline", has_year=False)
    return partial


def _metadata(root: Any, now: datetime, tz: tzinfo) -> Found | None:
    metas: dict[str, str] = {}
    for el in root.iter("meta"):
        key = el.get("property") or el.get("name") or el.get("itemprop")
        value = el.get("content")
        if key and value and key not in metas:
            metas[key] = value
    for name in _META_NAMES:
        if name in metas:
            when = read(metas[name], now, tz)
            if when is not None:
                return Found(when, metas[name], "meta")
    for el in root.iter("time"):
        value = el.get("datetime") or el.get("pubdate")
        if value:
            when = read(value, now, tz)
            if when is not None:
                return Found(when, value, "meta")
    for el in root.iter("script"):
        if (el.get("type") or "").lower() == "application/ld+json" and el.text:
            value = _ld_date(el.text)
            if value:
                when = read(value, now, tz)
                if when is not None:
                    return Found(when, value, "meta")
    return None


def _ld_date(text: str) -> str | None:
    try:
        data = json.loads(text)
    except ValueError:
        m = re.search(r'"datePublished"\s*:\s*"([^"]+)"', text)
        return m.group(1) if m else None
    for node in data if isinstance(data, list) else [data]:
        if isinstance(node, dict) and isinstance(node.get("datePublished"), str):
            return str(node["datePublished"])
    return None


def _title_attribute(root: Any, now: datetime, tz: tzinfo) -> Found | None:
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        value = el.get("title")
        if value and len(value) <= 40 and _YEAR.search(value):
            m = re.search(_FULL, value)
            if m:
                when = read(m.group(0), now, tz)
                if when is not None:
                    return Found(when, m.group(0), "title_attr")
    return None


def _script(root: Any, now: datetime, tz: tzinfo) -> Found | None:
    for el in root.iter("script"):
        if not el.text:
            continue
        for m in _SCRIPT_VAR.finditer(el.text):
            raw = m.group(1).strip()
            when = read(raw, now, tz)
            if when is not None:
                return Found(when, raw, "script")
    return None


def find_published(
    root: Any, byline: list[str], now: datetime, tz: tzinfo = SHANGHAI
) -> Found | None:
    """The page's publication time (see the module's docstring), or None."""
    seen = in_text(" ".join(byline), now, tz) if byline else None
    if seen is not None and seen.has_year:
        return seen
    meta = _metadata(root, now, tz) or _title_attribute(root, now, tz) or _script(root, now, tz)
    if seen is None:
        return meta
    if meta is not None and (meta.when.month, meta.when.day) == (seen.when.month, seen.when.day):
        return Found(seen.when.replace(year=meta.when.year), seen.text, "byline")
    if meta is not None and _CLOCK_ALONE.match(seen.text.replace(" ", "")):
        return meta  # a time of day alone near the title, a full date in the metadata
    return seen
