"""The Chinese time-format table: every format the sites print, read against a fixed "now"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from yuqing.crawler.dates import SHANGHAI, DateParseError, parse_datetime

BJ = timezone(timedelta(hours=8))
NOW = datetime(2026, 3, 5, 15, 30, 0, tzinfo=BJ)


def bj(*args: int) -> datetime:
    return datetime(*args, tzinfo=BJ)  # type: ignore[arg-type,misc]


TABLE = [
    ("刚刚", NOW),
    ("3分钟前", NOW - timedelta(minutes=3)),
    ("3 分钟前", NOW - timedelta(minutes=3)),
    ("45秒前", NOW - timedelta(seconds=45)),
    ("2小时前", NOW - timedelta(hours=2)),
    ("半小时前", NOW - timedelta(minutes=30)),
    ("3天前", NOW - timedelta(days=3)),
    ("今天 10:21", bj(2026, 3, 5, 10, 21)),
    ("昨天 14:02", bj(2026, 3, 4, 14, 2)),
    ("前天 09:15", bj(2026, 3, 3, 9, 15)),
    ("昨天", bj(2026, 3, 4, 0, 0)),
    ("03-01 08:30", bj(2026, 3, 1, 8, 30)),
    ("11-25 08:30", bj(2025, 11, 25, 8, 30)),  # later than now this year: last year
    ("3月1日 18:03", bj(2026, 3, 1, 18, 3)),
    ("11月20日 18:03", bj(2025, 11, 20, 18, 3)),
    ("2025年3月5日", bj(2025, 3, 5, 0, 0)),
    ("2025年3月5日 10:20", bj(2025, 3, 5, 10, 20)),
    ("2026-03-05 10:20", bj(2026, 3, 5, 10, 20)),
    ("2026-03-05 10:20:33", bj(2026, 3, 5, 10, 20, 33)),
    ("2026/3/5", bj(2026, 3, 5, 0, 0)),
    ("2026.03.05", bj(2026, 3, 5, 0, 0)),
    ("发布时间：2026-03-05 10:20　来源：鹤城新闻网", bj(2026, 3, 5, 10, 20)),
    ("2026-03-05T10:20:00+08:00", bj(2026, 3, 5, 10, 20)),
    ("2026-03-05T02:20:00Z", bj(2026, 3, 5, 10, 20)),
    ("Thu, 05 Mar 2026 10:20:00 +0800", bj(2026, 3, 5, 10, 20)),
    ("Thu, 05 Mar 2026 02:20:00 GMT", bj(2026, 3, 5, 10, 20)),
    (1772677200, bj(2026, 3, 5, 10, 20)),
    (1772677200000, bj(2026, 3, 5, 10, 20)),
    ("1772677200", bj(2026, 3, 5, 10, 20)),
    ("1772677200000", bj(2026, 3, 5, 10, 20)),
    ("２０２６年３月５日", bj(2026, 3, 5, 0, 0)),  # full-width digits
]


@pytest.mark.parametrize(("text", "expected"), TABLE, ids=[str(t) for t, _ in TABLE])
def test_date_format_table(text: object, expected: datetime) -> None:
    parsed = parse_datetime(text, NOW)
    assert parsed == expected
    assert parsed.tzinfo is not None and parsed.utcoffset() == timedelta(hours=8)


def test_results_are_in_the_given_zone() -> None:
    parsed = parse_datetime("2026-03-05T02:20:00Z", NOW, SHANGHAI)
    assert parsed.tzinfo == SHANGHAI
    assert parsed.hour == 10


def test_naive_now_is_taken_as_local_time() -> None:
    naive_now = datetime(2026, 3, 5, 15, 30)
    assert parse_datetime("3分钟前", naive_now) == NOW - timedelta(minutes=3)


def test_now_in_utc_still_gives_beijing_days() -> None:
    # 00:30 Beijing is 16:30 UTC the day before: 昨天 is the Beijing day before.
    utc_now = datetime(2026, 3, 4, 16, 30, tzinfo=UTC)
    assert parse_datetime("昨天 08:00", utc_now) == bj(2026, 3, 4, 8, 0)


@pytest.mark.parametrize(
    "text", ["上周三下午（具体日期见附件）", "", "   ", "unknown", "第3期", None, True]
)
def test_unparseable_dates_raise(text: object) -> None:
    with pytest.raises(DateParseError):
        parse_datetime(text, NOW)


def test_impossible_date_says_so() -> None:
    with pytest.raises(DateParseError, match="impossible date"):
        parse_datetime("2025年13月45日 25:61", NOW)


def test_date_far_in_the_future_is_rejected() -> None:
    with pytest.raises(DateParseError, match="future"):
        parse_datetime("2027-01-01 00:00", NOW)


def test_epoch_format_is_forced_when_configured() -> None:
    assert parse_datetime(1772677200, NOW, fmt="epoch") == bj(2026, 3, 5, 10, 20)
    assert parse_datetime(1772677200000, NOW, fmt="epoch_ms") == bj(2026, 3, 5, 10, 20)
    with pytest.raises(DateParseError, match="number"):
        parse_datetime(1772677200, NOW, fmt="text")


def test_epoch_out_of_range_is_rejected() -> None:
    with pytest.raises(DateParseError, match="out of range"):
        parse_datetime(42, NOW)


# -- issue 12: formats real pages print --------------------------------------------------
ISSUE12_NOW = datetime(2026, 11, 27, 17, 0, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("08:52", datetime(2026, 11, 27, 8, 52)),  # a time alone: today
        ("23:50", datetime(2026, 11, 26, 23, 50)),  # over an hour ahead: yesterday's
        ("7-30", datetime(2026, 7, 30)),  # M-D: this year
        ("07-30", datetime(2026, 7, 30)),
        ("12-25", datetime(2025, 12, 25)),  # would be in the future: last year
        ("7/30 08:15", datetime(2026, 7, 30, 8, 15)),
        ("2007-08-20-23:59:59", datetime(2007, 8, 20, 23, 59, 59)),
        ("2019年06月15日08:18", datetime(2019, 6, 15, 8, 18)),
        ("2019-09-1112:30", datetime(2019, 9, 11, 12, 30)),
    ],
)
def test_partial_and_run_together_dates_issue_12(value: str, expected: datetime) -> None:
    assert parse_datetime(value, ISSUE12_NOW) == expected.replace(tzinfo=SHANGHAI)
