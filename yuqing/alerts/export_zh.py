"""Exports in plain Chinese (issue 13): column names and coded values as officers read them.

``yuqing export`` and the web's 数据导出 write Chinese by default; ``--codes`` (CLI) or
``?codes=1`` (web) keep the raw column names and codes (``life_services``, ``high``) for
scripts. Parquet always keeps codes: its typed columns follow the column names.

The store stays unaware of Chinese (dependencies point app → alerts → store): this module maps
what :func:`yuqing.store.export.export_rows` returns.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from yuqing.alerts.labels import (
    EXPORT_COLUMN_NAMES,
    FLAG_COLUMNS,
    SEVERITY_NAMES,
    STATUS_NAMES,
    YES_NO,
    sector_name,
)
from yuqing.alerts.policy import notice_ref
from yuqing.alerts.resolution import CHOICES
from yuqing.config import Config

Row = tuple[Any, ...]


def value_maps(config: Config) -> dict[str, Callable[[Any], Any]]:
    """Per column, how a code reads in Chinese (columns not listed keep their values)."""
    rules = {r.name: r.short_title for r in config.rules.rules}
    sources = {s.name: s.title or s.name for s in config.sources.sources}
    departments = {d.code: d.name for d in config.departments.departments}

    def lookup(names: dict[str, str]) -> Callable[[Any], Any]:
        return lambda v: names.get(v, v) if isinstance(v, str) else v

    def flag(v: Any) -> Any:
        return YES_NO.get(int(v), v) if isinstance(v, int | bool) else v

    def depts(v: Any) -> Any:
        if not isinstance(v, str) or not v:
            return v
        return "、".join(departments.get(c, c) for c in v.split(","))

    maps: dict[str, Callable[[Any], Any]] = {
        "rule": lookup(rules),
        "source": lookup(sources),
        "severity": lookup(SEVERITY_NAMES),
        "status": lookup(STATUS_NAMES),
        "sector": lambda v: sector_name(v) if isinstance(v, str) else v,
        "departments": depts,
        **{c: flag for c in FLAG_COLUMNS},
        **{field: lookup(names) for field, names in CHOICES.items()},
    }
    return maps


POLICY_COLUMN = "政策依据"


def in_chinese(
    config: Config, columns: Sequence[str], rows: Iterator[Row]
) -> tuple[list[str], Iterator[Row]]:
    """Chinese column names and values for an export's columns and rows (lazily). Incident
    exports end with 政策依据: the notice an incident of that rule cites (issue 13; which
    clause matched is on the incident page, read from its posts)."""
    maps = value_maps(config)
    convert = [maps.get(c) for c in columns]
    names = [EXPORT_COLUMN_NAMES.get(c, c) for c in columns]
    cites = "incident_id" in columns and "rule" in columns
    rule_at = list(columns).index("rule") if cites else -1
    notices: dict[str, str] = {}
    for r in config.rules.rules:
        notice = config.policy.for_rule(r.name)
        notices[r.name] = notice_ref(notice) if notice is not None else ""

    def out() -> Iterator[Row]:
        for row in rows:
            values = tuple(
                f(v) if f is not None and v is not None else v
                for f, v in zip(convert, row, strict=True)
            )
            yield (*values, notices.get(row[rule_at], "")) if cites else values

    return [*names, POLICY_COLUMN] if cites else names, out()
