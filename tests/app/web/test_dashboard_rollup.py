"""The dashboard's daily counts come from the ``daily_counts`` rollup (issue 15: a month of
posts per query is too slow at 10 M posts); zones whose days are not the rollup's count live."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import text

from tests.app.web import factories as f
from yuqing.app.web import stats
from yuqing.store.session import Database

DAY = date(2026, 11, 27)
RNG = stats.DateRange(DAY, DAY)


def _seed(database: Database) -> None:
    with database.session() as s:
        src = f.source(s)
        at = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai, 03:00 in Berlin
        f.post(s, src, published_at=at, tags={"sector": "construction", "district": "建华区"})


def test_issue_15_dashboard_counts_read_the_rollup(database: Database) -> None:
    _seed(database)
    with database.session() as s:
        # the rollup is the source: a cell the posts do not explain shows up as it is
        s.execute(
            text(
                "UPDATE daily_counts SET posts = posts + 40, shutdown = shutdown + 7 "
                "WHERE sector = 'construction'"
            )
        )
    tz = ZoneInfo("Asia/Shanghai")
    with database.session() as s:
        assert stats.posts_per_day(s, RNG, tz, "sector") == {"construction": {"2026-11-27": 41}}
        assert stats.posts_per_day(s, RNG, tz, "district") == {"建华区": {"2026-11-27": 41}}
        shutdown = stats.shutdown_per_day(s, RNG, tz)
    assert shutdown["shutdown"] == {"2026-11-27": 8}


def test_issue_15_other_zones_count_the_posts(database: Database) -> None:
    _seed(database)
    with database.session() as s:
        s.execute(text("UPDATE daily_counts SET posts = posts + 40"))
    berlin = ZoneInfo("Europe/Berlin")
    with database.session() as s:
        assert stats.posts_per_day(s, RNG, berlin, "sector") == {"construction": {"2026-11-27": 1}}
