"""Evidence highlighting and safe links for crawled text in the pages.

Crawled text is hostile. Nothing here produces markup: the text is cut into (piece,
is_evidence) parts and the templates escape every piece and wrap the evidence in ``<mark>``.
The cutting and the link check are the alert messages' own (:mod:`yuqing.alerts.crawled_text`),
so a post is highlighted alike in an e-mail and in the inbox.
"""

from __future__ import annotations

from typing import Any

from yuqing.alerts import crawled_text
from yuqing.alerts.crawled_text import safe_url, split_evidence

__all__ = [
    "evidence_by_tag",
    "evidence_terms",
    "highlight_terms",
    "safe_url",
    "snippet_parts",
    "split_evidence",
]

MAX_TERMS = 50
MAX_TERM_CHARS = 40


def evidence_terms(evidence: Any) -> list[str]:
    """Every string in a tag's ``evidence`` (any nesting of dicts and lists), deduplicated in
    order; [term, weight] pairs count by their term."""
    return crawled_text.evidence_terms(evidence, MAX_TERMS, MAX_TERM_CHARS)


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


def snippet_parts(text: str, terms: list[str], width: int = 160) -> list[tuple[str, bool]]:
    """A window of about ``width`` characters around the first evidence, cut by
    :func:`split_evidence`."""
    first = min((i for t in terms if t and (i := text.find(t)) >= 0), default=0)
    start = max(0, first - width // 3)
    piece = text[start : start + width]
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + width < len(text) else ""
    return split_evidence(prefix + piece + suffix, terms)
