"""The digest's 研判 paragraph and its chart plan, generated from the figures (issue 13).

``judgement(...)`` writes the few plain Chinese sentences a leader reads first: what rose and by
how much, where the shutdown reports are, which 一刀切 incidents are still open and which are
overdue — judged at the moment the digest is made (``t``), never at a later deadline.

``chart_plan(chart_data, period_label)`` says which of the digest's charts are worth drawing:
an empty chart, or a bar chart with a single bar, is replaced by one sentence. Posts whose
district is unknown (and posts about other places) are left out of the district chart and
counted in a sentence instead. The e-mail (PNG) and the web page (SVG) both follow it.

Pure functions over plain data: no database, no templates, no matplotlib.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from yuqing.alerts.locality import OTHER_REGION

UNKNOWN_DISTRICT = "未识别"
NOT_DISTRICTS = (UNKNOWN_DISTRICT, OTHER_REGION, "")


@dataclass(frozen=True)
class Metric:
    label: str  # 关停报告
    now: int
    prev: int


@dataclass(frozen=True)
class OpenCase:
    """An unresolved 一刀切 incident at the time the digest is made."""

    title: str  # 龙沙区 生活服务业 一刀切式关停
    acknowledged: bool
    overdue: bool
    due: str  # 11月27日 12:05, or "" when it has none
    late_by: str  # 3 小时, when overdue
    due_at: datetime | None = None  # to find the earliest deadline


def change(now: int, prev: int, unit: str = "条") -> str:
    """``增加 2 条（+100%）``, ``减少 1 条（−50%）``, ``由 0 增至 3 条``, ``持平``."""
    if now == prev:
        return "持平"
    if prev == 0:
        return f"由 0 增至 {now} {unit}"
    pct = round(abs(now - prev) * 100 / prev)
    if now > prev:
        return f"增加 {now - prev} {unit}（+{pct}%）"
    return f"减少 {prev - now} {unit}（−{pct}%）"


def duration_zh(seconds: float) -> str:
    """``45 分钟``, ``3 小时``, ``2 天 5 小时``."""
    minutes = max(int(seconds // 60), 1)
    if minutes < 60:
        return f"{minutes} 分钟"
    hours = minutes // 60
    if hours < 24:
        return f"{hours} 小时"
    days, rest = divmod(hours, 24)
    return f"{days} 天" + (f" {rest} 小时" if rest else "")


def _listed(items: Sequence[str], limit: int = 5) -> str:
    return "、".join(items[:limit]) + ("等" if len(items) > limit else "")


def _places(items: Iterable[tuple[str, int]], limit: int = 3) -> str:
    return "、".join(f"{name}（{n} 条）" for name, n in list(items)[:limit])


def judgement(
    prev_label: str,
    metrics: Sequence[Metric],
    where_now: Mapping[str, int],
    where_prev: Mapping[str, int],
    cases: Sequence[OpenCase],
    other_overdue: int,
) -> list[str]:
    """The 研判 sentences. ``metrics``: posts first, then the kinds of posts; ``where_now`` /
    ``where_prev``: shutdown reports by district (unknown districts under ``未识别``)."""
    out: list[str] = []
    if metrics:
        total, kinds = metrics[0], metrics[1:]
        if total.now == 0 and total.prev == 0:
            out.append(f"本期未监测到相关帖文，与{prev_label}相同。")
        else:
            first = f"本期监测到{total.label} {total.now} 条，"
            first += f"较{prev_label}{change(total.now, total.prev)}"
            rose = [m for m in kinds if m.now > m.prev]
            fell = [m for m in kinds if m.now < m.prev]
            if rose:
                first += "；其中" + "，".join(f"{m.label}{change(m.now, m.prev)}" for m in rose)
            if fell:
                first += "；" + "，".join(f"{m.label}{change(m.now, m.prev)}" for m in fell)
            out.append(first + "。")
    known = sorted(
        ((d, n) for d, n in where_now.items() if d not in NOT_DISTRICTS and n),
        key=lambda kv: (-kv[1], kv[0]),
    )
    unknown = sum(n for d, n in where_now.items() if d in NOT_DISTRICTS)
    if len(known) == 1:
        d, n = known[0]
        sentence = f"关停类帖文均在{d}（{n} 条，较{prev_label}{change(n, where_prev.get(d, 0))}）"
        if unknown:
            sentence += f"；另有 {unknown} 条未能识别区县"
        out.append(sentence + "。")
    elif known:
        sentence = f"关停类帖文主要集中在{_places(known)}"
        rises = sorted(
            ((d, n - where_prev.get(d, 0)) for d, n in known if n > where_prev.get(d, 0)),
            key=lambda kv: (-kv[1], kv[0]),
        )
        if rises:
            d, up = rises[0]
            sentence += f"，{d}较{prev_label}增加最多（增加 {up} 条）"
        if unknown:
            sentence += f"；另有 {unknown} 条未能识别区县"
        out.append(sentence + "。")
    elif unknown:
        out.append(f"本期 {unknown} 条关停类帖文均未能识别区县，请人工核实所在地。")
    if cases:
        overdue = [c for c in cases if c.overdue]
        pending = [c for c in cases if not c.overdue]
        sentence = f"一刀切式关停事件 {len(cases)} 起尚未办结"
        if overdue:
            sentence += "，其中已超时未签收 {} 起：{}".format(
                len(overdue), _listed([f"{c.title}（超时 {c.late_by}）" for c in overdue])
            )
        if pending:
            waiting = sum(1 for c in pending if not c.acknowledged)
            timed = sorted(
                (c for c in pending if c.due),
                key=lambda c: (c.due_at is None, c.due_at.timestamp() if c.due_at else 0.0),
            )
            dues = [timed[0].due] if timed else []
            how = "，".join(
                x
                for x in (
                    f"待签收 {waiting} 起" if waiting else "",
                    f"已签收 {len(pending) - waiting} 起" if len(pending) > waiting else "",
                    f"最早时限 {dues[0]}" if dues else "",
                )
                if x
            )
            lead = "；处置中 {} 起（{}）：" if overdue else "，均未超时（{1}）："
            sentence += lead.format(len(pending), how) + _listed([c.title for c in pending])
        out.append(sentence + "。")
    else:
        out.append("目前无未办结的一刀切式关停事件。")
    if other_overdue:
        out.append(f"另有其他事件 {other_overdue} 起超时未签收，请督促相关单位尽快签收。")
    return out


# -- charts worth drawing -------------------------------------------------------------------


def district_bars(rows: Iterable[Sequence[Any]]) -> tuple[list[tuple[str, int]], int]:
    """The district chart's bars (known districts only) and the count left out."""
    bars, left_out = [], 0
    for name, n in rows:
        if str(name) in NOT_DISTRICTS:
            left_out += int(n)
        elif int(n):
            bars.append((str(name), int(n)))
    return bars, left_out


def chart_plan(chart_data: Mapping[str, Any], period_label: str) -> dict[str, Any]:
    """``{"trend": bool, "district": bool, "status": bool, "district_bars": [...],
    "notes": [sentence, ...]}``: which charts to draw and what to say instead."""
    notes: list[str] = []
    trend_total = sum(sum(int(v) for v in vs) for vs in chart_data.get("trend", {}).values())
    trend = trend_total > 0
    if not trend:
        notes.append("近14日无相关帖文，不绘制趋势图。")
    bars, left_out = district_bars(chart_data.get("district", []))
    district = len(bars) > 1
    if len(bars) == 1:
        name, n = bars[0]
        notes.append(f"{period_label}识别出区县的帖文均在{name}（{n} 条）。")
    elif not bars and left_out == 0 and trend:
        notes.append(f"{period_label}无帖文。")
    if left_out:
        notes.append(f"另有 {left_out} 条帖文未识别区县或属外地，未计入地区图。")
    states = [(str(n), int(v)) for n, v in chart_data.get("status", []) if int(v)]
    status = len(states) > 1
    if not states:
        notes.append("本期无需处置的事件。")
    elif len(states) == 1:
        notes.append(f"本期事件均为{states[0][0]}（{states[0][1]} 起）。")
    return {
        "trend": trend,
        "district": district,
        "status": status,
        "district_bars": bars,
        "notes": notes,
    }


def judged_at(period_end: datetime, now: datetime) -> datetime:
    """When a digest judges states and deadlines: the end of its period, or the moment it is
    made if that is earlier (a digest made early calls nothing 已超时 that is not yet late)."""
    return min(period_end, now)


def as_of(t: datetime, period_end: datetime, last: date, fmt_time: Any) -> str:
    """``11月27日 24:00`` for a complete period, else the time the digest was made."""
    if t >= period_end:
        return f"{last.month}月{last.day}日 24:00"
    return str(fmt_time(t.isoformat()))
