"""The one glossary: the Chinese words officers read on every page and in every message.

Codes stay in config, the database and logs (``blanket-shutdown``, ``life_services``,
``email#0``, ``routes[21]``); whatever an officer reads goes through here. Severity, status,
sector and channel names come from :mod:`yuqing.alerts.labels` (re-exported: one source); this
module adds the words around them: the preferred terms (帖文, 关停报告, ...) and plain
descriptions of routes, suppressions and sources. docs/glossary.md lists the terms.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from yuqing.alerts.labels import (
    CHANNEL_NAMES,
    SECTOR_NAMES,
    SEVERITY_NAMES,
    STATUS_NAMES,
    channel_name,
    sector_name,
)

__all__ = [
    "CHANNEL_NAMES",
    "LABEL_NAMES",
    "SECTOR_NAMES",
    "SEVERITY_NAMES",
    "STATUS_NAMES",
    "TERMS",
    "channel_name",
    "describe_route",
    "label_value",
    "labels_text",
    "plain",
    "rule_name",
    "sector_name",
    "silence_author",
    "source_title",
    "suppression_text",
    "unify",
]

# The preferred term, and the variants that must not appear on officer pages or in messages.
TERMS: dict[str, tuple[str, ...]] = {
    "帖文": ("帖子",),
    "关停报告": ("关停报道", "关停停产报告"),
    "一刀切式关停": ("一刀切关停",),
    "预警事件": (),
    "签收": (),
    "办结": (),
    "办理期限": ("截止时间",),
    "采集源": ("数据源",),
    "评分阈值": ("水位",),
    "超时": ("超期",),
}

# Alert label names (the keys of an incident's labels).
LABEL_NAMES: dict[str, str] = {
    "rule": "规则",
    "severity": "严重程度",
    "district": "区县",
    "sector": "行业",
    "source": "采集源",
}

_VARIANTS = sorted(
    ((variant, term) for term, variants in TERMS.items() for variant in variants),
    key=lambda pair: -len(pair[0]),
)


def unify(text: str) -> str:
    """``text`` with every variant replaced by its preferred term (帖子 → 帖文, ...)."""
    for variant, term in _VARIANTS:
        text = text.replace(variant, term)
    return text


def rule_name(code: str | None, rules: Iterable[Any] = ()) -> str:
    """A rule's plain name: its configured ``short_title`` (or description), never the code
    unless the rule is gone from the config."""
    if not code:
        return ""
    for rule in rules:
        if getattr(rule, "name", None) == code:
            short = getattr(rule, "short_title", None)
            return unify(str(short or getattr(rule, "description", "") or code))
    return code


def source_title(name: str | None, sources: Iterable[Any] = ()) -> str:
    """A source's configured ``title`` up to its bracketed remark (``演示·齐齐哈尔吧（贴吧式
    论坛：…）`` reads ``演示·齐齐哈尔吧``), else its name."""
    if not name:
        return ""
    for src in sources:
        if getattr(src, "name", None) == name:
            title = re.split(r"[（(]", str(getattr(src, "title", "") or ""), maxsplit=1)[0]
            return title.strip() or name
    return name


def plain(text: str, sources: Iterable[Any] = ()) -> str:
    """Stored Chinese text made plain: preferred terms, source names as their titles."""
    named = sorted(
        (
            (str(getattr(src, "name", "")), source_title(getattr(src, "name", ""), [src]))
            for src in sources
        ),
        key=lambda pair: -len(pair[0]),
    )
    for name, title in named:
        if name and name in text:
            text = re.sub(rf"(?<![\w-]){re.escape(name)}(?![\w-])", title, text)
    return unify(text)


def label_value(key: str, value: str, rules: Iterable[Any] = ()) -> str:
    if key == "rule":
        return rule_name(value, rules)
    if key == "severity":
        return SEVERITY_NAMES.get(value, value)
    if key == "sector":
        return sector_name(value) or "未识别"
    if key == "district":
        return value or "未识别"
    return value


def labels_text(labels: Mapping[str, str], rules: Iterable[Any] = ()) -> str:
    """``规则：一刀切式关停；严重程度：紧急；行业：生活服务业`` (label codes left out)."""
    rules = list(rules)
    parts = []
    for key, value in labels.items():
        custom = key.startswith("custom.")
        name = LABEL_NAMES.get(key) or (f"自定义分类（{key[7:]}）" if custom else key)
        parts.append(f"{name}：{label_value(key, value, rules)}")
    return "；".join(parts)


_MATCHER = re.compile(r'^\s*([\w.]+)\s*(=~|!~|!=|=)\s*"?(.*?)"?\s*$')
_OPS = {"=": "为", "!=": "不为", "=~": "符合", "!~": "不符合"}


def _matcher_text(text: str, rules: list[Any]) -> str:
    m = _MATCHER.match(text)
    if not m:
        return text
    key, op, value = m.groups()
    name = LABEL_NAMES.get(key, key)
    shown = label_value(key, value, rules) if op in ("=", "!=") else value
    return f"{name}{_OPS[op]}{shown}"


def _route_at(root: Any, path: str) -> list[Any]:
    """The routes along ``path`` (``routes[2].routes[0]``), root excluded; [] if gone."""
    out: list[Any] = []
    node = root
    for index in re.findall(r"routes\[(\d+)\]", path or ""):
        children = getattr(node, "routes", None) or []
        i = int(index)
        if i >= len(children):
            return []
        node = children[i]
        out.append(node)
    return out


def describe_route(
    path: str | None,
    routing: Any = None,
    rules: Iterable[Any] = (),
) -> str:
    """How a department came to hold an incident, in words: ``按「规则为一刀切式关停」分派``;
    the root route reads ``默认分派``, an escalation ``超时升级督办（第 1 级）``.

    A route's own ``description`` (when the config has one) wins over the derived text.
    """
    if not path:
        return ""
    m = re.fullmatch(r"escalation level (\d+)", path)
    if m:
        return f"超时升级督办（第 {m.group(1)} 级）"
    if path in ("root", "/", "routes"):
        return "默认分派"
    rules = list(rules)
    nodes = _route_at(routing, path) if routing is not None else []
    if not nodes:
        return "按分派规则"
    own = getattr(nodes[-1], "description", "")
    if own:
        return str(own)
    conds = [_matcher_text(m, rules) for node in nodes for m in getattr(node, "matchers", [])]
    if not conds:
        return "默认分派"
    return f"按「{'、'.join(conds)}」分派"


_INHIBITED = re.compile(r"inhibited by incident #(\d+)(?: \((.*)\))?")
_SILENCED = re.compile(r"silence #(\d+)(?: by (\S+))?(?: until (\S+?))?(?:: (.*))?$")


def silence_author(why: str | None) -> str | None:
    """The login that set the silence a suppression reason names (None for other reasons)."""
    m = _SILENCED.search(why or "")
    return (m.group(2) or None) if m else None


def suppression_text(why: str | None, people: Mapping[str, str] | None = None) -> str:
    """Why notifications are held, in words (the stored reason is the operator's English);
    ``people``: login → display name, for who set a silence."""
    if not why:
        return ""
    m = _INHIBITED.search(why)
    if m:
        title = f"（{m.group(2)}）" if m.group(2) else ""
        return f"已由更高级别的同一事件 #{m.group(1)}{title}统一处置，本事件不再单独通知"
    m = _SILENCED.search(why)
    if m:
        author = (people or {}).get(m.group(2), m.group(2)) if m.group(2) else ""
        sep = " " if author[-1:].isascii() else ""  # admin 设置, 王芳（…）设置
        who = f"，{author}{sep}设置" if author else ""
        until = f"，至 {m.group(3)[:16].replace('T', ' ')}" if m.group(3) else ""
        note = f"：{m.group(4)}" if m.group(4) else ""
        return f"静默期内暂停通知（静默规则 #{m.group(1)}{who}{until}）{note}"
    return "通知已暂停"
