"""Evidence an officer can check: the terms and phrases matched in a post, and a short snippet
of the post around the first of them.

A post's stored evidence (``post_tags.evidence``, written by :mod:`yuqing.nlp.tagger`) holds,
per tag, the cue-lexicon terms matched in the post (as they read in it: 停产整顿, 一律关停,
先停再说, 投诉 …), the district's place name, the context triggers (``关停:imposed/business``)
and the model's strongest features (``features``: character n-grams such as ``23``, ``们那``,
``说是`` that explain a score but mean nothing to an officer). Only matched terms are evidence:

- the features and the city name are never listed nor highlighted;
- a context trigger counts by its term (``关停``), not by its internal description, and only
  in a post tagged shutdown (a 取缔 the writer asks for is no evidence of a shutdown);
- a term counts only if it reads in the post's title or text (older or foreign evidence shapes,
  codes and English descriptions never reach a page), has at least two characters and at
  least one Chinese character or letter (no bare numbers);
- a term inside a longer listed term is listed once, by the longer one (一律关停, not 关停 too).

:func:`matched_terms` selects them (every page, message and digest uses it) and
:func:`snippet` cuts the ~80-character window around the first one, as (piece, is_evidence)
parts that templates escape and mark. Nothing here produces markup.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from yuqing.alerts.crawled_text import split_evidence

__all__ = ["MAX_TERMS", "SNIPPET_CHARS", "matched_terms", "snippet", "snippet_text"]

MAX_TERMS = 8
MAX_TERM_CHARS = 20
MIN_TERM_CHARS = 2
SNIPPET_CHARS = 80
# The tagger's evidence keys, most telling first; any other key (a later tagger's) follows.
ORDER = ("blanket", "shutdown", "context", "complaint", "licensed", "sector", "district")
NOT_EVIDENCE = frozenset({"features", "city"})
_WORD = re.compile(r"[\u3400-\u9fffA-Za-z]")
_SPACE = re.compile(r"\s+")


def _strings(node: Any) -> Iterable[str]:
    """Every string in ``node`` (lists of strings or of [term, weight] pairs)."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, list | tuple):
        if len(node) == 2 and isinstance(node[0], str) and isinstance(node[1], int | float):
            yield node[0]
            return
        for item in node:
            yield from _strings(item)


def _candidates(evidence: Any) -> Iterable[str]:
    if isinstance(evidence, dict):
        keys = [k for k in ORDER if k in evidence]
        keys += [k for k in evidence if k not in ORDER and k not in NOT_EVIDENCE]
        for key in keys:
            if key == "context" and not evidence.get("shutdown"):
                continue  # a demanded or feared stop in a post not tagged shutdown
            for term in _strings(evidence[key]):
                # a context trigger reads "term:modality/object": its term is the evidence
                yield term.split(":", 1)[0] if key == "context" else term
    else:
        yield from _strings(evidence)


def _acceptable(term: str) -> bool:
    return MIN_TERM_CHARS <= len(term) <= MAX_TERM_CHARS and bool(_WORD.search(term))


def matched_terms(
    evidence: Any,
    text: str | None = None,
    extra: Sequence[str] = (),
    limit: int = MAX_TERMS,
    nested: bool = False,
) -> list[str]:
    """The matched terms of a post's stored ``evidence`` (plus ``extra`` ones, e.g. an alert
    rule's keywords or a policy clause's trigger phrases), in order of importance: only those
    that read in ``text`` (the post's title and text; ``None`` skips that check, for callers
    without the text), none inside a longer one (unless ``nested``: highlighting wants 关停
    elsewhere in the text too), at most ``limit``."""
    seen: dict[str, None] = {}
    for raw in [*_candidates(evidence), *extra]:
        if not isinstance(raw, str):
            continue
        term = raw.strip()
        if term in seen or not _acceptable(term):
            continue
        if text is not None and term not in text:
            continue
        seen[term] = None
    terms = list(seen)
    if not nested:
        terms = [t for t in terms if not any(t != o and t in o for o in terms)]
    return terms[:limit]


def _window(text: str, terms: Sequence[str], width: int) -> str:
    flat = _SPACE.sub(" ", text).strip()
    if len(flat) <= width:
        return flat
    hits = [(i, len(t)) for t in terms if len(t) >= MIN_TERM_CHARS and (i := flat.find(t)) >= 0]
    at, size = hits[0] if hits else (0, 0)
    start = max(0, min(at + size // 2 - width // 2, len(flat) - width))
    piece = flat[start : start + width]
    return ("…" if start > 0 else "") + piece + ("…" if start + width < len(flat) else "")


def snippet_text(
    text: str, terms: Sequence[str], width: int = SNIPPET_CHARS, title: str = ""
) -> str:
    """About ``width`` characters of ``text`` on one line, centred on the first of ``terms``
    (the most telling, as :func:`matched_terms` orders them) that reads in it (the start of the
    text when none does; the title when the text is empty), with … where it was cut."""
    return _window(text if text and text.strip() else title, terms, width)


def snippet(
    text: str, terms: Sequence[str], width: int = SNIPPET_CHARS, title: str = ""
) -> list[tuple[str, bool]]:
    """:func:`snippet_text` cut into (piece, is_evidence) parts: the matched terms are the
    evidence, everything else plain text. The one snippet of every list row (inbox, an
    incident's posts, search results, triage queue, digests, messages)."""
    return split_evidence(snippet_text(text, terms, width, title), list(terms))
