"""Small reusable field types for the configuration model."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BeforeValidator, PlainSerializer

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)\s*$")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(value: Any) -> timedelta:
    """Parse ``30s``, ``5m``, ``4h``, ``2d``, ``1w`` (or a number of seconds) into a timedelta."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool):
        raise ValueError(f"invalid duration {value!r} (expected e.g. 30s, 5m, 4h, 2d)")
    if isinstance(value, int | float):
        return timedelta(seconds=value)
    if isinstance(value, str):
        m = _DURATION.match(value)
        if m:
            return timedelta(seconds=float(m.group(1)) * _UNITS[m.group(2)])
    raise ValueError(f"invalid duration {value!r} (expected e.g. 30s, 5m, 4h, 2d)")


def format_duration(value: timedelta) -> str:
    seconds = value.total_seconds()
    for unit in ("w", "d", "h", "m", "s"):
        size = _UNITS[unit]
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds}s"


Duration = Annotated[
    timedelta,
    BeforeValidator(parse_duration),
    PlainSerializer(format_duration, return_type=str),
]


def check_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown timezone {value!r}") from exc
    return value


TimeZoneName = Annotated[str, BeforeValidator(lambda v: check_timezone(str(v)))]

_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def check_clock(value: Any) -> str:
    if not isinstance(value, str) or not _CLOCK.match(value):
        raise ValueError(f"invalid time of day {value!r} (expected HH:MM)")
    return value


ClockTime = Annotated[str, BeforeValidator(check_clock)]

_SLUG = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")


def check_slug(value: Any) -> str:
    if not isinstance(value, str) or not _SLUG.match(value):
        raise ValueError(
            f"invalid name {value!r} (use lower-case letters, digits, '-', '_' and '.')"
        )
    return value


Slug = Annotated[str, BeforeValidator(check_slug)]
