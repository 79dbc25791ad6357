"""The count rules: complaint surges per (district, sector), and failing sources.

Surge: the complaints (reposts once: distinct near-duplicate clusters) published in the last
``window`` for each ``by`` group, against the same-sized windows of the ``baseline`` period
before it: an alert when the count is at least ``min_count`` and above mean + k·σ. Only groups
reaching ``min_count`` in the window are looked at further, and the baseline is recomputed
only every BASELINE_STEP, so this stays cheap every minute.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    DateTime,
    Integer,
    cast,
    distinct,
    func,
    literal,
    select,
    true,
)
from sqlalchemy.orm import Session

from yuqing.config.rules import AlertRule, Surge
from yuqing.store.models import Post, PostTag, Source


@dataclass
class SurgeHit:
    values: dict[str, str]  # the ``by`` labels ("" for no district)
    count: int
    mean: float
    std: float
    threshold: float
    posts: dict[int, tuple[int, datetime]] = field(default_factory=dict)


def _cluster_key() -> ColumnElement[Any]:
    return func.coalesce(Post.cluster_id, -Post.id)


def _column(name: str) -> Any:
    return PostTag.district if name == "district" else PostTag.sector


def _equal(name: str, value: str | None) -> ColumnElement[bool]:
    col = _column(name)
    if name == "district" and not value:
        return col.is_(None) | (col == "")
    return col == value


def _bucket(session: Session, start: datetime, window: timedelta) -> ColumnElement[Any]:
    """Which ``window``-sized bucket before ``start`` a post falls in (0 = just before)."""
    seconds = window.total_seconds()
    if session.get_bind().dialect.name == "sqlite":
        ref = start.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        age = (func.julianday(literal(ref)) - func.julianday(Post.published_at)) * 86400.0
        return cast(age / seconds, Integer)  # positive ages: truncation is floor
    at = cast(literal(start.astimezone(UTC)), DateTime(timezone=True))
    return cast(func.floor(func.extract("epoch", at - Post.published_at) / seconds), Integer)


# The baseline changes slowly: it is computed over buckets ending at the window's start
# rounded down to BASELINE_STEP and kept (per database, rule and step) until the step moves,
# so the every-minute evaluation rarely pays for the week-long aggregate.
BASELINE_STEP = timedelta(minutes=10)
_baselines: dict[tuple[str, str, datetime], dict[tuple[Any, ...], list[int]]] = {}


def _baseline(
    session: Session,
    surge: Surge,
    cols: list[Any],
    start: datetime,
    where: ColumnElement[bool],
    where_key: str,
) -> dict[tuple[Any, ...], list[int]]:
    """Complaints per group and bucket (distinct clusters), bucket 0 just before ``start``."""
    epoch = datetime(2000, 1, 1, tzinfo=UTC)
    end = start - (start - epoch) % BASELINE_STEP
    cache_key = (str(session.get_bind().engine.url), surge.model_dump_json() + where_key, end)
    hit = _baselines.get(cache_key)
    if hit is not None:
        return hit
    buckets = max(1, int(surge.baseline / surge.window))
    bucket = _bucket(session, end, surge.window)
    history = (
        select(*cols, bucket, func.count(distinct(_cluster_key())))
        .select_from(PostTag)
        .join(Post, Post.id == PostTag.post_id)
        .where(
            PostTag.complaint.is_(True),
            Post.published_at > end - surge.window * buckets,
            Post.published_at <= end,
            where,
        )
        .group_by(*cols, bucket)
    )
    out: dict[tuple[Any, ...], list[int]] = {}
    for r in session.connection().execute(history).all():
        group, index, count = tuple(r[: len(cols)]), r[len(cols)], r[len(cols) + 1]
        if index is not None and 0 <= int(index) < buckets:
            out.setdefault(group, [0] * buckets)[int(index)] += int(count)
    if len(_baselines) > 64:
        _baselines.clear()
    _baselines[cache_key] = out
    return out


def detect_surges(
    session: Session,
    rule: AlertRule,
    now: datetime,
    where: ColumnElement[bool] | None = None,
    where_key: str = "",
) -> list[SurgeHit]:
    """Groups whose complaints in the last window exceed their baseline: an aggregate over
    the window (cheap: an index range), the cached baseline, one query per surge for its
    posts. ``where`` narrows the posts counted (the locality gate: the city's own posts only);
    ``where_key`` names it in the baseline cache."""
    where = true() if where is None else where
    surge: Surge = rule.surge or Surge()
    cols = [_column(name) for name in surge.by]
    start = now - surge.window
    key = _cluster_key()
    conn = session.connection()
    current = (
        select(*cols, func.count(distinct(key)))
        .select_from(PostTag)
        .join(Post, Post.id == PostTag.post_id)
        .where(
            PostTag.complaint.is_(True), Post.published_at > start, Post.published_at <= now, where
        )
        .group_by(*cols)
        .having(func.count(distinct(key)) >= surge.min_count)
    )
    candidates = {tuple(r[: len(cols)]): int(r[len(cols)]) for r in conn.execute(current).all()}
    if not candidates:
        return []
    baseline = _baseline(session, surge, cols, start, where, where_key)
    buckets = max(1, int(surge.baseline / surge.window))
    hits: list[SurgeHit] = []
    posts: dict[tuple[Any, ...], dict[int, tuple[int, datetime]]] | None = None
    for group, count in sorted(candidates.items(), key=lambda kv: tuple(map(str, kv[0]))):
        counts = baseline.get(group, [0] * buckets)
        mean = sum(counts) / buckets
        std = math.sqrt(sum((c - mean) ** 2 for c in counts) / buckets)
        threshold = mean + surge.k * std
        if count <= threshold:
            continue
        values = {str(name): (group[i] or "") for i, name in enumerate(surge.by)}
        if posts is None:
            posts = _window_posts(session, surge, cols, start, now, where)
        hits.append(
            SurgeHit(values, count, mean, std, threshold, posts.get(_key(surge, values), {}))
        )
    return hits


def _key(surge: Surge, values: dict[str, str | None]) -> tuple[Any, ...]:
    """A post's group as a hit names it: no district and an empty one are the same."""
    return tuple((values[n] or "") if n == "district" else values[n] for n in map(str, surge.by))


def _window_posts(
    session: Session,
    surge: Surge,
    cols: list[Any],
    start: datetime,
    now: datetime,
    where: ColumnElement[bool],
) -> dict[tuple[Any, ...], dict[int, tuple[int, datetime]]]:
    """The window's complaints by group, read once for every surging group (one query per
    group was most of a surge check at 1 M posts, issue 15)."""
    q = (
        select(Post.id, _cluster_key(), Post.published_at, *cols)
        .join(PostTag, PostTag.post_id == Post.id)
        .where(PostTag.complaint.is_(True), where, Post.published_at > start)
        .where(Post.published_at <= now)
    )
    out: dict[tuple[Any, ...], dict[int, tuple[int, datetime]]] = {}
    for pid, cluster, published, *group in session.execute(q):
        values = {str(n): group[i] for i, n in enumerate(surge.by)}
        out.setdefault(_key(surge, values), {})[pid] = (cluster, published)
    return out


@dataclass
class FailingSource:
    name: str
    reason: str


def failing_sources(session: Session) -> list[FailingSource]:
    q = select(Source.name, Source.health_reason).where(
        Source.health == "failing", Source.enabled.is_(True)
    )
    return [FailingSource(name, reason or "") for name, reason in session.execute(q)]
