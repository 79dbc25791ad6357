"""Scoring generic article extraction against news-pages/expected.json (see __main__.py)."""

from __future__ import annotations

import json
import re
import unicodedata
from copy import deepcopy
from datetime import datetime
from pathlib import Path
from typing import Any

from scrapy.http import HtmlResponse, TextResponse

from yuqing.crawler.article import extract_article
from yuqing.crawler.dates import SHANGHAI
from yuqing.crawler.encoding import fix_encoding

FIELDS = ("title", "date", "date_day", "author", "body_start", "body_end", "body_length")
TARGETS = {"title": 0.9, "date": 0.9, "body_start": 0.9, "body_end": 0.9}
# "now" for dates printed without a year: after every saved page, as a crawl would be.
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=SHANGHAI)
Result = dict[str, Any]


def _norm(text: str | None) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def judge(result: Result, expected: dict[str, Any]) -> dict[str, bool]:
    body = _norm(result.get("text"))
    published = expected["published"]
    return {
        "title": _norm(result.get("title")) == _norm(expected["title"]),
        "date": (result.get("date") or "")[: len(published)] == published,
        # to the day only: trafilatura gives no time of day
        "date_day": (result.get("date") or "")[:10] == published[:10],
        "author": _norm(result.get("author")) == _norm(expected["author_or_source"]),
        "body_start": bool(body) and body.startswith(_norm(expected["text_first"])),
        "body_end": bool(body) and body.endswith(_norm(expected["text_last"])),
        "body_length": abs(len(body) - expected["body_chars"]) <= 0.2 * expected["body_chars"],
    }


def ours(tree: Any) -> Result:
    art = extract_article(tree, NOW, SHANGHAI)
    date = art.published.strftime("%Y-%m-%d %H:%M") if art.published else None
    if (
        art.published
        and art.published_text
        and not re.search(r"\d\s*[:：]\s*\d", art.published_text)
    ):
        date = art.published.strftime("%Y-%m-%d")
    return {"title": art.title, "text": art.text, "date": date, "author": art.author}


def trafilatura_alone(tree: Any) -> Result:
    import trafilatura

    doc = trafilatura.bare_extraction(deepcopy(tree), with_metadata=True)
    if doc is None:
        return {}
    data = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    return {k: data.get(k) for k in ("title", "text", "date", "author")}


def load_pages(data: Path) -> list[tuple[dict[str, Any], TextResponse]]:
    base = data / "news-pages"
    expected = json.loads((base / "expected.json").read_text(encoding="utf-8"))
    pages = []
    for entry in expected:
        body = (base / entry["path"]).read_bytes()
        url = "https://news.example/" + entry["path"]
        response = HtmlResponse(url, body=body, headers={"Content-Type": "text/html"})
        pages.append((entry, fix_encoding(response)))
    return pages
