"""The dashboard: daily counts per local day on both backends, charts drawn as SVG, ranges."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.app.web import factories as f
from tests.app.web.conftest import Clients, Seed, text_of
from yuqing.app.web import stats
from yuqing.app.web.charts import Series, line_chart, nice_step, stacked_bars
from yuqing.app.web.params import BadParam
from yuqing.store.session import Database

TZ = ZoneInfo("Asia/Shanghai")


def test_daily_counts_use_the_local_day(database: Database) -> None:
    """Regression: a post at 17:30 UTC belongs to the next day in Asia/Shanghai."""
    with database.session() as s:
        src = f.source(s)
        late = datetime(2026, 11, 26, 17, 30, tzinfo=UTC)  # 11-27 01:30 local
        early = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)  # 11-26 23:00 local
        f.post(s, src, published_at=late, tags={"sector": "construction", "district": "建华区"})
        f.post(s, src, published_at=late, tags={"sector": "life_services", "blanket": False})
        f.post(
            s,
            src,
            published_at=early,
            tags={"sector": "construction", "shutdown": False, "blanket": False},
        )
        f.post(s, src, published_at=early)  # untagged
        f.incident(s, departments=["lsq"], opened_at=late, sector="construction")
        f.incident(s, departments=["lsq"], opened_at=early - timedelta(days=5))  # out of range
    rng = stats.DateRange(date(2026, 11, 26), date(2026, 11, 27))
    with database.session() as s:
        by_sector = stats.posts_per_day(s, rng, TZ, "sector")
        by_district = stats.posts_per_day(s, rng, TZ, "district")
        incidents = stats.incidents_per_day(s, rng, TZ, "sector")
        shutdown = stats.shutdown_per_day(s, rng, TZ)
    assert by_sector == {
        "construction": {"2026-11-26": 1, "2026-11-27": 1},
        "life_services": {"2026-11-27": 1},
        "": {"2026-11-26": 1},
    }
    assert by_district == {
        "建华区": {"2026-11-27": 1},
        "龙沙区": {"2026-11-27": 1, "2026-11-26": 1},
        "": {"2026-11-26": 1},
    }
    assert incidents == {"construction": {"2026-11-27": 1}}
    assert shutdown == {"shutdown": {"2026-11-27": 2}, "blanket": {"2026-11-27": 1}}


def test_parse_range() -> None:
    today = date(2026, 11, 27)
    assert stats.parse_range("", "", today) == stats.DateRange(date(2026, 10, 29), today)
    assert stats.parse_range("2026-11-20", "2026-11-01", today) == stats.DateRange(
        date(2026, 11, 1), date(2026, 11, 20)
    )
    with pytest.raises(BadParam, match=r"^invalid to='2026-13-01' \(expected a date YYYY-MM-DD"):
        stats.parse_range("", "2026-13-01", today)  # issue 14: a 400 that says so, not defaults
    with pytest.raises(BadParam, match=r"^invalid from='9999-12-31'"):
        stats.parse_range("9999-12-31", "", today)
    long = stats.parse_range("2000-01-01", "2026-11-27", today)
    assert len(long.days) == stats.MAX_DAYS


def test_top_keys_merges_the_rest() -> None:
    counts = {"a": {"d": 5}, "b": {"d": 3}, "c": {"d": 1, "e": 1}, "x": {"e": 2}}
    keys, merged = stats.top_keys(counts, 2)
    assert keys == ["a", "b", "__rest__"]
    assert merged["__rest__"] == {"d": 1, "e": 3}


def test_stacked_bars_geometry() -> None:
    days = [date(2026, 11, 26), date(2026, 11, 27)]
    chart = stacked_bars(
        "t", days, [Series("甲", [2, 0]), Series("乙", [1, 3]), Series("空", [0, 0])]
    )
    assert chart.total == 6 and [name for _, name in chart.legend] == ["甲", "乙"]
    _, top, _, bottom = chart.plot
    assert [label for _, label in chart.y_ticks] == ["0", "1", "2", "3"]
    # day 2: one segment of 3 reaching the top of the axis (max 3)
    day2 = [r for r in chart.rects if r.tip.startswith("2026-11-27")]
    assert len(day2) == 1 and round(day2[0].y) == top and round(day2[0].h) == bottom - top
    # day 1: 甲 2 below 乙 1, stacked
    d1 = [r for r in chart.rects if r.tip.startswith("2026-11-26")]
    assert d1[0].tip.endswith("甲：2") and d1[1].y + d1[1].h == d1[0].y


def test_nice_steps_and_lines() -> None:
    assert [nice_step(v) for v in (0, 3, 4, 9, 28, 130, 950)] == [1, 1, 1, 5, 10, 50, 500]
    chart = line_chart("t", [date(2026, 11, 27)], [Series("a", [4])])
    assert chart.lines[0].points.count(",") == 1 and chart.lines[0].dots


def test_dashboard_renders_charts(clients: Clients, seed: Seed) -> None:
    html = clients.login("ana").get("/dashboard?from=2026-11-20&to=2026-11-27").text
    assert html.count('<svg class="chart chart-bars"') == 4
    assert html.count('<svg class="chart chart-lines"') == 1
    assert len(re.findall(r'<rect class="bar"', html)) >= 4
    text = text_of(html)
    assert "每日帖文数（按行业）" in text and "关停类舆情走势" in text
    assert "3 帖文" in text and "4 新增预警事件" in text
    later = text_of(clients.login("ana").get("/dashboard?from=2026-11-26&to=2026-11-27").text)
    assert "3 新增预警事件" in later  # the resolved one opened on 11-25
    assert "微博搜索 故障" in text and "failed runs" not in text  # issue 13: plain Chinese
    admin = text_of(clients.login("admin").get("/dashboard?from=2026-11-20&to=2026-11-27").text)
    assert "微博搜索 故障 3 failed runs: HTTP 503" in admin  # the reason, for the operator
    assert "1 故障采集源" in text
    # tooltips name the day, the series and the count
    assert "<title>2026-11-27 生活服务业：2</title>" in html


def test_dashboard_empty_range(clients: Clients, seed: Seed) -> None:
    html = clients.login("ana").get("/dashboard?from=2020-01-01&to=2020-01-31").text
    assert html.count("所选时间段内没有数据") == 5
