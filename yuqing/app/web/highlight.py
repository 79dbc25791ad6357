"""Evidence highlighting and safe links for crawled text.

Crawled text is hostile. Nothing here produces markup: the text is cut into (piece,
is_evidence) parts and the templates escape every piece and wrap the evidence in ``<mark>``.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

MAX_TERMS = 50
MAX_TERM_CHARS = 40


def evidence_terms(evidence: Any) -> list[str]:
    """Every string in a tag's ``evidence`` (any nesting of dicts and lists), deduplicated in
    order; [term, weight] pairs count by their term."""
    out: dict[str, None] = {}

    def walk(node: Any) -> None:
        if len(out) >= MAX_TERMS:
            return
        if isinstance(node, str):
            term = node.strip()
            if term and len(term) <= MAX_TERM_CHARS:
                out.setdefault(term, None)
        elif isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list | tuple):
            for item in node:
                walk(item)

    walk(evidence)
    return list(out)


def highlight_terms(evidence: Any) -> list[str]:
    """The terms to highlight in a post: the matched cues and place names of every tag, not
    the model's top features (single characters and n-grams would light up everywhere)."""
    if isinstance(evidence, dict):
        return evidence_terms({k: v for k, v in evidence.items() if k != "features"})
    return evidence_terms(evidence)


def evidence_by_tag(evidence: Any) -> list[tuple[str, list[str], list[str]]]:
    """(tag, matched cues, model features) for each tag with any, in the tagger's order."""
    if not isinstance(evidence, dict):
        return []
    features = evidence.get("features")
    features = features if isinstance(features, dict) else {}
    rows: list[tuple[str, list[str], list[str]]] = []
    for key in [*evidence, *features]:
        if key == "features" or any(r[0] == key for r in rows):
            continue
        cues = evidence_terms(evidence.get(key))
        feats = evidence_terms(features.get(key))
        if cues or feats:
            rows.append((str(key), cues, feats))
    return rows


def split_evidence(text: str, terms: list[str]) -> list[tuple[str, bool]]:
    """``text`` cut into (piece, is_evidence) parts; longer terms win, adjacent ones merge."""
    found = sorted({t for t in terms if t and t in text}, key=len, reverse=True)
    if not found:
        return [(text, False)] if text else []
    pattern = re.compile("|".join(re.escape(t) for t in found))
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


def snippet_parts(text: str, terms: list[str], width: int = 160) -> list[tuple[str, bool]]:
    """A window of about ``width`` characters around the first evidence, split as above."""
    first = min((i for t in terms if t and (i := text.find(t)) >= 0), default=0)
    start = max(0, first - width // 3)
    piece = text[start : start + width]
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + width < len(text) else ""
    return split_evidence(prefix + piece + suffix, terms)


def safe_url(url: Any) -> str | None:
    """``url`` when it is an absolute http(s) URL, else None (no ``javascript:`` links)."""
    if not isinstance(url, str):
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    if any(c in url for c in "\x00\r\n\t"):
        return None
    return url
