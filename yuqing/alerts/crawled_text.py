"""Crawled text is hostile: the evidence terms of a post's tags, the post's text cut into
highlighted parts, and links that are safe to show. Nothing here produces markup: templates
escape every part (HTML autoescape, markdown neutralizing) and mark the evidence.

Shared by the alert messages and digests (``alerts.messages``, ``alerts.digest_view``) and the
web pages (``app.web.highlight``), so an officer sees the same highlights and the same links
in an e-mail and in the inbox.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, urlsplit

MIN_HIGHLIGHT = 2  # single characters are listed as evidence but not highlighted: noise
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def evidence_terms(evidence: Any, limit: int, max_chars: int) -> list[str]:
    """The strings in a tag's ``evidence`` (any nesting of dicts and lists; ``[term, weight]``
    pairs give their term), stripped and deduplicated in order: at most ``limit`` of them,
    none longer than ``max_chars`` (a long string is a sentence, not a term)."""
    out: dict[str, None] = {}

    def walk(node: Any) -> None:
        if len(out) >= limit:
            return
        if isinstance(node, str):
            term = node.strip()
            if term and len(term) <= max_chars:
                out.setdefault(term, None)
        elif isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list | tuple):
            for item in node:
                walk(item)

    walk(evidence)
    return list(out)


def split_evidence(text: str, terms: list[str]) -> list[tuple[str, bool]]:
    """``text`` cut into (piece, is_evidence) parts: terms are literal, longer ones win,
    adjacent ones merge into one highlight, terms under :data:`MIN_HIGHLIGHT` characters are
    not highlighted."""
    found = {t for t in terms if len(t) >= MIN_HIGHLIGHT and t in text}
    if not found:
        return [(text, False)] if text else []
    pattern = re.compile("|".join(re.escape(t) for t in sorted(found, key=len, reverse=True)))
    parts: list[tuple[str, bool]] = []
    pos = 0
    for m in pattern.finditer(text):
        if m.start() > pos:
            parts.append((text[pos : m.start()], False))
        if parts and parts[-1][1] and m.start() == pos:
            parts[-1] = (parts[-1][0] + m.group(0), True)
        else:
            parts.append((m.group(0), True))
        pos = m.end()
    if pos < len(text):
        parts.append((text[pos:], False))
    return parts


def safe_url(url: Any) -> str | None:
    """``url``, unchanged, when it is an absolute http(s) URL with a host and no control
    characters; else None (no ``javascript:``/``data:`` links, no protocol-relative ones,
    no line breaks that browsers would silently drop)."""
    if not isinstance(url, str):
        return None
    url = url.strip()
    if _CONTROL.search(url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


def link_url(url: Any) -> str | None:
    """:func:`safe_url` with the characters that could end a link in markdown or plain text
    percent-encoded (space ( ) [ ] < > " and non-ASCII); existing escapes are kept."""
    checked = safe_url(url)
    return None if checked is None else quote(checked, safe=":/?#@$&+,;=%~.-_!*'")
