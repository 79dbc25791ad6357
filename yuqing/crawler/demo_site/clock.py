"""The site's clock and the Chinese time formats the demo pages render.

All times are Beijing time (UTC+8, no daylight saving). The site's clock is injectable: any
callable returning a datetime; a naive datetime is taken as Beijing time.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone

TZ = timezone(timedelta(hours=8), "Asia/Shanghai")

Clock = Callable[[], datetime]

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def system_now() -> datetime:
    return datetime.now(TZ)


def local(value: datetime) -> datetime:
    """``value`` as an aware Beijing-time datetime (naive values are taken as Beijing time)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=TZ)
    return value.astimezone(TZ)


def _days_between(earlier: datetime, later: datetime) -> int:
    return (later.date() - earlier.date()).days


def forum_time(ts: datetime, now: datetime) -> str:
    """Tieba-style: 刚刚, 3分钟前, 2小时前, 昨天 14:02, 前天 09:15, 11-25 08:30,
    2025年3月5日 10:20 (other years)."""
    ts, now = local(ts), local(now)
    seconds = (now - ts).total_seconds()
    if seconds < 60:
        return "刚刚"
    if seconds < 3600:
        return f"{int(seconds // 60)}分钟前"
    days = _days_between(ts, now)
    if days == 0:
        return f"{int(seconds // 3600)}小时前"
    if days == 1:
        return f"昨天 {ts:%H:%M}"
    if days == 2:
        return f"前天 {ts:%H:%M}"
    if ts.year == now.year:
        return f"{ts:%m-%d %H:%M}"
    return f"{ts.year}年{ts.month}月{ts.day}日 {ts:%H:%M}"


def weibo_time(ts: datetime, now: datetime) -> str:
    """Weibo-style: 刚刚, 5分钟前, 今天 10:21, 昨天 10:21, 11月20日 18:03, 2025-11-20."""
    ts, now = local(ts), local(now)
    seconds = (now - ts).total_seconds()
    if seconds < 60:
        return "刚刚"
    if seconds < 3600:
        return f"{int(seconds // 60)}分钟前"
    days = _days_between(ts, now)
    if days == 0:
        return f"今天 {ts:%H:%M}"
    if days == 1:
        return f"昨天 {ts:%H:%M}"
    if ts.year == now.year:
        return f"{ts.month}月{ts.day}日 {ts:%H:%M}"
    return f"{ts:%Y-%m-%d}"


def rfc822(ts: datetime) -> str:
    """RSS 2.0 pubDate, e.g. ``Thu, 05 Mar 2026 10:20:00 +0800``."""
    ts = local(ts)
    return (
        f"{_WEEKDAYS[ts.weekday()]}, {ts.day:02d} {_MONTHS[ts.month - 1]} {ts.year} "
        f"{ts:%H:%M:%S} +0800"
    )


def iso(ts: datetime) -> str:
    """ISO 8601 with the +08:00 offset (Atom, JSON state)."""
    return local(ts).replace(microsecond=0).isoformat()


def full(ts: datetime) -> str:
    """``2026-03-05 10:20`` as printed on news and government pages."""
    return f"{local(ts):%Y-%m-%d %H:%M}"
