"""Crawl bookkeeping: crawl_runs rows, per-source health and watermarks, and the lookups the
crawler's incremental and dedup stages need.

Health (``sources.health``) after every finished run:

- ``failing``: the last :data:`FAILING_AFTER` runs all failed (status other than ``ok``);
- ``degraded``: the last run failed; or more than half of its requests failed; or it scraped
  nothing; or it scraped far fewer items (< :data:`LOW_RATIO` x) than the median of the recent
  *incremental* runs (runs that started with a watermark: a first, full crawl is no baseline);
- ``ok`` otherwise. ``health_reason`` says why, in one line.

Runs we stopped ourselves (status ``stopped``: the scheduler stopping, Ctrl-C; the crawl
resumes from its JOBDIR next time) say nothing of the source and are left out.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.orm import Session

from yuqing.store.models import CrawlRun, Post, Source
from yuqing.store.posts import ensure_source, unsigned64
from yuqing.store.probation import mark_seen
from yuqing.store.types import utcnow

FAILING_AFTER = 3
LOW_RATIO = 0.25
MIN_BASELINE = 4
BASELINE_RUNS = 5
MAX_MESSAGES = 20
STATUSES = ("running", "ok", "failed", "timeout", "stopped")
UNFINISHED = ("running", "stopped")  # runs health does not judge
GARBLED = "garbled_text"  # the drop reason of posts whose text is mojibake


@dataclass
class RunCounts:
    """What one crawl did (written to its crawl_runs row)."""

    status: str = "ok"
    pages: int = 0
    items_scraped: int = 0
    items_new: int = 0
    items_updated: int = 0
    items_dropped: int = 0
    drops: dict[str, int] = field(default_factory=dict)
    errors: int = 0
    error_messages: list[str] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)


@dataclass
class Health:
    health: str
    reason: str


@dataclass
class SourceStatus:
    """One row of ``yuqing sources list``."""

    name: str
    kind: str
    health: str
    health_reason: str | None
    last_run_at: datetime | None
    last_success_at: datetime | None
    watermark_at: datetime | None
    last_status: str | None = None
    last_scraped: int | None = None
    last_new: int | None = None
    last_dropped: int | None = None
    last_updated: int | None = None
    last_drops: dict[str, int] = field(default_factory=dict)
    last_errors: int | None = None
    last_duration_s: float | None = None


@dataclass
class DedupCandidate:
    post_id: int
    cluster_id: int | None
    content_hash: str
    simhash: int | None
    title: str
    text: str


def start_run(
    session: Session,
    source: str,
    kind: str = "",
    config: dict[str, Any] | None = None,
    incremental: bool | None = None,
) -> int:
    """Create a ``running`` crawl_runs row for ``source`` (creating the source row if needed)."""
    sid = ensure_source(session, source, kind, config)
    mark_seen(session, sid)
    stats: dict[str, Any] = {} if incremental is None else {"incremental": incremental}
    run = CrawlRun(source_id=sid, started_at=utcnow(), status="running", stats=stats)
    session.add(run)
    session.flush()
    return run.id


def run_status(session: Session, run_id: int) -> str | None:
    return session.execute(select(CrawlRun.status).where(CrawlRun.id == run_id)).scalar()


def finish_run(session: Session, run_id: int, counts: RunCounts) -> Health:
    """Write the outcome of a run and recompute its source's health."""
    if counts.status not in STATUSES[1:]:
        raise ValueError(f"invalid final status {counts.status!r}")
    run = session.get(CrawlRun, run_id)
    if run is None:
        raise KeyError(f"crawl run {run_id} does not exist")
    now = utcnow()
    run.finished_at = now
    run.duration_s = round((now - run.started_at).total_seconds(), 3)
    run.status = counts.status
    run.pages = counts.pages
    run.items_scraped = counts.items_scraped
    run.items_new = counts.items_new
    run.items_updated = counts.items_updated
    run.items_dropped = counts.items_dropped
    run.drops = dict(counts.drops)
    run.errors = counts.errors
    run.error_messages = [m[:500] for m in counts.error_messages[:MAX_MESSAGES]]
    run.stats = {**(run.stats or {}), **counts.stats}
    source = session.get(Source, run.source_id)
    assert source is not None
    source.last_run_at = now
    if counts.status == "ok":
        source.last_success_at = now
    session.flush()
    health = evaluate_health(session, source.id)
    source.health, source.health_reason = health.health, health.reason
    return health


def fail_run(session: Session, run_id: int, status: str, message: str) -> Health | None:
    """Close a run that its crawl process did not close itself (timeout, crash). Returns None
    when the crawl had already recorded its outcome."""
    if run_status(session, run_id) != "running":
        return None
    errors = 0 if status == "stopped" else 1
    return finish_run(
        session, run_id, RunCounts(status=status, errors=errors, error_messages=[message])
    )


def mark_timeout(session: Session, run_id: int, message: str) -> Health:
    """A crawl that overran its time limit: status ``timeout``, whatever it recorded while
    being stopped."""
    run = session.get(CrawlRun, run_id)
    if run is None:
        raise KeyError(f"crawl run {run_id} does not exist")
    if run.status == "running":
        return finish_run(
            session, run_id, RunCounts(status="timeout", errors=1, error_messages=[message])
        )
    run.status = "timeout"
    run.error_messages = [message, *(run.error_messages or [])][:MAX_MESSAGES]
    run.errors = max(1, run.errors)
    source = session.get(Source, run.source_id)
    assert source is not None
    session.flush()
    health = evaluate_health(session, run.source_id)
    source.health, source.health_reason = health.health, health.reason
    return health


def _failed(run: CrawlRun) -> bool:
    return run.status != "ok"


def evaluate_health(session: Session, source_id: int) -> Health:
    runs = list(
        session.execute(
            select(CrawlRun)
            .where(CrawlRun.source_id == source_id, CrawlRun.status.not_in(UNFINISHED))
            .order_by(CrawlRun.started_at.desc(), CrawlRun.id.desc())
            .limit(max(FAILING_AFTER, BASELINE_RUNS + 1) * 4)
        ).scalars()
    )
    if not runs:
        return Health("unknown", "no crawl has finished yet")
    last = runs[0]
    recent = runs[:FAILING_AFTER]
    if len(recent) == FAILING_AFTER and all(_failed(r) for r in recent):
        return Health("failing", f"the last {FAILING_AFTER} crawls failed ({_why(last)})")
    if _failed(last):
        return Health("degraded", f"last crawl {last.status}: {_why(last)}")
    if last.pages and last.errors * 2 > last.pages:
        return Health("degraded", f"{last.errors} of {last.pages} requests failed")
    nothing = _stored_nothing(last)
    if nothing:
        return Health("degraded", nothing)
    garbled = int((last.drops or {}).get(GARBLED, 0))
    if garbled and garbled * 2 >= garbled + last.items_scraped:
        return Health(
            "degraded",
            f"mostly garbled text: {garbled} posts dropped as {GARBLED}, "
            f"{last.items_scraped} kept (set the source's encoding)",
        )
    baseline_runs = [
        r.items_scraped for r in runs[1:] if r.status == "ok" and (r.stats or {}).get("incremental")
    ][:BASELINE_RUNS]
    if last.items_scraped == 0 and (not baseline_runs or max(baseline_runs) > 0):
        return Health("degraded", "last crawl scraped no items")
    if baseline_runs:
        median = statistics.median(baseline_runs)
        if median >= MIN_BASELINE and last.items_scraped < LOW_RATIO * median:
            return Health(
                "degraded",
                f"last crawl scraped {last.items_scraped} items; recent runs median {median:g}",
            )
    return Health("ok", f"last crawl ok: {last.items_scraped} items")


def _stored_nothing(run: CrawlRun) -> str | None:
    """Why a finished run that stored no post is not healthy, or None when storing nothing was
    right: every entry it listed was known and settled (nothing new since the last crawl)."""
    if run.items_new or run.items_updated or run.items_scraped:
        return None
    stats = run.stats or {}
    listed = int(stats.get("listed") or 0)
    settled = int(stats.get("skipped_settled") or 0)
    if listed and settled >= listed and not run.items_dropped and not run.errors:
        return None
    drops = ", ".join(f"{k}={v}" for k, v in sorted((run.drops or {}).items()))
    if listed:
        return f"stored nothing: {listed} entries listed, none stored" + (
            f" ({drops})" if drops else ""
        )
    return "stored nothing" + (f" ({drops})" if drops else "")


def _why(run: CrawlRun) -> str:
    if run.error_messages:
        return str(run.error_messages[0])[:200]
    return f"{run.errors} errors"


def watermark(session: Session, source: str) -> datetime | None:
    return session.execute(select(Source.watermark_at).where(Source.name == source)).scalar()


def advance_watermark(session: Session, source: str, newest: datetime) -> None:
    """Move the source's watermark forward to ``newest`` (never backwards)."""
    sid = ensure_source(session, source)
    row = session.get(Source, sid)
    assert row is not None
    if row.watermark_at is None or newest > row.watermark_at:
        row.watermark_at = newest


def source_id(session: Session, source: str) -> int | None:
    return session.execute(select(Source.id).where(Source.name == source)).scalar()


def known_posts(session: Session, source: str, since: datetime) -> dict[str, datetime]:
    """dedup_key → published_at of the source's posts published since ``since``."""
    sid = source_id(session, source)
    if sid is None:
        return {}
    rows = session.execute(
        select(Post.dedup_key, Post.published_at).where(
            Post.source_id == sid, Post.published_at >= since
        )
    )
    return {key: published for key, published in rows}


def recent_for_dedup(session: Session, since: datetime, limit: int) -> list[DedupCandidate]:
    """The newest ``limit`` posts (all sources) published since ``since``, oldest first, so an
    index built from them sees each cluster's first post first."""
    rows = session.execute(
        select(Post.id, Post.cluster_id, Post.content_hash, Post.simhash, Post.title, Post.text)
        .where(Post.published_at >= since)
        .order_by(Post.id.desc())
        .limit(limit)
    ).all()
    return [
        DedupCandidate(pid, cid, chash, unsigned64(h), title, text)
        for pid, cid, chash, h, title, text in reversed(rows)
    ]


def assign_clusters(session: Session, clusters: Sequence[tuple[int, int]]) -> None:
    """Set ``cluster_id`` on posts that have none yet (a post never changes cluster)."""
    if not clusters:
        return
    table = cast(Table, Post.__table__)
    stmt = (
        update(table)
        .where(table.c.id == bindparam("pid"), table.c.cluster_id.is_(None))
        .values(cluster_id=bindparam("cid"))
    )
    session.connection().execute(stmt, [{"pid": p, "cid": c} for p, c in clusters])


def earliest_clusters(
    session: Session, hashes: Sequence[str], exclude: Sequence[int]
) -> dict[str, int]:
    """content_hash → the earliest cluster (or post id) among stored posts with that exact
    content, leaving out the posts in ``exclude``: copies stored by another crawl."""
    if not hashes:
        return {}
    root = func.coalesce(Post.cluster_id, Post.id)
    rows = session.execute(
        select(Post.content_hash, func.min(root))
        .where(Post.content_hash.in_(set(hashes)), Post.id.not_in(set(exclude)))
        .group_by(Post.content_hash)
    )
    return {h: int(c) for h, c in rows if c is not None}


def move_cluster(session: Session, post_id: int, cluster: int) -> None:
    """Put ``post_id`` (stored moments ago as its own cluster) and anything that joined it
    into ``cluster``."""
    session.execute(
        update(Post)
        .where((Post.id == post_id) | (Post.cluster_id == post_id))
        .values(cluster_id=cluster)
    )


def post_ids(session: Session, source: str, keys: Sequence[str]) -> dict[str, int]:
    """dedup_key → post id for the given keys of one source."""
    sid = source_id(session, source)
    if sid is None or not keys:
        return {}
    rows = session.execute(
        select(Post.dedup_key, Post.id).where(Post.source_id == sid, Post.dedup_key.in_(keys))
    )
    return {key: pid for key, pid in rows}


def assign_parents(session: Session, parents: Sequence[tuple[int, int]]) -> None:
    """Link replies to their thread: (post id, parent post id)."""
    rows = [{"pid": p, "parent": q} for p, q in parents if p != q]
    if not rows:
        return
    table = cast(Table, Post.__table__)
    stmt = update(table).where(table.c.id == bindparam("pid")).values(parent_id=bindparam("parent"))
    session.connection().execute(stmt, rows)


def source_overview(session: Session) -> list[SourceStatus]:
    """Every source row with its health and its newest finished run."""
    out: list[SourceStatus] = []
    for src in session.execute(select(Source).order_by(Source.name)).scalars():
        status = SourceStatus(
            name=src.name,
            kind=src.kind,
            health=src.health,
            health_reason=src.health_reason,
            last_run_at=src.last_run_at,
            last_success_at=src.last_success_at,
            watermark_at=src.watermark_at,
        )
        last = session.execute(
            select(CrawlRun)
            .where(CrawlRun.source_id == src.id, CrawlRun.status != "running")
            .order_by(CrawlRun.started_at.desc(), CrawlRun.id.desc())
            .limit(1)
        ).scalar_one_or_none()
        if last is not None:
            status.last_status = last.status
            status.last_scraped = last.items_scraped
            status.last_new = last.items_new
            status.last_dropped = last.items_dropped
            status.last_updated = last.items_updated
            status.last_drops = {str(k): int(v) for k, v in (last.drops or {}).items()}
            status.last_errors = last.errors
            status.last_duration_s = last.duration_s
        out.append(status)
    return out


def last_runs(session: Session, source: str, limit: int = 10) -> list[CrawlRun]:
    sid = source_id(session, source)
    if sid is None:
        return []
    return list(
        session.execute(
            select(CrawlRun)
            .where(CrawlRun.source_id == sid)
            .order_by(CrawlRun.started_at.desc(), CrawlRun.id.desc())
            .limit(limit)
        ).scalars()
    )
