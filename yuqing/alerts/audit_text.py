"""Audit entries as readable Chinese (issue 13): ``{"assignee": "lsq2", "previous": null}``
reads ``指派给：lsq2``; rule, department, sector, tag and resolution codes read as their
Chinese names; lists join with 、; unknown keys keep their name (never raw JSON)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from yuqing.alerts.labels import (
    AUDIT_DETAIL_NAMES,
    ROLE_NAMES,
    SEVERITY_NAMES,
    TAG_NAMES,
    sector_name,
)
from yuqing.alerts.resolution import CHOICES
from yuqing.config import Config

MAX_VALUE = 200


def _names(config: Config | None) -> dict[str, dict[str, str]]:
    departments = {d.code: d.name for d in config.departments.departments} if config else {}
    rules = {r.name: r.short_title for r in config.rules.rules} if config else {}
    sources = {s.name: s.title or s.name for s in config.sources.sources} if config else {}
    return {
        "rule": rules,
        "department": departments,
        "to": departments,
        "fields": TAG_NAMES,
        "role": ROLE_NAMES,
        "severity": SEVERITY_NAMES,
        "source": sources,
        **CHOICES,
    }


def _value(key: str, value: Any, names: dict[str, dict[str, str]]) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list | tuple):
        return "、".join(_value(key, v, names) for v in value)
    if isinstance(value, dict):
        if key == "changes":  # {field: [old, new]}
            return "；".join(_change(f, ch) for f, ch in value.items())
        return "，".join(
            f"{AUDIT_DETAIL_NAMES.get(k, k)} {_value(k, v, names)}" for k, v in value.items()
        )
    if key == "sector" and isinstance(value, str):
        return sector_name(value)
    if key in ("incident", "incidents") and isinstance(value, int):
        return f"#{value}"
    if key == "post" and isinstance(value, int):
        return f"帖文 {value}"
    return _plain(names.get(key, {}).get(str(value), value))


def _tag_value(field: str, value: Any) -> str:
    if field == "sector" and isinstance(value, str):
        return sector_name(value)
    if value in ("1", 1, True):
        return "是"
    if value in ("0", 0, False):
        return "否"
    return _plain(value)


def _change(field: str, change: Any) -> str:
    name = TAG_NAMES.get(field, field)
    if isinstance(change, list) and len(change) == 2:
        return f"{name} {_tag_value(field, change[0])} → {_tag_value(field, change[1])}"
    return f"{name} {_plain(change)}"


def _plain(value: Any) -> str:
    if value is None or value == "":
        return "—"
    text = " ".join(str(value).split())
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"


def describe(detail: Mapping[str, Any] | None, config: Config | None = None) -> str:
    """One line of 名称：值 pairs, in a fixed order (absent and empty values left out)."""
    if not detail:
        return ""
    names = _names(config)
    order = {k: i for i, k in enumerate(AUDIT_DETAIL_NAMES)}
    keys = sorted(detail, key=lambda k: (order.get(k, len(order)), k))
    parts = []
    for key in keys:
        value = detail[key]
        if value is None or value == "" or value == [] or value == {}:
            continue
        parts.append(f"{AUDIT_DETAIL_NAMES.get(key, key)}：{_value(key, value, names)}")
    return "；".join(parts)
