"""Checking request parameters the routes read themselves (dates, pages, ids): a bad value
is a 400 page that names the parameter and says what is expected, never a 500 (issue 14)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import Path

from yuqing.app.web.errors import WebError

MIN_DATE = date(2000, 1, 1)
MAX_DATE = date(2100, 12, 31)
MAX_PAGE = 10_000
MAX_ID = 2**31 - 1  # INTEGER on PostgreSQL

IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]


def shown(value: str) -> str:
    """A parameter value as quoted in a message: at most 40 characters."""
    return repr(value if len(value) <= 40 else value[:40] + "…")


class BadParam(WebError):
    """A query or path parameter with a value the page cannot use (HTTP 400)."""

    def __init__(self, name: str, value: str, expected: str, expected_zh: str) -> None:
        super().__init__(
            f"invalid {name}={shown(value)} (expected {expected})",
            f"参数 {name} 的值 {shown(value)} 无效：{expected_zh}。",
        )
        self.name = name


def parse_date(name: str, value: str) -> date | None:
    """An ISO date (``YYYY-MM-DD``) from 2000-01-01 to 2100-12-31; empty: None."""
    value = value.strip()
    if not value:
        return None
    expected = f"a date YYYY-MM-DD from {MIN_DATE} to {MAX_DATE}"
    expected_zh = f"应为 {MIN_DATE} 至 {MAX_DATE} 之间的日期（YYYY-MM-DD）"
    if len(value) != 10 or not value.isascii():
        raise BadParam(name, value, expected, expected_zh)
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise BadParam(name, value, expected, expected_zh) from None
    if not MIN_DATE <= day <= MAX_DATE:
        raise BadParam(name, value, expected, expected_zh)
    return day


def parse_local_datetime(name: str, value: str, tz: ZoneInfo) -> datetime | None:
    """A ``datetime-local`` form value (``YYYY-MM-DDTHH:MM``) in ``tz``, in the date range of
    :func:`parse_date`; empty: None."""
    value = value.strip()
    if not value:
        return None
    expected = f"a time YYYY-MM-DDTHH:MM from {MIN_DATE} to {MAX_DATE}"
    expected_zh = f"应为 {MIN_DATE} 至 {MAX_DATE} 之间的时间（YYYY-MM-DD HH:MM）"
    try:
        at = datetime.fromisoformat(value) if value.isascii() else None
    except ValueError:
        at = None
    if at is None or at.tzinfo is not None or not MIN_DATE <= at.date() <= MAX_DATE:
        raise BadParam(name, value, expected, expected_zh)
    return at.replace(tzinfo=tz)


def parse_offset(params: dict[str, str], name: str = "offset", most: int = 1_000_000) -> int:
    """A row offset: 0 to ``most`` (absent: 0)."""
    value = params.get(name, "0").strip() or "0"
    if not (value.isascii() and value.isdigit() and len(value) <= 7) or int(value) > most:
        raise BadParam(name, value, f"a whole number from 0 to {most}", f"应为 0 至 {most} 的整数")
    return int(value)


def parse_page(params: dict[str, str], name: str = "page") -> int:
    """The page number: 1 to :data:`MAX_PAGE` (absent: 1)."""
    value = params.get(name, "1").strip() or "1"
    if not (value.isascii() and value.isdigit() and len(value) <= 6) or not (
        1 <= int(value) <= MAX_PAGE
    ):
        raise BadParam(
            name, value, f"a whole number from 1 to {MAX_PAGE}", f"应为 1 至 {MAX_PAGE} 的整数"
        )
    return int(value)
