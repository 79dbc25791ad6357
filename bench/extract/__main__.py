"""Generic article extraction on saved real news pages, against trafilatura alone, in one run.

    .venv/bin/python -m bench.extract --data ../shared/data [--repeat 3] [--misses] [--limit N]

For every page of ``news-pages/expected.json`` (no per-site selectors; see the data's README):
the page is decoded as the crawler decodes it (:func:`yuqing.crawler.encoding.fix_encoding`),
parsed once (by Scrapy's selector, the tree the spider's selectors use), and read by

* ``yuqing``: :func:`yuqing.crawler.article.extract_article` (trafilatura only as the
  fallback for what its heuristics miss), and
* ``trafilatura``: ``trafilatura.bare_extraction`` alone (the baseline).

Right means: title equal (whitespace and full-/half-width forms ignored); date equal to the
minute, or to the day where the page shows no time (date_day: to the day only, as trafilatura
gives no time of day); author-or-source equal; the body starts
with ``text_first`` and ends with ``text_last`` (whitespace ignored); body length within 20 %.
Prints each field's share right for both, the time per page of each extractor against the
parse the spider does anyway (Scrapy's selector on the page; best of ``--repeat``), and the
misses of ours (``--misses``).
The pages are read from --data and never copied.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from scrapy.selector import Selector

from bench.extract.score import (
    FIELDS,
    NOW,
    TARGETS,
    Result,
    judge,
    load_pages,
    ours,
    trafilatura_alone,
)
from yuqing.crawler.article import extract_article
from yuqing.crawler.dates import SHANGHAI
from yuqing.crawler.extract import root


def _timed(fn: Callable[[], Any], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.extract", description=__doc__)
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--misses", action="store_true", help="list what ours got wrong")
    parser.add_argument("--limit", type=int, default=0, help="only the first N pages (smoke)")
    args = parser.parse_args(argv)
    if not (args.data / "news-pages" / "expected.json").exists():
        print(f"no {args.data / 'news-pages' / 'expected.json'}: nothing to measure")
        return 1
    pages = load_pages(args.data)
    if args.limit:
        pages = pages[: args.limit]
    trees = [root(resp) for _, resp in pages]  # the tree the spider's selectors use
    extractors: dict[str, Callable[[Any], Result]] = {
        "yuqing": ours,
        "trafilatura": trafilatura_alone,
    }
    right = {name: dict.fromkeys(FIELDS, 0) for name in extractors}
    misses: list[str] = []
    for (entry, resp), tree in zip(pages, trees, strict=True):
        encoding = resp.encoding
        for name, fn in extractors.items():
            result = fn(tree)
            for field, ok in judge(result, entry).items():
                right[name][field] += ok
                if not ok and name == "yuqing":
                    misses.append(_miss(entry, field, result, encoding))
    n = len(pages)
    print(f"{n} pages ({args.data / 'news-pages'}); share right per field:")
    print(f"  {'field':<12} {'yuqing':>7} {'trafilatura':>12}   target")
    for field in FIELDS:
        target = f">= {TARGETS[field]:.0%}" if field in TARGETS else ""
        print(
            f"  {field:<12} {right['yuqing'][field] / n:>7.0%} "
            f"{right['trafilatura'][field] / n:>12.0%}   {target}"
        )
    parse = _timed(lambda: [Selector(r).root for _, r in pages], args.repeat)
    cost = {
        name: _timed(lambda fn=fn: [fn(t) for t in trees], args.repeat)  # type: ignore[misc]
        for name, fn in extractors.items()
    }
    per_page = parse / n * 1000
    print(f"time per page (best of {args.repeat}): parse (Scrapy selector) {per_page:.1f} ms")
    for name, seconds in cost.items():
        print(f"  {name:<12} {seconds / n * 1000:7.1f} ms  = {seconds / parse:5.1f}x the parse")
    fallback = sum(1 for _, resp in pages if _needed_fallback(root(resp)))
    print(f"pages where ours fell back to trafilatura: {fallback}/{n}")
    if args.misses:
        print(f"misses of ours ({len(misses)}):")
        for line in misses:
            print("  " + line)
    return 0


def _needed_fallback(tree: Any) -> bool:
    art = extract_article(tree, NOW, SHANGHAI, fallback=False)
    return not (art.title and art.text and art.published)


def _miss(entry: dict[str, Any], field: str, result: Result, encoding: str) -> str:
    body = re.sub(r"\s+", "", result.get("text") or "")
    got = {
        "title": result.get("title"),
        "date": result.get("date"),
        "date_day": (result.get("date") or "")[:10],
        "author": result.get("author"),
        "body_start": body[:24],
        "body_end": body[-24:],
        "body_length": len(body),
    }[field]
    want = {
        "title": entry["title"],
        "date": entry["published"],
        "date_day": entry["published"][:10],
        "author": entry["author_or_source"],
        "body_start": entry["text_first"],
        "body_end": entry["text_last"],
        "body_length": entry["body_chars"],
    }[field]
    return f"{entry['path']:<24} {field:<11} got {got!r} want {want!r} ({encoding})"


if __name__ == "__main__":
    sys.exit(main())
