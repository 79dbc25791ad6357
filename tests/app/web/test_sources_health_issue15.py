"""issue 15: the sources' health page counts a month of posts per source from the index
``ix_posts_published_source`` (published_at, source_id); the counts are the same: local-day
bounds, per source, sources without posts at 0."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, inspect, select, text

from tests.app.web import factories as f
from yuqing.app.web import stats
from yuqing.store.models import Post, Source
from yuqing.store.retention import purge
from yuqing.store.session import Database

TZ = ZoneInfo("Asia/Shanghai")
RNG = stats.DateRange(date(2026, 11, 1), date(2026, 11, 30))


def test_issue_15_sources_health_counts_posts_in_the_local_month(database: Database) -> None:
    lo, hi = RNG.bounds(TZ)  # 2026-10-31 16:00 UTC .. 2026-11-30 16:00 UTC
    with database.session() as s:
        a, b, idle = f.source(s, "board-a"), f.source(s, "board-b"), f.source(s, "board-idle")
        times_a = [
            lo,
            lo + timedelta(days=3),
            hi - timedelta(microseconds=1),
            hi,
            lo - timedelta(seconds=1),
        ]
        for at in times_a:
            f.post(s, a, published_at=at)
        for at in (lo + timedelta(hours=1), datetime(2026, 11, 15, 12, tzinfo=UTC)):
            f.post(s, b, published_at=at)
        f.post(s, b, published_at=hi + timedelta(days=2))
        ids = {a.id: "board-a", b.id: "board-b", idle.id: "board-idle"}
    with database.session() as s:
        rows = {r.name: r.items_in_range for r in stats.sources_health(s, RNG, TZ)}
    # a: lo, +3 days and the last microsecond count; hi itself and the second before lo do not
    assert {n: rows[n] for n in ids.values()} == {"board-a": 3, "board-b": 2, "board-idle": 0}


def test_issue_15_the_health_count_has_its_covering_index(database: Database) -> None:
    indexes = {i["name"]: i["column_names"] for i in inspect(database.engine).get_indexes("posts")}
    assert indexes["ix_posts_published_source"] == ["published_at", "source_id"]


def _direct(database: Database) -> dict[str, int]:
    """The month's posts per source counted from the posts themselves."""
    lo, hi = RNG.bounds(TZ)
    with database.session() as s:
        rows = s.execute(
            select(Source.name, func.count(Post.id))
            .outerjoin(
                Post,
                (Post.source_id == Source.id)
                & (Post.published_at >= lo)
                & (Post.published_at < hi),
            )
            .group_by(Source.name)
        )
        return {name: int(n) for name, n in rows}


def _shown(database: Database) -> dict[str, int]:
    with database.session() as s:
        return {r.name: r.items_in_range for r in stats.sources_health(s, RNG, TZ)}


def test_issue_15_sources_health_reads_the_source_rollup(database: Database) -> None:
    """The counts come from ``source_daily``: a month at 10 M posts is ~1 M posts to count."""
    with database.session() as s:
        src = f.source(s, "board-a")
        f.post(s, src, published_at=datetime(2026, 11, 15, 12, tzinfo=UTC))
        s.execute(text("UPDATE source_daily SET posts = posts + 40"))
    assert _shown(database) == {"board-a": 41}
    with database.session() as s:  # other zones' days are not the rollup's: counted live
        berlin = {
            r.name: r.items_in_range
            for r in stats.sources_health(s, RNG, ZoneInfo("Europe/Berlin"))
        }
    assert berlin == {"board-a": 1}


def test_issue_15_sources_health_equals_the_posts_after_writes_and_purge(
    database: Database,
) -> None:
    lo, _hi = RNG.bounds(TZ)
    with database.session() as s:
        sources = [f.source(s, f"board-{i}") for i in range(4)]
        for i, src in enumerate(sources[:3]):
            for k in range(3 + 4 * i):  # 6 hours apart, from a day before the month
                f.post(s, src, published_at=lo - timedelta(days=1) + timedelta(hours=6 * k))
    shown = _shown(database)
    assert shown == _direct(database)
    assert shown == {"board-0": 0, "board-1": 3, "board-2": 7, "board-3": 0}
    with database.session() as s:
        src = s.scalars(select(Source).where(Source.name == "board-3")).one()
        f.post(s, src, published_at=lo + timedelta(days=20))
    assert _shown(database) == _direct(database) == {**shown, "board-3": 1}
    # the purge of everything before the month's second day
    purge(database, retention_days=1, now=lo + timedelta(days=2), batch=3)
    assert (
        _shown(database)
        == _direct(database)
        == {
            "board-0": 0,
            "board-1": 0,
            "board-2": 3,
            "board-3": 1,
        }
    )
