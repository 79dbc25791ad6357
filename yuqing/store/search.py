"""Full-text search over posts with the tagger's keyword language.

The expression's positive terms become a full-text query over the ``grams`` index
(:mod:`yuqing.store.fts`) that returns a superset of the matching posts; each candidate is then
checked exactly with ``expr.matches`` on its title and text. So results mean exactly what the
keyword language means (substrings, NOT, NEAR/n), and the index only makes it fast.

The store does not import the keyword language (nlp depends on store, not the reverse): any
object with ``terms`` (its normalized positive terms) and ``matches(text)`` will do, e.g.
``yuqing.nlp.rules.compile_expression('一刀切 AND (餐饮 OR 烧烤)')``.

Which term combinations a match needs is found by asking ``expr.matches`` about texts made of
the terms alone (at most :data:`MAX_PROBE_TERMS` terms; more fall back to "any term"). NOT only
removes matches, so this is an upper bound and the candidate set never misses a post. An
expression that matches a text without any of its terms (``NOT 关停``) cannot use the index
and scans posts newest first, at most ``max_scan`` of them.

Posts are read in published_at windows, newest first (:data:`WINDOWS`); each window's bounds
are checked on the index rows' own copy of published_at (migration 0016), so the index scan
keeps only that window's candidates instead of every match of all time (issue 15).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import combinations
from typing import Any, Protocol

from sqlalchemy import Integer, and_, bindparam, column, func, or_, select, text
from sqlalchemy.orm import Session

from yuqing.store import fts
from yuqing.store.models import Post, PostTag, Source
from yuqing.store.types import UTCDateTime

MAX_PROBE_TERMS = 12
PAGE = 500
# published_at windows searched in turn, newest first, back from the newest post (issue 15):
# a common expression matches thousands of posts, and sorting all of them to return the 50
# newest read every match (596 ms at 4.25 M posts); a window holding the page reads only it
WINDOWS = (timedelta(days=30), timedelta(days=120), timedelta(days=480))
SNIPPET_CHARS = 120

Clauses = list[frozenset[str]]


class Expression(Protocol):
    @property
    def terms(self) -> list[str]: ...

    def matches(self, text: str) -> bool: ...


@dataclass(frozen=True)
class SearchHit:
    post_id: int
    title: str
    url: str
    source: str
    published_at: datetime
    sector: str | None
    district: str | None
    shutdown: bool | None
    complaint: bool | None
    evidence: list[str]
    snippet: str


@dataclass
class SearchResult:
    hits: list[SearchHit] = field(default_factory=list)
    used_index: bool = False
    candidates: int = 0  # posts checked exactly
    truncated: bool = False  # stopped at max_scan before finding `limit` hits


# -- from an expression to an index query ---------------------------------------------------


def required_clauses(expr: Expression) -> Clauses | None:
    """Sets of terms, one of which every matching post contains all of (a DNF over the
    positive terms); None when the index cannot narrow the search."""
    terms = list(dict.fromkeys(t for t in expr.terms if t))
    if not terms or expr.matches(""):
        return None
    if len(terms) > MAX_PROBE_TERMS:
        return [frozenset([t]) for t in terms]
    found: Clauses = []
    for size in range(1, len(terms) + 1):
        for combo in combinations(terms, size):
            chosen = frozenset(combo)
            if any(c <= chosen for c in found):
                continue
            if expr.matches("\n".join(combo)):
                found.append(chosen)
    return found


def _pieces(term: str) -> list[str]:
    return fts.runs(fts.normalize(term))


def _bigrams(piece: str) -> list[str]:
    return [piece[i : i + 2] for i in range(len(piece) - 1)]


def fts5_query(clauses: Clauses) -> str | None:
    """The FTS5 query over ``grams`` (None: some clause cannot be narrowed by the index)."""
    ors: list[str] = []
    for clause in clauses:
        ands: list[str] = []
        for term in sorted(clause):
            for piece in _pieces(term):
                if len(piece) == 1:
                    ands.append(f'"{piece}" *')
                else:
                    ands.append('"' + " ".join(_bigrams(piece)) + '"')
        if not ands:
            return None
        ors.append("(" + " AND ".join(ands) + ")")
    if not ors:
        return None
    return "{grams} : (" + " OR ".join(ors) + ")"


def tsquery(clauses: Clauses) -> str | None:
    """The PostgreSQL tsquery over ``grams`` (None as for :func:`fts5_query`)."""
    ors: list[str] = []
    for clause in clauses:
        ands: list[str] = []
        for term in sorted(clause):
            for piece in _pieces(term):
                if len(piece) == 1:
                    ands.append(f"'{piece}':*")
                else:
                    ands.extend(f"'{g}'" for g in _bigrams(piece))
        if not ands:
            return None
        ors.append("(" + " & ".join(ands) + ")")
    if not ors:
        return None
    return " | ".join(ors)


Bounds = tuple[datetime | None, datetime | None]  # published_at >= lo, < hi (None: open)


def _candidate_filter(session: Session, clauses: Clauses | None) -> Any | None:
    """A function of published_at bounds giving the filter on ``Post.id`` that keeps the
    index's candidates within them; None when the index cannot narrow the search.

    The bounds are checked on the index rows' own published_at (the post's, copied by the
    write path; migration 0016), inside the index scan (issue 15): PostgreSQL combines the GIN
    bitmap of ``grams`` with the btree range bitmap of ``ix_posts_fts_published_at`` and
    reads only the window's matches, not every match of all time."""
    if clauses is None:
        return None
    if not clauses:  # the expression can never match
        return lambda bounds: Post.id.in_([])
    if session.get_bind().dialect.name == "postgresql":
        q = tsquery(clauses)
        if q is None:
            return None
        sql = f"SELECT post_id FROM {fts.FTS_TABLE} WHERE grams @@ CAST(:ftsq AS tsquery)"
        date = "published_at"
    else:
        q = fts5_query(clauses)
        if q is None:
            return None
        sql = (
            f"SELECT m.post_id FROM {fts.FTS_TABLE} f JOIN {fts.MAP_TABLE} m "
            f"ON m.fts_rowid = f.rowid WHERE {fts.FTS_TABLE} MATCH :ftsq"
        )
        date = "m.published_at"

    def narrow(bounds: Bounds) -> Any:
        params: list[Any] = [bindparam("ftsq", q)]
        where = sql
        for name, op, value in (("lo", ">=", bounds[0]), ("hi", "<", bounds[1])):
            if value is not None:
                where += f" AND {date} {op} :{name}"
                params.append(bindparam(name, value, type_=UTCDateTime()))
        sub = text(where).bindparams(*params).columns(column("post_id", Integer))
        return Post.id.in_(sub)

    return narrow


# -- searching ------------------------------------------------------------------------------


def snippet(doc: str, evidence: Sequence[str], width: int = SNIPPET_CHARS) -> str:
    """About ``width`` characters of ``doc`` around the first evidence term, on one line."""
    flat = " ".join(doc.split())
    at = min((i for i in (flat.find(e) for e in evidence if e) if i >= 0), default=0)
    start = max(0, at - width // 3)
    piece = flat[start : start + width]
    return ("…" if start else "") + piece + ("…" if start + width < len(flat) else "")


def _evidence(expr: Expression, doc: str) -> list[str]:
    ev = getattr(expr, "evidence", None)
    if callable(ev):
        return [str(x) for x in ev(doc)]
    return []


def _page_rows(session: Session, base: Any, max_scan: int) -> Iterator[tuple[Any, ...]]:
    """Rows of ``base`` newest first, fetched page by page (keyset on published_at, id)."""
    seen = 0
    last: tuple[datetime, int] | None = None
    while seen < max_scan:
        stmt = base
        if last is not None:
            stmt = stmt.where(
                or_(
                    Post.published_at < last[0],
                    and_(Post.published_at == last[0], Post.id < last[1]),
                )
            )
        page = session.execute(
            stmt.order_by(Post.published_at.desc(), Post.id.desc()).limit(
                min(PAGE, max_scan - seen)
            )
        ).all()
        if not page:
            return
        for row in page:
            yield tuple(row)
        seen += len(page)
        last = (page[-1].published_at, page[-1].id)


def windows(newest: datetime | None, since: datetime | None) -> list[tuple[Any, Any]]:
    """``(lo, hi)`` bounds on published_at (None: open), newest first, that together cover
    every post exactly once: the last window is open below, the first open above."""
    if newest is None:
        return [(None, None)]
    out: list[tuple[Any, Any]] = []
    hi: datetime | None = None
    for span in WINDOWS:
        lo = newest - span
        if since is not None and lo <= since:
            break
        out.append((lo, hi))
        hi = lo
    out.append((None, hi))
    return out


def _tighter(a: datetime | None, b: datetime | None, pick: Any) -> datetime | None:
    return b if a is None else a if b is None else pick(a, b)


def _rows(
    session: Session,
    base: Any,
    max_scan: int,
    since: datetime | None,
    until: datetime | None,
    narrow: Any | None,
) -> Iterator[tuple[Any, ...]]:
    """Rows of ``base`` newest first (published_at, id), window by window: the windows are
    disjoint and in order, so the rows are those of one query over all posts, in its order.
    ``narrow``: the index's candidate filter (:func:`_candidate_filter`), given each window's
    bounds (and since/until) so that the index scan keeps only the window's candidates."""
    if narrow is None:
        yield from _page_rows(session, base, max_scan)
        return
    newest = session.scalar(select(func.max(Post.published_at)))
    if newest is not None and until is not None and until < newest:
        newest = until
    seen = 0
    for lo, hi in windows(newest, since):
        stmt = base.where(narrow((_tighter(lo, since, max), _tighter(hi, until, min))))
        if lo is not None:
            stmt = stmt.where(Post.published_at >= lo)
        if hi is not None:
            stmt = stmt.where(Post.published_at < hi)
        for row in _page_rows(session, stmt, max_scan - seen):
            seen += 1
            yield row
        if seen >= max_scan:
            return


def search(
    session: Session,
    expr: Expression,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    sector: str | None = None,
    district: str | None = None,
    limit: int = 50,
    max_scan: int = 200_000,
) -> SearchResult:
    """Posts matching ``expr``, newest first, at most ``limit``."""
    clauses = required_clauses(expr)
    narrow = _candidate_filter(session, clauses)
    base = (
        select(
            Post.id,
            Post.title,
            Post.text,
            Post.url,
            Post.published_at,
            Source.name,
            PostTag.sector,
            PostTag.district,
            PostTag.shutdown,
            PostTag.complaint,
        )
        .join(Source, Source.id == Post.source_id)
        .outerjoin(PostTag, PostTag.post_id == Post.id)
    )
    if since is not None:
        base = base.where(Post.published_at >= since)
    if until is not None:
        base = base.where(Post.published_at < until)
    if sector:
        base = base.where(PostTag.sector == sector)
    if district:
        base = base.where(PostTag.district == district)
    result = SearchResult(used_index=narrow is not None)
    for pid, title, body, url, published, source, sec, dist, shut, comp in _rows(
        session, base, max_scan, since, until, narrow
    ):
        result.candidates += 1
        doc = fts.document(title or "", body or "")
        if not expr.matches(doc):
            continue
        evidence = _evidence(expr, doc)
        result.hits.append(
            SearchHit(
                post_id=pid,
                title=title or "",
                url=url,
                source=source,
                published_at=published,
                sector=sec,
                district=dist,
                shutdown=shut,
                complaint=comp,
                evidence=evidence,
                snippet=snippet(doc, evidence),
            )
        )
        if len(result.hits) >= limit:
            return result
    result.truncated = result.candidates >= max_scan
    return result
