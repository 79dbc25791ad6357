"""Evidence highlighting and safe links for crawled text in the pages.

Crawled text is hostile. Nothing here produces markup: the text is cut into (piece,
is_evidence) parts and the templates escape every piece and wrap the evidence in ``<mark>``.
The evidence is the alert messages' own (:mod:`yuqing.alerts.evidence`: matched terms and
phrases only, never the model's features), and so are the cutting and the link check
(:mod:`yuqing.alerts.crawled_text`), so a post is highlighted alike in an e-mail and in the
inbox. :func:`snippet` is the one snippet of every list row.
"""

from __future__ import annotations

from typing import Any

from yuqing.alerts import evidence as ev
from yuqing.alerts.crawled_text import safe_url, split_evidence
from yuqing.alerts.evidence import snippet

__all__ = [
    "evidence_by_tag",
    "highlight_terms",
    "safe_url",
    "snippet",
    "snippet_parts",
    "split_evidence",
]

MAX_TERMS = 50
TAGS = ("blanket", "shutdown", "complaint", "licensed", "sector", "district")


def highlight_terms(evidence: Any, text: str | None = None) -> list[str]:
    """The terms to highlight in a post: the matched cues, context triggers and place names of
    every tag (those that read in ``text`` when given), never the model's features."""
    return ev.matched_terms(evidence, text, limit=MAX_TERMS, nested=True)


def evidence_by_tag(evidence: Any, text: str | None = None) -> list[tuple[str, list[str]]]:
    """(tag, matched terms) for each tag with any, most telling tag first; the context
    triggers count for the shutdown tag."""
    if not isinstance(evidence, dict):
        return []
    rows: list[tuple[str, list[str]]] = []
    for tag in TAGS:
        own = evidence.get(tag)
        if tag == "shutdown" and evidence.get("shutdown"):
            own = {"shutdown": own, "context": evidence.get("context")}
        terms = ev.matched_terms(own, text, limit=MAX_TERMS) if own else []
        if terms:
            rows.append((tag, terms))
    return rows


def snippet_parts(text: str, terms: list[str], width: int = ev.SNIPPET_CHARS) -> list[Any]:
    """:func:`yuqing.alerts.evidence.snippet` (kept for the pages that import this name)."""
    return snippet(text, terms, width)
