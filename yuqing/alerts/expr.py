"""The ``when:`` language of alert rules: conditions over one post's tags, compiled once.

    shutdown and (blanket or licensed)
    complaint and sector != "other"
    not licensed and district == "龙沙区"
    custom.petition_dept == "信访" or custom.urgent

Tags: ``shutdown``, ``blanket``, ``complaint``, ``licensed`` (booleans), ``sector`` and
``district`` (text; ``district == ""`` means the post names none) and ``custom.NAME`` (a custom
classifier's prediction: compared as text, or used alone for "has a value"). Operators:
``and``, ``or``, ``not``, parentheses, ``==``, ``!=``, ``true``/``false``, "text" or 'text'.
Precedence, tightest first: comparison, ``not``, ``and``, ``or``.

Errors give the 1-based display column (wide characters count two), e.g.
``column 14: unknown tag 'shutdwn' (did you mean 'shutdown'?)``.
"""

from __future__ import annotations

import difflib
import operator
import re
import unicodedata
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from yuqing.alerts.errors import ExpressionError
from yuqing.alerts.labels import SECTORS

BOOL_TAGS = ("shutdown", "blanket", "complaint", "licensed")
TEXT_TAGS = ("sector", "district")
_KEYWORDS = ("and", "or", "not", "true", "false")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_\-]*)*")
_QUOTES = {'"': '"', "'": "'", "“": "”"}


@dataclass(frozen=True, slots=True)
class Tags:
    """What a ``when`` expression sees of a post (``district`` is "" when there is none)."""

    shutdown: bool = False
    blanket: bool = False
    complaint: bool = False
    licensed: bool = False
    sector: str = "other"
    district: str = ""
    custom: Mapping[str, Any] = field(default_factory=dict)


Predicate = Callable[[Tags], bool]


def _column(source: str, pos: int) -> int:
    return 1 + sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in source[:pos])


@dataclass(frozen=True)
class _Tok:
    kind: str  # ident, str, op (== !=), lpar, rpar, and, or, not, true, false
    text: str
    pos: int
    value: str = ""


@dataclass(frozen=True)
class _Operand:
    """A comparison side: ``kind`` is bool (tag), text (tag), custom, strlit or boollit."""

    kind: str
    name: str
    pos: int
    value: Any = None


def _custom_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        inner = value.get("label", value.get("value"))
        return "" if inner is None else str(inner)
    return str(value)


def _custom_truthy(value: Any) -> bool:
    if isinstance(value, dict):
        value = value.get("label", value.get("value"))
    return bool(value) and value not in ("0", "false")


class _Parser:
    def __init__(self, source: str, districts: Collection[str] | None) -> None:
        self.source = source
        self.districts = districts
        self.toks = self._lex()
        self.i = 0

    def error(self, pos: int | None, reason: str) -> ExpressionError:
        return ExpressionError(_column(self.source, pos) if pos is not None else None, reason)

    # Deliberately not shared with the keyword language's lexer (yuqing/nlp/rules.py), though
    # both skip spaces, split off parentheses, read quoted text and report display columns:
    # the languages differ token by token (here ASCII identifiers, == and !=, keywords in any
    # case, backslash escapes and '…' strings, hints for = ! & |; there free CJK terms that
    # stop only at spaces, parentheses and quotes, AND/OR/NOT in capitals only, NEAR/n, 「…」
    # phrases without escapes), so one lexer would be a parametrized one longer than both.
    # And alerts may not import nlp (app → alerts, crawler → nlp → store → config), while a
    # module under config for a lexer would put parsing code where only configuration lives.
    def _lex(self) -> list[_Tok]:
        s, i, toks = self.source, 0, []
        while i < len(s):
            c = s[i]
            if c.isspace():
                i += 1
            elif c in "()":
                toks.append(_Tok("lpar" if c == "(" else "rpar", c, i))
                i += 1
            elif s.startswith(("==", "!="), i):
                toks.append(_Tok("op", s[i : i + 2], i))
                i += 2
            elif c == "=":
                raise self.error(i, "use '==' to compare")
            elif c == "!":
                raise self.error(i, "use 'not' to negate, '!=' to compare")
            elif c in "&|":
                word = "and" if c == "&" else "or"
                raise self.error(i, f"use '{word}' instead of {c!r}")
            elif c in _QUOTES:
                i = self._string(i, toks)
            else:
                m = _IDENT.match(s, i)
                if not m:
                    raise self.error(i, f"unexpected character {c!r}")
                word = m.group(0)
                kind = word.lower() if word.lower() in _KEYWORDS else "ident"
                toks.append(_Tok(kind, word, i))
                i = m.end()
        return toks

    def _string(self, i: int, toks: list[_Tok]) -> int:
        s, close = self.source, _QUOTES[self.source[i]]
        j, chars = i + 1, []
        while j < len(s) and s[j] != close:
            if s[j] == "\\" and j + 1 < len(s):
                j += 1
            chars.append(s[j])
            j += 1
        if j >= len(s):
            raise self.error(i, "unterminated text (missing closing quote)")
        toks.append(_Tok("str", s[i : j + 1], i, "".join(chars)))
        return j + 1

    def peek(self) -> _Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def parse(self) -> Predicate:
        if not self.toks:
            raise self.error(None, "empty expression")
        fn = self.parse_or()
        tok = self.peek()
        if tok is not None:
            if tok.kind == "rpar":
                raise self.error(tok.pos, "unexpected ')' (no matching '(')")
            raise self.error(tok.pos, f"expected 'and' or 'or' before {tok.text!r}")
        return fn

    def parse_or(self) -> Predicate:
        fn = self.parse_and()
        while (tok := self.peek()) is not None and tok.kind == "or":
            self.i += 1
            self.need_operand(tok)
            left, right = fn, self.parse_and()
            fn = _or(left, right)
        return fn

    def parse_and(self) -> Predicate:
        fn = self.parse_not()
        while (tok := self.peek()) is not None and tok.kind == "and":
            self.i += 1
            self.need_operand(tok)
            left, right = fn, self.parse_not()
            fn = _and(left, right)
        return fn

    def parse_not(self) -> Predicate:
        tok = self.peek()
        if tok is not None and tok.kind == "not":
            self.i += 1
            self.need_operand(tok)
            inner = self.parse_not()
            return lambda t: not inner(t)
        return self.parse_atom()

    def need_operand(self, op: _Tok) -> None:
        nxt = self.peek()
        if nxt is None or nxt.kind in ("rpar", "and", "or", "op"):
            raise self.error(op.pos, f"expected a condition after {op.text!r}")

    def parse_atom(self) -> Predicate:
        tok = self.peek()
        if tok is None:
            raise self.error(len(self.source), "expected a condition")
        if tok.kind == "lpar":
            self.i += 1
            if (nxt := self.peek()) is not None and nxt.kind == "rpar":
                raise self.error(tok.pos, "empty parentheses")
            fn = self.parse_or()
            close = self.peek()
            if close is None or close.kind != "rpar":
                raise self.error(tok.pos, "'(' is never closed")
            self.i += 1
            return fn
        if tok.kind in ("rpar", "and", "or", "op"):
            raise self.error(tok.pos, f"expected a condition before {tok.text!r}")
        left = self.operand()
        nxt = self.peek()
        if nxt is not None and nxt.kind == "op":
            self.i += 1
            if self.peek() is None or self.peek().kind not in ("ident", "str", "true", "false"):  # type: ignore[union-attr]
                raise self.error(nxt.pos, f"expected a tag or a value after {nxt.text!r}")
            right = self.operand()
            return self.comparison(left, nxt, right)
        return self.alone(left)

    def operand(self) -> _Operand:
        tok = self.peek()
        assert tok is not None
        self.i += 1
        if tok.kind == "str":
            return _Operand("strlit", tok.text, tok.pos, tok.value)
        if tok.kind in ("true", "false"):
            return _Operand("boollit", tok.text, tok.pos, tok.kind == "true")
        name = tok.text
        if name in BOOL_TAGS:
            return _Operand("bool", name, tok.pos)
        if name in TEXT_TAGS:
            return _Operand("text", name, tok.pos)
        if name.startswith("custom."):
            custom = name[len("custom.") :]
            if not re.fullmatch(r"[A-Za-z0-9_\-]+", custom):
                raise self.error(tok.pos, f"invalid custom tag {name!r} (write custom.NAME)")
            return _Operand("custom", custom, tok.pos)
        if name == "custom":
            raise self.error(tok.pos, "custom tags are written custom.NAME")
        known = [*BOOL_TAGS, *TEXT_TAGS]
        close = (
            [name.lower()]
            if name.lower() in known
            else difflib.get_close_matches(name, known, n=1, cutoff=0.6)
        )
        hint = (
            f" (did you mean {close[0]!r}?)"
            if close
            else f" (known: {', '.join(known)}, custom.NAME)"
        )
        raise self.error(tok.pos, f"unknown tag {name!r}{hint}")

    def alone(self, o: _Operand) -> Predicate:
        if o.kind == "bool":
            return operator.attrgetter(o.name)
        if o.kind == "boollit":
            value = bool(o.value)
            return lambda t: value
        if o.kind == "custom":
            name = o.name
            return lambda t: _custom_truthy(t.custom.get(name))
        if o.kind == "text":
            example = '"construction"' if o.name == "sector" else '"龙沙区"'
            raise self.error(
                o.pos, f"{o.name!r} is a text tag: compare it, e.g. {o.name} == {example}"
            )
        raise self.error(o.pos, f"the text {o.name} must be compared with a tag")

    def comparison(self, left: _Operand, op: _Tok, right: _Operand) -> Predicate:
        if left.kind in ("strlit", "boollit") and right.kind in ("strlit", "boollit"):
            raise self.error(left.pos, "compares two values; one side must be a tag")
        if left.kind in ("strlit", "boollit"):
            left, right = right, left
        self.check_types(left, op, right)
        get_left = self.getter(left, right)
        equal = op.text == "=="
        if right.kind in ("strlit", "boollit"):
            value = right.value
            if equal:
                return lambda t: get_left(t) == value
            return lambda t: get_left(t) != value
        get_right = self.getter(right, left)
        if equal:
            return lambda t: get_left(t) == get_right(t)
        return lambda t: get_left(t) != get_right(t)

    def check_types(self, tag: _Operand, op: _Tok, other: _Operand) -> None:
        boolish = {"bool", "boollit"}
        textish = {"text", "strlit"}
        if tag.kind == "custom" or other.kind == "custom":
            return
        if (tag.kind in boolish) != (other.kind in boolish) or (
            (tag.kind in textish) != (other.kind in textish)
        ):
            what = "boolean" if tag.kind == "bool" else "text"
            hint = f" (write {tag.name} or not {tag.name})" if tag.kind == "bool" else ""
            raise self.error(
                other.pos, f"cannot compare {what} tag {tag.name!r} with {other.name}{hint}"
            )
        if other.kind == "strlit":
            self.check_value(tag.name, other)

    def check_value(self, tag: str, lit: _Operand) -> None:
        value = str(lit.value)
        if tag == "sector" and value not in SECTORS:
            close = difflib.get_close_matches(value, SECTORS, n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}?" if close else f"one of: {', '.join(SECTORS)}"
            raise self.error(lit.pos, f"unknown sector {value!r} ({hint})")
        districts = self.districts
        if tag == "district" and value and districts is not None and value not in districts:
            raise self.error(lit.pos, f"unknown district {value!r} (not in the gazetteer)")

    @staticmethod
    def getter(o: _Operand, other: _Operand) -> Callable[[Tags], Any]:
        if o.kind in ("bool", "text"):
            return operator.attrgetter(o.name)
        name = o.name
        if other.kind == "boollit" or other.kind == "bool":
            return lambda t: _custom_truthy(t.custom.get(name))
        return lambda t: _custom_text(t.custom.get(name))


def _and(a: Predicate, b: Predicate) -> Predicate:
    return lambda t: a(t) and b(t)


def _or(a: Predicate, b: Predicate) -> Predicate:
    return lambda t: a(t) or b(t)


class WhenExpression:
    """A compiled ``when`` expression: call it with :class:`Tags`."""

    def __init__(self, source: str, districts: Collection[str] | None = None) -> None:
        self.source = source
        self._fn = _Parser(source, districts).parse()

    def __call__(self, tags: Tags) -> bool:
        return bool(self._fn(tags))

    def __repr__(self) -> str:
        return f"WhenExpression({self.source!r})"


def compile_when(source: str, districts: Collection[str] | None = None) -> WhenExpression:
    """Compile ``source``; raises :class:`ExpressionError` (``column N: reason``). With
    ``districts``, district names compared against must be among them."""
    return WhenExpression(source, districts)
