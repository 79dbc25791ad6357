"""A source's health reason in Chinese for the pages (issue 13).

The crawler records why a source is ``ok``/``degraded``/``failing`` in English (operators'
logs and the CLI, :func:`yuqing.store.crawl.health`); pages show it through
:func:`health_reason_zh`.
Details quoted inside (an HTTP error, drop reasons) stay as recorded; a reason of another
shape is shown as it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_STATUS = {"failed": "失败", "timeout": "超时", "cancelled": "中断"}


def _n(m: re.Match[str], name: str) -> str:
    return m.group(name)


PATTERNS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(r"last crawl ok: (?P<n>\d+) items?"), lambda m: f"上次采集正常：{_n(m, 'n')} 条"),
    (
        re.compile(r"the last (?P<n>\d+) crawls failed \((?P<why>.*)\)", re.S),
        lambda m: f"最近 {_n(m, 'n')} 次采集均失败（{_n(m, 'why')}）",
    ),
    (
        re.compile(r"last crawl (?P<status>\w+): (?P<why>.*)", re.S),
        lambda m: f"上次采集{_STATUS.get(_n(m, 'status'), '异常')}：{_n(m, 'why')}",
    ),
    (
        re.compile(r"(?P<e>\d+) of (?P<p>\d+) requests failed"),
        lambda m: f"{_n(m, 'p')} 个请求中 {_n(m, 'e')} 个失败",
    ),
    (
        re.compile(r"stored nothing: (?P<n>\d+) entries listed, none stored(?P<rest>.*)", re.S),
        lambda m: f"未存入帖文：列出 {_n(m, 'n')} 条，均未存入{_n(m, 'rest')}",
    ),
    (re.compile(r"stored nothing(?P<rest>.*)", re.S), lambda m: f"未存入帖文{_n(m, 'rest')}"),
    (
        re.compile(r"mostly garbled text: (?P<g>\d+) posts dropped as \w+, (?P<k>\d+) kept.*"),
        lambda m: f"多为乱码：丢弃 {_n(m, 'g')} 条，保留 {_n(m, 'k')} 条（请设置该采集源的编码）",
    ),
    (re.compile(r"last crawl scraped no items"), lambda m: "上次采集未取得帖文"),
    (
        re.compile(r"last crawl scraped (?P<n>\d+) items; recent runs median (?P<md>[\d.]+)"),
        lambda m: f"上次采集 {_n(m, 'n')} 条，明显少于近期中位数 {_n(m, 'md')} 条",
    ),
    (re.compile(r"no crawl has finished yet"), lambda m: "尚无完成的采集"),
]


def health_reason_zh(reason: str | None) -> str:
    """``last crawl ok: 82 items`` → ``上次采集正常：82 条``; unknown shapes unchanged."""
    if not reason:
        return ""
    for pattern, say in PATTERNS:
        m = pattern.fullmatch(reason.strip())
        if m:
            return say(m)
    return reason
