"""The digest's view: the facts of one department's period as Chinese phrases and numbers
(still unescaped: the templates escape), plus the data for its charts and its chat summary."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

from yuqing.alerts.crawled_text import link_url, split_evidence
from yuqing.alerts.digest_data import (
    CITY,
    LIST_LIMIT,
    TOP_POSTS,
    Counts,
    Facts,
    IncidentRow,
    Period,
    Scope,
    sector_label,
)
from yuqing.alerts.digest_judgement import (
    Metric,
    OpenCase,
    as_of,
    chart_plan,
    duration_zh,
    judged_at,
    judgement,
)
from yuqing.alerts.labels import SEVERITY_NAMES, STATUS_NAMES
from yuqing.alerts.locality import OTHER_REGION, gate_on
from yuqing.alerts.messages import Formatter
from yuqing.alerts.resolution import counts as resolution_counts
from yuqing.config import Config

STATES = (
    ("overdue", "超时未签收", "#d62728"),
    ("new", "新增", "#1f77b4"),
    ("open", "待签收", "#ff7f0e"),
    ("acknowledged", "已签收待办结", "#9467bd"),
    ("resolved", "已办结", "#2ca02c"),
)
METRICS = (
    ("posts", "帖文"),
    ("shutdown", "关停报告"),
    ("blanket", "一刀切式关停"),
    ("complaint", "群众投诉"),
)

# -- the view -------------------------------------------------------------------------------


def title_of(name: str, period: Period) -> str:
    """``龙沙区人民政府舆情日报（11月27日）``, ``全市舆情周报（11月21日—11月27日）``."""
    return f"{name}舆情{'周报' if period.kind == 'weekly' else '日报'}（{period.label}）"


def digest_path(kind: str, day: date, code: str) -> str:
    """The web app's page of one digest: ``/digests/daily/2026-11-27/lsq``."""
    return f"/digests/{kind}/{day.isoformat()}/{code}"


def digest_url(base_url: str, kind: str, day: date, code: str) -> str:
    return base_url.rstrip("/") + digest_path(kind, day, code)


def _delta(now: int, prev: int) -> str:
    if now == prev:
        return "持平"
    return f"+{now - prev}" if now > prev else str(now - prev)


def _sum(facts: Facts, scope: Scope, first: date, last: date, local: bool = True) -> Counts:
    """The counts of the city's own posts (``local``), or of the posts about other places."""
    total = Counts()
    for cell in facts.cells:
        if (
            cell.local == local
            and first <= cell.day <= last
            and scope.covers(cell.sector, cell.district)
        ):
            total.add(cell.counts)
    return total


def _incident_rows(rows: list[IncidentRow], fmt: Formatter, t: datetime) -> list[dict[str, Any]]:
    out = []
    for i in rows[:LIST_LIMIT]:
        state = i.state_at(t)
        out.append(
            {
                "id": i.id,
                "title": i.title,
                "url": link_url(i.url),
                "post_count": i.post_count,
                "severity": SEVERITY_NAMES.get(i.severity, i.severity),
                "severity_key": i.severity,
                "state": state,
                "status": STATUS_NAMES.get(state, state)
                + (
                    f"（{i.acknowledged_by}）"
                    if state == "acknowledged" and i.acknowledged_by
                    else ""
                ),
                "opened": fmt.time(i.opened_at.isoformat()),
                "due": fmt.time(i.due_at.isoformat()) if i.due_at else "—",
                "late": i.overdue_at(t),
                "policy": i.policy,
                "snippet": i.snippet,
                "parts": split_evidence(i.snippet, i.evidence),
            }
        )
    return out


def build_view(
    config: Config, facts: Facts, scope: Scope, now: datetime
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The template context and the chart data of one digest."""
    period, tz = facts.period, facts.timezone
    fmt = Formatter(tz)
    last, first = period.day, period.day - timedelta(days=period.days - 1)
    cur = _sum(facts, scope, first, last)
    prev = _sum(facts, scope, first - timedelta(days=period.days), first - timedelta(days=1))
    counts = [
        {
            "key": k,
            "label": label,
            "now": getattr(cur, k),
            "prev": getattr(prev, k),
            "delta": _delta(getattr(cur, k), getattr(prev, k)),
        }
        for k, label in METRICS
    ]
    if gate_on(config):  # posts about other places: counted apart, never alerted
        other = _sum(facts, scope, first, last, local=False).posts
        other_prev = _sum(
            facts,
            scope,
            first - timedelta(days=period.days),
            first - timedelta(days=1),
            local=False,
        ).posts
        counts.append(
            {
                "key": "other_region",
                "label": f"{OTHER_REGION}帖文（不计入以上各项，不预警）",
                "now": other,
                "prev": other_prev,
                "delta": _delta(other, other_prev),
            }
        )

    t = judged_at(period.end, now)  # a digest made early calls nothing late that is not yet
    mine = [i for i in facts.incidents if scope.code == CITY or scope.code in i.departments]
    groups: dict[str, list[IncidentRow]] = {k: [] for k, _, _ in STATES}
    for i in mine:
        if i.overdue_at(t):
            groups["overdue"].append(i)
        if period.start <= i.opened_at < t:
            groups["new"].append(i)
        state = i.state_at(t)
        if state == "resolved":
            if i.resolved_at is not None and i.resolved_at >= period.start:
                groups["resolved"].append(i)
        else:
            groups[state].append(i)
    sections: list[dict[str, Any]] = []
    listed: set[int] = set()
    for k, label, _ in STATES:  # each incident listed once, in its most urgent state
        rows = [i for i in groups[k] if i.id not in listed]
        listed.update(i.id for i in rows)
        if rows:
            sections.append(
                {
                    "key": k,
                    "label": label,
                    "count": len(rows),
                    "rows": _incident_rows(rows, fmt, t),
                    "more": max(0, len(rows) - LIST_LIMIT),
                }
            )
    states = [{"key": k, "label": label, "count": len(groups[k])} for k, label, _ in STATES]
    done = resolution_counts(groups["resolved"])
    resolution_line = done.line() if done.resolved else ""

    titles = source_titles(config)
    posts: list[dict[str, Any]] = []
    clusters: set[int | None] = set()
    for p in facts.posts:
        if len(posts) >= TOP_POSTS or not p.local or not p.key:
            continue
        if not scope.covers(p.sector, p.district):
            continue
        if p.cluster_id is not None and p.cluster_id in clusters:
            continue  # reposts and near-duplicates once
        clusters.add(p.cluster_id)
        tags = [
            t
            for t, on in (("一刀切", p.blanket), ("关停", p.shutdown), ("投诉", p.complaint))
            if on
        ]
        where = " ".join(x for x in (p.district, sector_label(p.sector)) if x)
        posts.append(
            {
                "title": p.heading or p.snippet[:40] or "（无标题）",
                "url": link_url(p.url),
                "source": titles.get(p.source, p.source),
                "published": fmt.time(p.published_at.isoformat()),
                "tags": "、".join(tags) + (f"｜{where}" if where else ""),
                "snippet": p.snippet,
                "parts": split_evidence(p.snippet, p.evidence),
                "evidence": p.evidence,
            }
        )

    ops = {r.receiver for r in _source_receivers(config)}
    show_sources = scope.code == CITY or scope.code in ops
    note = ""
    if facts.sources and not show_sources:
        note = f"{len(facts.sources)} 个采集源运行异常，本期数据可能不完整。"
    view: dict[str, Any] = {
        "title": title_of(scope.name, period),
        "department": scope.name,
        "scope": scope.description,
        "period_label": period.label,
        "prev_label": "上周" if period.kind == "weekly" else "前一日",
        "counts": counts,
        "states": states,
        "sections": sections,
        "resolution_line": resolution_line,
        "as_of": as_of(t, period.end, last, fmt.time),
        "posts": posts,
        "sources": [
            {
                "name": s.name,
                # never its code name (issue 13): the title it had when last crawled, if the
                # source has left sources.yaml since
                "title": titles.get(s.name) or s.title or UNLISTED_SOURCE,
                "health": {"failing": "故障", "degraded": "不稳定"}.get(s.health, "异常"),
                "failed_runs": s.failed_runs,
                "reason": s.reason if _has_cjk(s.reason) else "",  # operators' English: left out
                "last_success": fmt.time(s.last_success_at.isoformat())
                if s.last_success_at
                else "从未",
            }
            for s in facts.sources
        ]
        if show_sources
        else [],
        "sources_note": note,
        "probation": [
            {
                "name": p.name,
                "line": (
                    f"{titles.get(p.name, p.name)}："
                    f"首次采集于 {fmt.time(p.first_seen_at.isoformat())}，"
                    f"本时段 {p.posts} 条帖文，试运行期间不触发部门告警；"
                    f"管理员确认后正式启用（至迟 {fmt.time(p.ends_at.isoformat())} 自动结束试运行）"
                ),
            }
            for p in facts.probation
        ]
        if show_sources
        else [],
        "url": link_url(digest_url(config.settings.base_url, period.kind, period.day, scope.code)),
        "generated": fmt.time(now.isoformat()),
        "images": None,
        "chart_note": None,
    }
    chart_data = {
        "trend_days": [last - timedelta(days=n) for n in range(13, -1, -1)],
        "trend": _trend(facts, scope, last),
        "district": _by_district(facts, scope, first, last),
        "status": [(label, len(groups[k])) for k, label, _ in STATES],
    }
    view["judgement"] = _judgement(config, facts, scope, view, mine, t, fmt)
    view["chart_notes"] = chart_plan(chart_data, period.label)["notes"]
    return view, chart_data


def blanket_rules(config: Config) -> set[str]:
    """The rules whose incidents are 一刀切 cases (by name or Chinese title)."""
    return {r.name for r in config.rules.rules if "blanket" in r.name or "一刀切" in r.short_title}


def _shutdown_by_district(facts: Facts, scope: Scope, first: date, last: date) -> dict[str, int]:
    out: dict[str, int] = {}
    for cell in facts.cells:
        inside = cell.local and first <= cell.day <= last
        if inside and cell.counts.shutdown and scope.covers(cell.sector, cell.district):
            key = cell.district or "未识别"
            out[key] = out.get(key, 0) + cell.counts.shutdown
    return out


def _judgement(
    config: Config,
    facts: Facts,
    scope: Scope,
    view: dict[str, Any],
    mine: list[IncidentRow],
    t: datetime,
    fmt: Formatter,
) -> list[str]:
    period = facts.period
    last, first = period.day, period.day - timedelta(days=period.days - 1)
    before = first - timedelta(days=1)
    metrics = [
        Metric(c["label"] if c["key"] != "posts" else "本地帖文", c["now"], c["prev"])
        for c in view["counts"]
        if c["key"] in {k for k, _ in METRICS}
    ]
    blanket = blanket_rules(config)
    cases = [
        OpenCase(
            title=i.title,
            acknowledged=i.state_at(t) == "acknowledged",
            overdue=i.overdue_at(t),
            due=fmt.time(i.due_at.isoformat()) if i.due_at else "",
            late_by=duration_zh((t - i.due_at).total_seconds()) if i.due_at else "",
            due_at=i.due_at,
        )
        for i in mine
        if i.rule in blanket and i.state_at(t) != "resolved"
    ]
    others_late = sum(1 for i in mine if i.rule not in blanket and i.overdue_at(t))
    return judgement(
        view["prev_label"],
        metrics,
        _shutdown_by_district(facts, scope, first, last),
        _shutdown_by_district(facts, scope, first - timedelta(days=period.days), before),
        cases,
        others_late,
    )


PROBATION_TITLE = "新采集源试运行"
UNLISTED_SOURCE = "已移出配置的采集源"


def source_titles(config: Config) -> dict[str, str]:
    """Source name → its Chinese title (sources.yaml ``title``), for officer-facing text."""
    return {
        src.name: re.split(r"[（(]", src.title, maxsplit=1)[0].strip() or src.title
        for src in config.sources.sources
        if src.title
    }


def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _source_receivers(config: Config) -> list[Any]:
    from yuqing.alerts.routing import RoutingTree

    return RoutingTree(config.routing).receivers({"rule": "source-failing", "source": "any"})


def _trend(facts: Facts, scope: Scope, last: date) -> dict[str, list[int]]:
    days = [last - timedelta(days=n) for n in range(13, -1, -1)]
    index = {d: i for i, d in enumerate(days)}
    series: dict[str, list[int]] = {}
    for cell in facts.cells:
        if cell.local and cell.day in index and scope.covers(cell.sector, cell.district):
            name = sector_label(cell.sector)
            series.setdefault(name, [0] * len(days))[index[cell.day]] += cell.counts.posts
    return dict(sorted(series.items(), key=lambda kv: -sum(kv[1])))


def _by_district(facts: Facts, scope: Scope, first: date, last: date) -> list[tuple[str, int]]:
    totals: dict[str, int] = {}
    for cell in facts.cells:
        if first <= cell.day <= last and scope.covers(cell.sector, cell.district):
            name = (cell.district or "未识别") if cell.local else OTHER_REGION
            totals[name] = totals.get(name, 0) + cell.counts.posts
    return sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))[:17]


def summary(view: dict[str, Any]) -> str:
    """A few plain lines for chat robots and SMS."""
    c = {m["key"]: m for m in view["counts"]}
    lines = [
        f"统计范围：{view['scope']}（{view['period_label']}）",
        "；".join(f"{c[k]['label']} {c[k]['now']}（{c[k]['delta']}）" for k, _ in METRICS),
        "事件：" + "，".join(f"{s['label']} {s['count']}" for s in view["states"]),
        *(["研判：" + "".join(view["judgement"])] if view.get("judgement") else []),
    ]
    for section in view["sections"]:
        if section["key"] == "overdue":
            lines += [f"超时未签收：{r['title']}（时限 {r['due']}）" for r in section["rows"][:3]]
    if view["posts"]:
        lines.append(f"重点帖文：{view['posts'][0]['title']}")
    if view.get("probation"):
        lines.append(
            PROBATION_TITLE
            + "："
            + "、".join(p["line"].split("：", 1)[0] for p in view["probation"][:5])
        )
    if view["sources"]:
        lines.append(
            "采集源故障：" + "、".join(s.get("title", s["name"]) for s in view["sources"][:5])
        )
    elif view["sources_note"]:
        lines.append(view["sources_note"])
    return "\n".join(lines)
