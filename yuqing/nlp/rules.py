"""The analysts' keyword language, compiled once and matched against normalized text.

Syntax (operators in capitals; terms are matched case-insensitively, Traditional or Simplified)::

    一刀切 AND (餐饮 OR 烧烤)        AND, OR, parentheses
    一刀切 齐齐哈尔                   adjacent terms: implicit AND
    关停 NOT "不搞一刀切"            NOT; quoted phrases may contain spaces
    一刀切 NEAR/10 (关停 OR 停产)    both within 10 characters of each other

Precedence, tightest first: NOT, NEAR/n, AND (explicit or implicit), OR. NEAR/n joins terms,
phrases and groups of them joined by OR or NEAR. Errors name the rule and the column (columns
count CJK characters as two, as a terminal shows them), e.g.
``rules[3].keywords: column 12: expected ')' after '(餐饮 OR 烧烤'``.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass

from yuqing.nlp.errors import KeywordSyntaxError
from yuqing.nlp.normalize import normalize_for_matching

__all__ = ["KeywordExpression", "compile_expression", "map_back"]

MAX_SPANS = 200_000  # NEAR results kept for an enclosing NEAR (bounds pathological texts)
_QUOTES = {'"': '"', "“": "”", "「": "」"}
_TERM_STOP = set('()"“”「」') | {" ", "\t", "\n", "\r", "\u3000"}
_NEAR = re.compile(r"NEAR(?:/(\d+))?$")

Span = tuple[int, int]


@dataclass(frozen=True)
class _Tok:
    kind: str  # term, phrase, and, or, not, near, lpar, rpar
    text: str
    pos: int  # character offset in the source
    distance: int = 0


class _Node:
    spanning = False

    def matches(self, text: str) -> bool:
        raise NotImplementedError

    def spans(self, text: str) -> list[Span]:
        raise NotImplementedError

    def positive_terms(self) -> list[str]:
        return []


@dataclass
class _Term(_Node):
    term: str  # normalized
    shown: str
    spanning = True

    def matches(self, text: str) -> bool:
        return self.term in text

    def spans(self, text: str) -> list[Span]:
        out: list[Span] = []
        i = text.find(self.term)
        while i >= 0:
            out.append((i, i + len(self.term)))
            i = text.find(self.term, i + 1)
        return out

    def positive_terms(self) -> list[str]:
        return [self.term]


@dataclass
class _Or(_Node):
    parts: list[_Node]

    def __post_init__(self) -> None:
        self.spanning = all(p.spanning for p in self.parts)

    def matches(self, text: str) -> bool:
        return any(p.matches(text) for p in self.parts)

    def spans(self, text: str) -> list[Span]:
        return sorted(s for p in self.parts for s in p.spans(text))

    def positive_terms(self) -> list[str]:
        return [t for p in self.parts for t in p.positive_terms()]


@dataclass
class _And(_Node):
    parts: list[_Node]

    def matches(self, text: str) -> bool:
        return all(p.matches(text) for p in self.parts)

    def positive_terms(self) -> list[str]:
        return [t for p in self.parts for t in p.positive_terms()]


@dataclass
class _Not(_Node):
    part: _Node

    def matches(self, text: str) -> bool:
        return not self.part.matches(text)


@dataclass
class _Near(_Node):
    left: _Node
    right: _Node
    distance: int
    spanning = True

    def matches(self, text: str) -> bool:
        return bool(self._pairs(text, 1))

    def spans(self, text: str) -> list[Span]:
        return self._pairs(text, MAX_SPANS)

    def _pairs(self, text: str, limit: int) -> list[Span]:
        """Spans covering a left and a right span at most ``distance`` apart (up to limit)."""
        right = sorted(self.right.spans(text))
        if not right:
            return []
        starts = [b0 for b0, _ in right]
        longest = max(b1 - b0 for b0, b1 in right)
        n = self.distance
        out: list[Span] = []
        for a0, a1 in self.left.spans(text):
            lo = bisect_left(starts, a0 - n - longest)
            hi = bisect_right(starts, a1 + n)
            for b0, b1 in right[lo:hi]:
                if max(b0 - a1, a0 - b1) <= n:
                    out.append((min(a0, b0), max(a1, b1)))
                    if len(out) >= limit:
                        return out
        return out

    def positive_terms(self) -> list[str]:
        return [*self.left.positive_terms(), *self.right.positive_terms()]


def _column(source: str, pos: int) -> int:
    """1-based display column of ``source[pos]`` (wide characters count two)."""
    return 1 + sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in source[:pos])


class _Parser:
    def __init__(self, source: str, name: str) -> None:
        self.source = source
        self.name = name
        self.toks = self._lex()
        self.i = 0

    def error(self, pos: int | None, reason: str) -> KeywordSyntaxError:
        col = _column(self.source, pos) if pos is not None else None
        return KeywordSyntaxError(self.name, col, reason)

    def _lex(self) -> list[_Tok]:
        s, i, toks = self.source, 0, []
        while i < len(s):
            c = s[i]
            if c.isspace():
                i += 1
            elif c in "()":
                toks.append(_Tok("lpar" if c == "(" else "rpar", c, i))
                i += 1
            elif c in _QUOTES:
                end = s.find(_QUOTES[c], i + 1)
                if end < 0:
                    raise self.error(i, "unterminated quoted phrase")
                phrase = s[i + 1 : end]
                if not phrase.strip():
                    raise self.error(i, "empty quoted phrase")
                toks.append(_Tok("phrase", phrase, i))
                i = end + 1
            elif c in "”」":
                raise self.error(i, f"unexpected {c!r}")
            else:
                j = i
                while j < len(s) and s[j] not in _TERM_STOP and not s[j].isspace():
                    j += 1
                word = s[i:j]
                near = _NEAR.match(word)
                if word in ("AND", "OR", "NOT"):
                    toks.append(_Tok(word.lower(), word, i))
                elif near:
                    if near.group(1) is None:
                        raise self.error(i, "NEAR needs a distance in characters, e.g. NEAR/5")
                    toks.append(_Tok("near", word, i, int(near.group(1))))
                else:
                    toks.append(_Tok("term", word, i))
                i = j
        return toks

    def peek(self) -> _Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def parse(self) -> _Node:
        if not self.toks:
            raise self.error(None, "empty expression")
        node = self.parse_or()
        tok = self.peek()
        if tok is not None:
            raise self.error(tok.pos, f"unexpected {tok.text!r}")
        return node

    def parse_or(self) -> _Node:
        parts = [self.parse_and()]
        while (tok := self.peek()) is not None and tok.kind == "or":
            self.i += 1
            parts.append(self.operand_after(tok, self.parse_and))
        return parts[0] if len(parts) == 1 else _Or(parts)

    def parse_and(self) -> _Node:
        parts = [self.parse_near()]
        while (tok := self.peek()) is not None and tok.kind in (
            "and",
            "term",
            "phrase",
            "lpar",
            "not",
        ):
            if tok.kind == "and":
                self.i += 1
                parts.append(self.operand_after(tok, self.parse_near))
            else:
                parts.append(self.parse_near())
        return parts[0] if len(parts) == 1 else _And(parts)

    def parse_near(self) -> _Node:
        node = self.parse_unary()
        while (tok := self.peek()) is not None and tok.kind == "near":
            self.i += 1
            right = self.operand_after(tok, self.parse_unary)
            if not (node.spanning and right.spanning):
                raise self.error(
                    tok.pos, f"{tok.text} joins terms, phrases or (A OR B) groups, not AND/NOT"
                )
            node = _Near(node, right, tok.distance)
        return node

    def parse_unary(self) -> _Node:
        tok = self.peek()
        if tok is None:
            raise self.error(len(self.source), "expected a term")
        if tok.kind == "not":
            self.i += 1
            return _Not(self.operand_after(tok, self.parse_unary))
        if tok.kind in ("term", "phrase"):
            self.i += 1
            term = normalize_for_matching(tok.text)
            if not term.strip():
                raise self.error(tok.pos, "empty term")
            return _Term(term, tok.text)
        if tok.kind == "lpar":
            self.i += 1
            if (nxt := self.peek()) is not None and nxt.kind == "rpar":
                raise self.error(tok.pos, "empty parentheses")
            node = self.parse_or()
            close = self.peek()
            if close is None or close.kind != "rpar":
                upto = close.pos if close is not None else len(self.source)
                shown = self.source[tok.pos : upto].strip()
                raise self.error(tok.pos, f"expected ')' after {shown!r}")
            self.i += 1
            return node
        if tok.kind == "rpar":
            raise self.error(tok.pos, "unexpected ')'")
        raise self.error(tok.pos, f"expected a term before {tok.text!r}")

    def operand_after(self, op: _Tok, parse: Callable[[], _Node]) -> _Node:
        nxt = self.peek()
        if nxt is None or nxt.kind in ("rpar", "and", "or", "near"):
            raise self.error(op.pos, f"expected a term after {op.text!r}")
        return parse()


def map_back(original: str, normalized: str, span: Span) -> str:
    """The text of ``span`` (found in ``normalized``) as it reads in ``original`` when the two
    align character by character, else as normalized."""
    if len(original) == len(normalized):
        return original[span[0] : span[1]]
    return normalized[span[0] : span[1]]


class KeywordExpression:
    """A compiled keyword expression. ``matches``/``evidence`` take raw text (normalized here)
    or, with ``normalized=True``, text already passed through ``normalize_for_matching``."""

    def __init__(self, source: str, name: str = "") -> None:
        self.source = source
        self.name = name
        self._root = _Parser(source, name).parse()
        seen: dict[str, None] = {}
        for t in self._root.positive_terms():
            seen.setdefault(t, None)
        self.terms: list[str] = list(seen)

    def __repr__(self) -> str:
        return f"KeywordExpression({self.source!r})"

    def matches(self, text: str, *, normalized: bool = False) -> bool:
        norm = text if normalized else normalize_for_matching(text)
        return self._root.matches(norm)

    def evidence(self, text: str, *, normalized: bool = False) -> list[str]:
        """The positive terms found in ``text`` when the expression matches, in the order they
        first occur, spelled as in ``text``; [] when it does not match."""
        norm = text if normalized else normalize_for_matching(text)
        if not self._root.matches(norm):
            return []
        found = sorted((i, t) for t in self.terms if (i := norm.find(t)) >= 0)
        out: dict[str, None] = {}
        for i, t in found:
            out.setdefault(map_back(text, norm, (i, i + len(t))), None)
        return list(out)


def compile_expression(source: str, name: str = "") -> KeywordExpression:
    """Compile ``source``; raises :class:`KeywordSyntaxError` naming ``name`` and the column."""
    return KeywordExpression(source, name)
