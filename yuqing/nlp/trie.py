"""Leftmost-longest matching of many literal terms with one compiled regular expression.

The terms are arranged in a trie and the trie is written out as a regex, so the engine branches
on each next character instead of trying every term at every position (an alternation of
hundreds of literals is slow in ``re``). Where a term is a prefix of a longer one the longer is
tried first, so ``finditer`` yields leftmost-longest, non-overlapping matches — the semantics
of an Aho–Corasick matcher with longest-match resolution.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_END = ""


Node = dict[str, "Node"]


def _trie(terms: Iterable[str]) -> Node:
    root: Node = {}
    for term in terms:
        if not term:
            continue
        node = root
        for ch in term:
            node = node.setdefault(ch, {})
        node[_END] = {}
    return root


def _pattern(node: Node) -> str:
    terminal = _END in node
    branches = []
    for ch in sorted(k for k in node if k != _END):
        branches.append(re.escape(ch) + _pattern(node[ch]))
    if not branches:
        return ""
    if len(branches) == 1 and not terminal:
        body = branches[0]
        return body
    body = "(?:" + "|".join(branches) + ")"
    return body + "?" if terminal else body


def compile_terms(terms: Iterable[str]) -> re.Pattern[str] | None:
    """A pattern matching any of ``terms`` (leftmost-longest); None when there are no terms."""
    root = _trie(terms)
    if not root:
        return None
    return re.compile(_pattern(root))
