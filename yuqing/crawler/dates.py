"""Parse the time formats Chinese sites print, relative to an injectable "now".

Handled: 刚刚; N秒/分钟/小时/天/周前 (and 半小时前); 今天/昨天/前天 [HH:MM]; M-D [HH:MM] and
M月D日 [HH:MM] (this year, or last year if that would be in the future); HH:MM alone (today,
or yesterday if that is over an hour ahead); YYYY年M月D日 [HH:MM] (``2019年06月15日08:18``);
YYYY-MM-DD / YYYY/MM/DD / YYYY.MM.DD [HH:MM[:SS]] (also ``2007-08-20-23:59:59``); ISO 8601;
RFC 822 (RSS); epoch seconds and
milliseconds (numbers or digit strings). Text around the date is ignored
(``发布时间：2026-03-05 10:20 来源：…``). Times without a zone are local to ``tz`` (default
Asia/Shanghai); results are aware datetimes in ``tz``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import datetime, timedelta, tzinfo
from email.utils import parsedate_to_datetime
from typing import Literal
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
TimeFormat = Literal["auto", "epoch", "epoch_ms", "text"]
MAX_FUTURE = timedelta(days=1)


class DateParseError(ValueError):
    """The value is not a date we understand (or is an impossible one)."""

    def __init__(self, value: object, why: str = "unrecognized date format") -> None:
        self.value = value
        super().__init__(f"{why}: {str(value)[:80]!r}")


_TIME = r"(?:\s*(\d{1,2}):(\d{2})(?::(\d{2}))?)?"
_AGO = re.compile(r"(\d+)\s*(秒|分钟|分|小时|个小时|天|日|周|星期)\s*(?:之)?前")
_HALF_HOUR = re.compile(r"半\s*(?:个)?\s*小时\s*前")
_DAY_WORD = re.compile(r"(今天|昨天|前天)" + _TIME)
_CN_FULL = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]" + _TIME)
_CN_SHORT = re.compile(r"(?<!\d)(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]" + _TIME)
_NUMERIC_FULL = re.compile(
    r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:(?:[ T]+|-|(?=\d{1,2}:))(\d{1,2}):(\d{2})"
    r"(?::(\d{2}))?)?"
)
_NUMERIC_SHORT = re.compile(
    r"(?<![\d\-/:])(\d{1,2})[-/](\d{1,2})(?:\s*(\d{1,2}):(\d{2}))?(?![\d\-/])"
)
_CLOCK_ONLY = re.compile(r"^(?:今日\s*)?(\d{1,2}):(\d{2})(?::(\d{2}))?$")
# A time of day alone is today's, unless that is more than this far ahead of the crawl (then
# it was yesterday's: a page read at 08:00 that says 23:50).
CLOCK_SLACK = timedelta(hours=1)
_EPOCH = re.compile(r"^\s*(\d{10}|\d{13})(?:\.\d+)?\s*$")
_RFC822 = re.compile(r"[A-Za-z]{3},?\s+\d{1,2}\s+[A-Za-z]{3}\s+\d{4}")
_UNIT_SECONDS = {
    "秒": 1,
    "分钟": 60,
    "分": 60,
    "小时": 3600,
    "个小时": 3600,
    "天": 86400,
    "日": 86400,
    "周": 604800,
    "星期": 604800,
}
_DAY_OFFSET = {"今天": 0, "昨天": 1, "前天": 2}


EARLIEST_YEAR = 1900


def parse_datetime(
    value: object,
    now: datetime,
    tz: tzinfo = SHANGHAI,
    fmt: TimeFormat = "auto",
    max_future: timedelta = MAX_FUTURE,
) -> datetime:
    """``value`` as an aware datetime in ``tz``; raise :class:`DateParseError` otherwise."""
    now = now.astimezone(tz) if now.tzinfo else now.replace(tzinfo=tz)
    result = _parse(value, now, tz, fmt)
    if result.year < EARLIEST_YEAR:  # 0001-01-01 would overflow when stored as UTC (issue 14)
        raise DateParseError(value, f"date is before {EARLIEST_YEAR}")
    if result - now > max_future:
        raise DateParseError(value, "date is in the future")
    return result


def _parse(value: object, now: datetime, tz: tzinfo, fmt: TimeFormat) -> datetime:
    if isinstance(value, bool) or value is None:
        raise DateParseError(value, "no date")
    if isinstance(value, datetime):
        return value.astimezone(tz) if value.tzinfo else value.replace(tzinfo=tz)
    if isinstance(value, int | float):
        if fmt == "text":
            raise DateParseError(value, "expected a date string, got a number")
        return _epoch(float(value), tz, fmt)
    if not isinstance(value, str):
        raise DateParseError(value, f"unexpected {type(value).__name__}")
    text = unicodedata.normalize("NFKC", value).strip()
    if not text:
        raise DateParseError(value, "no date")
    m = _EPOCH.match(text)
    if m and fmt != "text":
        return _epoch(float(text), tz, fmt)
    for parser in _PARSERS:
        try:
            result = parser(text, now, tz)
        except (ValueError, OverflowError) as exc:
            raise DateParseError(value, f"impossible date ({exc})") from exc
        if result is not None:
            return result
    raise DateParseError(value)


def _epoch(number: float, tz: tzinfo, fmt: TimeFormat) -> datetime:
    if fmt == "epoch_ms" or (fmt != "epoch" and number > 1e11):
        number /= 1000.0
    if not 1e8 < number < 1e10:
        raise DateParseError(number, "epoch time out of range")
    return datetime.fromtimestamp(number, tz)


def _iso(text: str, now: datetime, tz: tzinfo) -> datetime | None:
    if "T" not in text and "+" not in text:
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed.astimezone(tz) if parsed.tzinfo else parsed.replace(tzinfo=tz)


def _rfc822(text: str, now: datetime, tz: tzinfo) -> datetime | None:
    if not _RFC822.search(text):
        return None
    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return parsed.astimezone(tz) if parsed.tzinfo else parsed.replace(tzinfo=tz)


def _just_now(text: str, now: datetime, tz: tzinfo) -> datetime | None:
    return now if text.startswith("刚刚") or text in ("刚才", "just now") else None


def _ago(text: str, now: datetime, tz: tzinfo) -> datetime | None:
    if _HALF_HOUR.search(text):
        return now - timedelta(minutes=30)
    m = _AGO.search(text)
    if m is None:
        return None
    return now - timedelta(seconds=int(m.group(1)) * _UNIT_SECONDS[m.group(2)])


def _clock(m: re.Match[str], first: int) -> tuple[int, int, int]:
    hour, minute, second = m.group(first), m.group(first + 1), m.group(first + 2)
    return int(hour or 0), int(minute or 0), int(second or 0)


def _day_word(text: str, now: datetime, tz: tzinfo) -> datetime | None:
    m = _DAY_WORD.search(text)
    if m is None:
        return None
    day = (now - timedelta(days=_DAY_OFFSET[m.group(1)])).date()
    h, mi, s = _clock(m, 2)
    return datetime(day.year, day.month, day.day, h, mi, s, tzinfo=tz)


def _cn_full(text: str, now: datetime, tz: tzinfo) -> datetime | None:
    m = _CN_FULL.search(text)
    if m is None:
        return None
    h, mi, s = _clock(m, 4)
    return datetime(int(m.group(1)), int(m.group(2)), int(m.group(3)), h, mi, s, tzinfo=tz)


def _numeric_full(text: str, now: datetime, tz: tzinfo) -> datetime | None:
    m = _NUMERIC_FULL.search(text)
    if m is None:
        return None
    h, mi, s = _clock(m, 4)
    return datetime(int(m.group(1)), int(m.group(2)), int(m.group(3)), h, mi, s, tzinfo=tz)


def _this_year(month: int, day: int, h: int, mi: int, now: datetime, tz: tzinfo) -> datetime:
    """A date printed without its year: this year, unless that lies in the future."""
    result = datetime(now.year, month, day, h, mi, tzinfo=tz)
    if result - now > MAX_FUTURE:
        result = result.replace(year=now.year - 1)
    return result


def _numeric_short(text: str, now: datetime, tz: tzinfo) -> datetime | None:
    m = _NUMERIC_SHORT.search(text)
    if m is None:
        return None
    month, day, h, mi = (int(g or 0) for g in m.groups())
    return _this_year(month, day, h, mi, now, tz)


def _clock_only(text: str, now: datetime, tz: tzinfo) -> datetime | None:
    m = _CLOCK_ONLY.match(text)
    if m is None:
        return None
    h, mi, s = _clock(m, 1)
    result = datetime(now.year, now.month, now.day, h, mi, s, tzinfo=tz)
    if result - now > CLOCK_SLACK:
        result -= timedelta(days=1)
    return result


def _cn_short(text: str, now: datetime, tz: tzinfo) -> datetime | None:
    m = _CN_SHORT.search(text)
    if m is None:
        return None
    h, mi, _s = _clock(m, 3)
    return _this_year(int(m.group(1)), int(m.group(2)), h, mi, now, tz)


_PARSERS: tuple[Callable[[str, datetime, tzinfo], datetime | None], ...] = (
    _iso,
    _rfc822,
    _just_now,
    _ago,
    _day_word,
    _cn_full,
    _numeric_full,
    _numeric_short,
    _cn_short,
    _clock_only,
)
