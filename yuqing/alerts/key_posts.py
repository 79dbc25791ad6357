"""重点帖文: the posts of an incident an officer should read first, for alerts, the incident
page, the inbox and digests.

Ranked by severity × reach:

- severity: the post's own tag scores (shutdown + blanket + complaint, 0–3);
- reach: ``1 + log10(1 + likes + 2·replies + 3·reposts) + log2(copies)``, where ``copies`` is
  how many posts of the same near-duplicate cluster the incident (or period) holds. A post
  nobody reacted to and nobody copied has reach 1: its severity alone ranks it.

One post per near-duplicate cluster. A post is a key post when its own title or text holds a
matched term (:func:`yuqing.alerts.evidence.matched_terms`); posts without one follow those
with, except forum replies: a reply without a matched term (``同样情况，我们那边也是这样``)
means nothing on its own and is never a key post. A reply is shown as ``回复：<thread title>``
and linked to its thread (:attr:`KeyPost.heading`, :attr:`KeyPost.thread_url`).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import ARRAY, Integer, any_, bindparam, func, select
from sqlalchemy.orm import Session, aliased

from yuqing.alerts.evidence import matched_terms, snippet, snippet_text
from yuqing.alerts.grouping import chunks
from yuqing.store.models import IncidentPost, Post, PostTag, Source

__all__ = ["KeyPost", "key_posts", "reach", "reply_heading", "reply_headings", "severity"]

TOP = 5
CANDIDATES = 500  # per incident, by severity, before reach re-ranks them
NO_TITLE = "（无标题）"

ExtraTerms = Callable[[int, str], Sequence[str]]  # (incident id, title + text) -> terms
# A reply's thread: one alias for every call (building an alias of ``posts`` is not free:
# it was an eighth of the incident page's CPU when made per call, issue 15).
THREAD = aliased(Post, name="thread")


def reach(likes: int | None, replies: int | None, reposts: int | None, copies: int = 1) -> float:
    """How far a post travelled: 1 for none at all, +1 per tenfold reactions, +1 per doubling
    of its copies (reposts of it the crawl found as posts of their own)."""
    reactions = max(0, likes or 0) + 2 * max(0, replies or 0) + 3 * max(0, reposts or 0)
    return 1.0 + math.log10(1 + reactions) + math.log2(max(1, copies))


def reply_heading(thread_title: str | None) -> str:
    """How a list titles a forum reply: 回复：<its thread's title>."""
    return f"回复：{thread_title}" if thread_title else "回复"


def reply_headings(session: Session, post_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """(heading, thread URL) of each forum reply among ``post_ids`` whose thread is stored; a
    reply without its thread gets ("回复", "")."""
    ids = sorted(set(post_ids))
    thread = THREAD
    out: dict[int, tuple[str, str]] = {}
    for batch in chunks(ids, 500):
        q = (
            select(Post.id, thread.title, thread.url)
            .outerjoin(thread, thread.id == Post.parent_id)
            .where(Post.id.in_(batch), Post.parent_id.is_not(None))
        )
        for pid, title, url in session.execute(q):
            out[pid] = (reply_heading(title), url or "")
    return out


def severity(shutdown: float | None, blanket: float | None, complaint: float | None) -> float:
    """A post's own weight: the sum of its shutdown, blanket and complaint scores (0–3)."""
    return float(shutdown or 0.0) + float(blanket or 0.0) + float(complaint or 0.0)


@dataclass
class KeyPost:
    id: int
    title: str
    url: str
    text: str
    source: str
    published_at: datetime
    cluster_id: int | None
    likes: int | None
    replies: int | None
    reposts: int | None
    copies: int
    severity: float
    reach: float
    terms: list[str] = field(default_factory=list)
    thread_title: str | None = None  # set for a forum reply whose thread is stored
    thread_url: str | None = None
    is_reply: bool = False
    shutdown_score: float | None = None
    complaint_score: float | None = None

    @property
    def score(self) -> float:
        return self.severity * self.reach

    @property
    def heading(self) -> str:
        """What a list shows as the post's title: ``回复：<thread title>`` for a reply, the
        title, or the start of the text for a post without one."""
        if self.is_reply:
            return reply_heading(self.thread_title)
        return self.title or snippet_text(self.text, [], 30) or NO_TITLE

    @property
    def snippet_text(self) -> str:
        return snippet_text(self.text, self.terms, title=self.title)

    @property
    def snippet_parts(self) -> list[tuple[str, bool]]:
        return snippet(self.text, self.terms, title=self.title)


def choose(posts: Iterable[KeyPost], limit: int = TOP) -> list[KeyPost]:
    """The key posts among ``posts`` (already carrying their terms), best first: one per
    cluster, posts with a matched term first, replies only with one."""
    eligible = [p for p in posts if p.terms or not p.is_reply]
    eligible.sort(key=lambda p: (not p.terms, -p.score, -p.published_at.timestamp(), p.id))
    out: list[KeyPost] = []
    seen: set[int] = set()
    for p in eligible:
        key = p.cluster_id if p.cluster_id is not None else -p.id
        if key in seen:
            continue
        seen.add(key)
        out.append(p)
        if len(out) >= limit:
            break
    return out


def key_posts(
    session: Session,
    incident_ids: Iterable[int],
    limit: int = TOP,
    extra_terms: ExtraTerms | None = None,
) -> dict[int, list[KeyPost]]:
    """Up to ``limit`` key posts per incident (see the module's docstring), best first."""
    ids = sorted(set(incident_ids))
    out: dict[int, list[KeyPost]] = {i: [] for i in ids}
    for batch in chunks(ids, 200):
        light = _light(session, batch)
        wanted: dict[int, list[tuple[int, int, float, float]]] = {}
        for inc_id, found in light.items():
            copies = Counter(r[1] for r in found if r[1] is not None)
            wanted[inc_id] = [
                (pid, copies[cl] if cl is not None else 1, sev, sev * reach(lk, rp, rs, 1))
                for pid, cl, sev, lk, rp, rs in found
            ]
        # candidates: the best by severity × reach (copies counted once the text is known)
        detail_ids = {
            pid
            for rows in wanted.values()
            for pid, *_ in sorted(rows, key=lambda r: -r[3])[: 8 * limit]
        }
        details = _details(session, detail_ids)
        for inc_id, rows in wanted.items():
            posts = []
            for pid, copies_n, _sev, _score in rows:
                d = details.get(pid)
                if d is None:
                    continue
                p = _key_post(d, copies_n)
                extra = extra_terms(inc_id, f"{p.title}\n{p.text}") if extra_terms else ()
                p.terms = matched_terms(d.evidence or {}, f"{p.title}\n{p.text}", extra)
                posts.append(p)
            out[inc_id] = choose(posts, limit)
    return out


def _light(
    session: Session, batch: list[int]
) -> dict[int, list[tuple[int, int | None, float, int | None, int | None, int | None]]]:
    sev = (
        func.coalesce(PostTag.shutdown_score, 0.0)
        + func.coalesce(PostTag.blanket_score, 0.0)
        + func.coalesce(PostTag.complaint_score, 0.0)
    )
    rank = (
        func.row_number()
        .over(partition_by=IncidentPost.incident_id, order_by=(sev.desc(), Post.id))
        .label("rank")
    )
    ranked = (
        select(
            IncidentPost.incident_id,
            Post.id.label("pid"),
            Post.cluster_id,
            sev.label("sev"),
            Post.likes,
            Post.replies,
            Post.reposts,
            rank,
        )
        .join(Post, Post.id == IncidentPost.post_id)
        .outerjoin(PostTag, PostTag.post_id == Post.id)
        .where(IncidentPost.incident_id.in_(batch))
        .subquery()
    )
    q = select(
        ranked.c.incident_id,
        ranked.c.pid,
        ranked.c.cluster_id,
        ranked.c.sev,
        ranked.c.likes,
        ranked.c.replies,
        ranked.c.reposts,
    ).where(ranked.c.rank <= CANDIDATES)
    out: dict[int, list[tuple[int, int | None, float, int | None, int | None, int | None]]]
    out = defaultdict(list)
    for inc_id, pid, cl, sev_v, lk, rp, rs in session.execute(q):
        out[inc_id].append((pid, cl, float(sev_v or 0.0), lk, rp, rs))
    return out


class _Detail(NamedTuple):
    """What a key post needs of a post, in the order :func:`_details` selects it."""

    id: int
    title: str | None
    url: str
    text: str | None
    published_at: datetime
    cluster_id: int | None
    likes: int | None
    replies: int | None
    reposts: int | None
    parent_id: int | None
    source: str
    shutdown_score: float | None
    blanket_score: float | None
    complaint_score: float | None
    evidence: Any
    thread_title: str | None
    thread_url: str | None


def _id_in(session: Session, column: Any, ids: list[int]) -> Any:
    """``column IN (ids)``; on PostgreSQL ``column = ANY(:ids)``, one array parameter: the
    same statement text each time (cached by SQLAlchemy and psycopg) instead of hundreds of
    parameters rendered and parsed per call (a fifth of the inbox's CPU, issue 15)."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam("ids", ids, type_=ARRAY(Integer)))
    return column.in_(ids)


def _details(session: Session, ids: set[int]) -> dict[int, _Detail]:
    """The posts ``ids`` as plain tuples: columns, not ORM objects, and read by position, not
    by ``Row`` attribute (a page of the inbox reads a few hundred; as ``Post`` objects and
    ``Row`` attributes that was most of its CPU, issue 15)."""
    thread = THREAD
    out: dict[int, _Detail] = {}
    for batch in chunks(sorted(ids), 500):
        q = (
            select(
                Post.id,
                Post.title,
                Post.url,
                Post.text,
                Post.published_at,
                Post.cluster_id,
                Post.likes,
                Post.replies,
                Post.reposts,
                Post.parent_id,
                Source.name,
                PostTag.shutdown_score,
                PostTag.blanket_score,
                PostTag.complaint_score,
                PostTag.evidence,
                thread.title,
                thread.url,
            )
            .join(Source, Source.id == Post.source_id)
            .outerjoin(PostTag, PostTag.post_id == Post.id)
            .outerjoin(thread, thread.id == Post.parent_id)
            .where(_id_in(session, Post.id, batch))
        )
        for row in session.execute(q):
            d = _Detail._make(row)
            out[d.id] = d
    return out


def _key_post(d: _Detail, copies: int) -> KeyPost:
    return KeyPost(
        id=d.id,
        title=d.title or "",
        url=d.url,
        text=d.text or "",
        source=d.source,
        published_at=d.published_at,
        cluster_id=d.cluster_id,
        likes=d.likes,
        replies=d.replies,
        reposts=d.reposts,
        copies=copies,
        severity=severity(d.shutdown_score, d.blanket_score, d.complaint_score),
        reach=reach(d.likes, d.replies, d.reposts, copies),
        thread_title=d.thread_title or None,
        thread_url=d.thread_url or None,
        is_reply=d.parent_id is not None,
        shutdown_score=_rounded(d.shutdown_score),
        complaint_score=_rounded(d.complaint_score),
    )


def _rounded(value: float | None) -> float | None:
    return round(float(value), 4) if value is not None else None
