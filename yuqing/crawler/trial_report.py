"""What ``yuqing sources try`` prints: per page the encoding, the links it would follow (and
the off-site ones it would not), page drops; per item each field's raw value, the cleaned
text, the parsed date, and its drop reason. English labels, the page's own (Chinese) values."""

from __future__ import annotations

from datetime import tzinfo

from yuqing.config.sources import AnySource
from yuqing.crawler.trial import COUNTS, TrialItem, TrialPage, TrialResult

WIDTH = 100
SHOWN_LINKS = 10


def _short(value: object, width: int = WIDTH) -> str:
    if value is None:
        return "—"
    text = " ".join(str(value).split())
    if not text:
        return "(empty)"
    return text if len(text) <= width else text[: width - 1] + "…"


def _page_lines(page: TrialPage) -> list[str]:
    status = f"HTTP {page.status}" if page.status else "not fetched"
    lines = [f"page {page.url}", f"  read with      {page.callback} ({page.origin}, {status})"]
    if page.encoding:
        changed = page.declared and page.declared.lower() != page.encoding.lower()
        note = f" (declared or guessed {page.declared}, re-read)" if changed else ""
        lines.append(f"  encoding       {page.encoding}{note}")
    if page.follow:
        lines.append(f"  would follow   {len(page.follow)} link(s)")
        for url, callback in page.follow[:SHOWN_LINKS]:
            lines.append(f"    → {url}  ({callback})")
        if len(page.follow) > SHOWN_LINKS:
            lines.append(f"    … and {len(page.follow) - SHOWN_LINKS} more")
    if page.offsite:
        lines.append(f"  off-site       {len(page.offsite)} link(s) not followed (allowed_domains)")
        for url in page.offsite[:3]:
            lines.append(f"    ✗ {url}")
    for reason, url, message in page.drops:
        if reason == "page:offsite":
            continue
        lines.append(f"  DROPPED PAGE   {reason}: {url} — {message}")
    return lines


FIELD_MAPS = ("list_fields", "fields", "article", "detail")


def _selectors(source: AnySource, name: str) -> str:
    """Where the source looks for field ``name`` (to show next to an empty value)."""
    found = []
    for where in FIELD_MAPS:
        spec = getattr(getattr(source, where, None), name, None)
        if spec is not None:
            found.append(f"{where}.{name}: {getattr(spec, 'select', spec)}")
    return "; ".join(found) if found else "no selector configured"


def _item_lines(n: int, item: TrialItem, tz: tzinfo, source: AnySource) -> list[str]:
    verdict = "would be stored" if item.kept else f"DROPPED: {item.drop}"
    lines = [f"  item {n}: {verdict}"]
    if item.drop_detail and not item.kept:
        lines.append(f"    reason       {item.drop_detail}")
    for name, raw in item.raw.items():
        if name == "external_id" and raw is None:
            continue
        empty = raw is None or (isinstance(raw, str) and not raw.strip())
        hint = f"  ({_selectors(source, name)})" if empty and name != "external_id" else ""
        lines.append(f"    {name:<12} raw: {_short(raw, 80)}{hint}")
        if not item.kept:
            continue
        if name == "title":
            lines.append(f"    {'':<12} clean: {_short(item.title)}")
        elif name == "text":
            lines.append(f"    {'':<12} clean: {_short(item.text)} ({len(item.text)} chars)")
        elif name == "published":
            when = item.published_at.astimezone(tz).isoformat(" ") if item.published_at else "—"
            lines.append(f"    {'':<12} parsed: {when}")
        elif name == "url" and item.url != raw:
            lines.append(f"    {'':<12} stored as: {item.url}")
    counts = ", ".join(f"{k} {v}" for k, v in item.counts.items() if k in COUNTS and v is not None)
    if counts:
        lines.append(f"    {'counts':<12} {counts}")
    return lines


def format_result(result: TrialResult, tz: tzinfo) -> str:
    src = result.source
    lines = [f"source {src.name} ({src.kind}){f' — {src.title}' if src.title else ''}"]
    for page in result.pages:
        lines.append("")
        lines += _page_lines(page)
        for n, item in enumerate(page.items, 1):
            lines += _item_lines(n, item, tz, src)
    lines.append("")
    total = len(result.items)
    drops = ", ".join(f"{k}={v}" for k, v in result.drop_counts().items())
    offsite = sum(len(p.offsite) for p in result.pages)
    more = result.not_fetched
    lines.append(
        f"summary: {result.stored} of {total} item(s) would be stored; "
        f"{len(result.pages)} page(s) read"
        + (f"; dropped: {drops}" if drops else "")
        + (f"; {offsite} off-site link(s) not followed" if offsite else "")
        + (f"; {more} more page(s) not fetched (--limit)" if more else "")
    )
    if result.failed:
        lines.append("nothing would be stored: check the selectors above (sources try exits 1)")
    elif not result.stored:
        lines.append(
            "no post on the page(s) read: the posts are on the pages it would follow — "
            "try one with --detail (--file PAGE or --url URL), or raise --limit"
        )
    return "\n".join(lines)
