"""Alert labels: the names yuqing sets, sector names in Chinese, titles.

Every alert carries ``rule`` and ``severity``; post and surge alerts carry ``district`` (empty
when the post names none) and ``sector``; source-failing alerts carry ``source``; post alerts
carry ``custom.NAME`` for each custom classifier's prediction; a rule may add its own ``labels``.
A label that is absent reads as the empty string (as in Alertmanager).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from yuqing.config.rules import BUILTIN_LABELS
from yuqing.config.vocab import SECTOR_NAMES, SECTORS

SEVERITY_NAMES: dict[str, str] = {"high": "紧急", "medium": "重要", "normal": "一般"}
STATUS_NAMES: dict[str, str] = {"open": "待签收", "acknowledged": "已签收", "resolved": "已办结"}

Labels = dict[str, str]

__all__ = [
    "BUILTIN_LABELS",
    "SECTORS",
    "SECTOR_NAMES",
    "SEVERITY_NAMES",
    "STATUS_NAMES",
    "Labels",
    "custom_labels",
    "label_key",
    "sector_name",
    "title",
]


def sector_name(code: str | None) -> str:
    """The Chinese name of a sector code (the code itself when unknown, "" for none)."""
    if not code:
        return ""
    return SECTOR_NAMES.get(code, code)


def custom_labels(custom: Mapping[str, Any] | None) -> Labels:
    """``custom.NAME`` labels from a post's custom tags (None and "" are left out)."""
    if not custom:
        return {}
    out: Labels = {}
    for name, value in custom.items():
        if value is None or value == "":
            continue
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, dict):
            inner = value.get("label", value.get("value"))
            if inner is None:
                continue
            text = str(inner)
        else:
            text = str(value)
        out[f"custom.{name}"] = text
    return out


def label_key(labels: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """A hashable, order-independent form of a label set."""
    return tuple(sorted(labels.items()))


def format_labels(labels: Mapping[str, str]) -> str:
    return " ".join(f'{k}="{v}"' for k, v in sorted(labels.items()))


def title(rule_title: str, labels: Mapping[str, str]) -> str:
    """``龙沙区 生活服务业 一刀切式关停``; source alerts read ``采集源失败：demo-board``."""
    source = labels.get("source", "")
    if source:
        return f"{rule_title}：{source}"
    parts = [labels.get("district", "")]
    sector = labels.get("sector", "")
    if sector and sector != "other":
        parts.append(sector_name(sector))
    parts.append(rule_title)
    return " ".join(p for p in parts if p)


# Structured resolution (issue 13, yuqing.alerts.resolution): field names and values in Chinese.
RESOLUTION_FIELD_NAMES: dict[str, str] = {
    "verification": "核实结果",
    "verified": "是否属实",
    "production_restored": "是否已恢复生产经营",
    "public_response": "群众回应情况",
    "public_response_note": "回应说明",
}
VERIFIED_NAMES: dict[str, str] = {"true": "属实", "partly": "部分属实", "false": "不属实"}
PRODUCTION_RESTORED_NAMES: dict[str, str] = {"yes": "是", "no": "否", "na": "不适用"}
PUBLIC_RESPONSE_NAMES: dict[str, str] = {"replied": "已回应", "not_replied": "未回应"}
