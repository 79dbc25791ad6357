"""issue 15: the sources' health page counts a month of posts per source from the index
``ix_posts_published_source`` (published_at, source_id); the counts are the same: local-day
bounds, per source, sources without posts at 0."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import inspect

from tests.app.web import factories as f
from yuqing.app.web import stats
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
