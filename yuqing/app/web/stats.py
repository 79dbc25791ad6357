"""Counts for the analysts' dashboard: per local day, grouped in SQL on both backends."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, func, select, text
from sqlalchemy.orm import Session

from yuqing.app.web.params import parse_date
from yuqing.store import rollup, source_rollup
from yuqing.store.models import CrawlRun, Incident, Post, PostTag, Source

MAX_DAYS = 366
# zones whose local days are the days of the ``daily_counts`` rollup (UTC+8, no DST)
ROLLUP_ZONES = frozenset({"Asia/Shanghai", "Asia/Chongqing", "Asia/Harbin", "PRC"})
UNKNOWN = ""  # the key of posts with no tag / no district


@dataclass(frozen=True)
class DateRange:
    start: date  # first local day
    end: date  # last local day (inclusive)

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]

    def bounds(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """[start, end) as aware datetimes: local midnights."""
        lo = datetime.combine(self.start, time(0), tzinfo=tz)
        hi = datetime.combine(self.end + timedelta(days=1), time(0), tzinfo=tz)
        return lo, hi


def parse_range(start: str, end: str, today: date, default_days: int = 30) -> DateRange:
    """The range from the ``from`` and ``to`` parameters (ISO dates; either may be empty:
    defaults; malformed or out of range: :class:`BadParam`); swapped if reversed, clamped to
    :data:`MAX_DAYS`."""
    hi = parse_date("to", end) or today
    lo = parse_date("from", start) or hi - timedelta(days=default_days - 1)
    if lo > hi:
        lo, hi = hi, lo
    if (hi - lo).days >= MAX_DAYS:
        lo = hi - timedelta(days=MAX_DAYS - 1)
    return DateRange(lo, hi)


def day_of(session: Session, column: Any, tz: ZoneInfo, at: datetime) -> ColumnElement[str]:
    """SQL for the local calendar day (``YYYY-MM-DD``) of a UTC timestamp column. PostgreSQL
    converts with the zone's rules; SQLite shifts by the zone's offset at ``at`` (exact for
    zones without daylight saving, such as Asia/Shanghai)."""
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone(tz.key, column), "YYYY-MM-DD")
    offset = tz.utcoffset(at.replace(tzinfo=None))
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    return func.strftime("%Y-%m-%d", column, f"{minutes:+d} minutes")


Counts = dict[str, dict[str, int]]  # key -> {day: count}


def _collect(rows: Any) -> Counts:
    out: Counts = defaultdict(dict)
    for day, key, count in rows:
        out[key or UNKNOWN][str(day)] = out[key or UNKNOWN].get(str(day), 0) + int(count)
    return dict(out)


def _rollup(session: Session, rng: DateRange, tz: ZoneInfo, key: str | None, counts: str) -> Any:
    """Rows (day, key, count...) of the ``daily_counts`` table the database keeps current
    (its days are China Standard Time's: None for any other zone). Reading a month of it
    instead of the posts keeps the dashboard fast at 10 M posts (issue 15)."""
    if tz.key not in ROLLUP_ZONES:
        return None
    sqlite = session.get_bind().dialect.name == "sqlite"
    lo, hi = (rng.start.isoformat(), rng.end.isoformat()) if sqlite else (rng.start, rng.end)
    return session.execute(
        text(
            f"SELECT day, {key or 'NULL'}, {counts} FROM {rollup.TABLE} "
            f"WHERE day BETWEEN :lo AND :hi GROUP BY day{', ' + key if key else ''}"
        ),
        {"lo": lo, "hi": hi},
    )


def posts_per_day(
    session: Session, rng: DateRange, tz: ZoneInfo, by: str, where: Sequence[Any] = ()
) -> Counts:
    """Posts published per local day, by ``sector`` or ``district`` of their tags; ``where``:
    more conditions (on ``Post`` and ``PostTag``)."""
    key_col = "sector" if by == "sector" else "district"
    rows = None if where else _rollup(session, rng, tz, key_col, "sum(posts)")
    if rows is not None:
        return _collect(r for r in rows if r[2])
    lo, hi = rng.bounds(tz)
    day = day_of(session, Post.published_at, tz, lo)
    key = PostTag.sector if by == "sector" else PostTag.district
    stmt = (
        select(day, key, func.count())
        .select_from(Post)
        .outerjoin(PostTag, PostTag.post_id == Post.id)
        .where(Post.published_at >= lo, Post.published_at < hi, *where)
        .group_by(day, key)
    )
    return _collect(session.execute(stmt))


def incidents_per_day(
    session: Session, rng: DateRange, tz: ZoneInfo, by: str, where: Sequence[Any] = ()
) -> Counts:
    """Incidents opened per local day, by ``sector`` or ``district``; ``where``: more
    conditions on ``Incident``."""
    lo, hi = rng.bounds(tz)
    day = day_of(session, Incident.opened_at, tz, lo)
    key = Incident.sector if by == "sector" else Incident.district
    stmt = (
        select(day, key, func.count())
        .where(Incident.opened_at >= lo, Incident.opened_at < hi, *where)
        .group_by(day, key)
    )
    return _collect(session.execute(stmt))


def shutdown_per_day(
    session: Session, rng: DateRange, tz: ZoneInfo, where: Sequence[Any] = ()
) -> Counts:
    """Posts reporting a shutdown, and those of them reporting a blanket one, per local day."""
    rows = None if where else _rollup(session, rng, tz, None, "sum(shutdown), sum(blanket)")
    if rows is not None:
        found: Counts = {"shutdown": {}, "blanket": {}}
        for day, _key, shutdown, blanket in rows:
            for name, n in (("shutdown", shutdown), ("blanket", blanket)):
                if n:
                    found[name][str(day)] = int(n)
        return found
    lo, hi = rng.bounds(tz)
    day = day_of(session, Post.published_at, tz, lo)
    out: Counts = {"shutdown": {}, "blanket": {}}
    blanket = and_(PostTag.shutdown.is_(True), PostTag.blanket.is_(True))
    for name, cond in (("shutdown", PostTag.shutdown.is_(True)), ("blanket", blanket)):
        stmt = (
            select(day, func.count())
            .select_from(Post)
            .join(PostTag, PostTag.post_id == Post.id)
            .where(Post.published_at >= lo, Post.published_at < hi, cond, *where)
            .group_by(day)
        )
        out[name] = {str(d): int(c) for d, c in session.execute(stmt)}
    return out


def top_keys(counts: Counts, limit: int) -> tuple[list[str], Counts]:
    """The ``limit`` keys with the largest totals; the rest merged under ``"__rest__"``."""
    ranked = sorted(counts, key=lambda k: (-sum(counts[k].values()), k))
    keep = ranked[:limit]
    if len(ranked) <= limit:
        return keep, counts
    rest: dict[str, int] = defaultdict(int)
    for k in ranked[limit:]:
        for day, n in counts[k].items():
            rest[day] += n
    merged = {k: counts[k] for k in keep}
    merged["__rest__"] = dict(rest)
    return [*keep, "__rest__"], merged


@dataclass
class SourceHealth:
    id: int
    name: str
    kind: str
    enabled: bool
    health: str
    health_reason: str | None
    last_run_at: datetime | None
    last_success_at: datetime | None
    last_status: str | None
    items_in_range: int
    runs_in_range: int
    failed_runs_in_range: int


def _items_per_source(
    session: Session, rng: DateRange, tz: ZoneInfo, lo: datetime, hi: datetime
) -> dict[int, int]:
    """Posts per source published in the range: from the ``source_daily`` rollup for China
    Standard Time's days (a month at 10 M posts is ~1 M posts to count otherwise: issue 15),
    else counted from the posts."""
    if tz.key in ROLLUP_ZONES:
        sqlite = session.get_bind().dialect.name == "sqlite"
        first, last = (
            (rng.start.isoformat(), rng.end.isoformat()) if sqlite else (rng.start, rng.end)
        )
        return source_rollup.posts_by_source(session, first, last)
    rows = session.execute(
        select(Post.source_id, func.count())
        .where(Post.published_at >= lo, Post.published_at < hi)
        .group_by(Post.source_id)
    )
    return {int(sid): int(n) for sid, n in rows}


def sources_health(session: Session, rng: DateRange, tz: ZoneInfo) -> list[SourceHealth]:
    lo, hi = rng.bounds(tz)
    runs: dict[int, tuple[int, int]] = {}
    stmt = (
        select(CrawlRun.source_id, CrawlRun.status, func.count())
        .where(CrawlRun.started_at >= lo, CrawlRun.started_at < hi)
        .group_by(CrawlRun.source_id, CrawlRun.status)
    )
    for sid, status, n in session.execute(stmt):
        total, failed = runs.get(sid, (0, 0))
        runs[sid] = (total + n, failed + (n if status in ("failed", "timeout") else 0))
    items = _items_per_source(session, rng, tz, lo, hi)
    last_status: dict[int, str] = {}
    newest = (
        select(CrawlRun.source_id, func.max(CrawlRun.id).label("rid"))
        .group_by(CrawlRun.source_id)
        .subquery()
    )
    for sid, status in session.execute(
        select(CrawlRun.source_id, CrawlRun.status).join(newest, CrawlRun.id == newest.c.rid)
    ):
        last_status[sid] = status
    out = []
    for src in session.scalars(select(Source).order_by(Source.name)):
        total, failed = runs.get(src.id, (0, 0))
        out.append(
            SourceHealth(
                id=src.id,
                name=src.name,
                kind=src.kind,
                enabled=src.enabled,
                health=src.health,
                health_reason=src.health_reason,
                last_run_at=src.last_run_at,
                last_success_at=src.last_success_at,
                last_status=last_status.get(src.id),
                items_in_range=int(items.get(src.id, 0)),
                runs_in_range=total,
                failed_runs_in_range=failed,
            )
        )
    return out
