"""The facts of a digest: what happened in a department's scope during a day or a week.

Scope. The city-wide digest (``city``) sees everything. A department sees the incidents routed
to it (``incident_departments``) and the posts whose (sector, district) the routing tree would
send to it for an ordinary post rule (``shutdown-report``, ``complaint``, ...): a district
government its district, a bureau its sectors. Rules that fan out everywhere (blanket
shutdowns, surges) widen no scope: they are already in the department's incidents.

Periods are calendar days in ``settings.timezone``: the daily digest for ``day`` covers that
day, the weekly one the seven days ending with ``day``; each is compared with the period just
before. Incident states are as they stood at the end of the period (from their timestamps), so
a past day renders the same whenever it is rendered.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from yuqing.alerts.evidence import matched_terms, snippet_text
from yuqing.alerts.key_posts import key_posts, reach, reply_heading
from yuqing.alerts.labels import SECTOR_NAMES, SECTORS, sector_name
from yuqing.alerts.locality import gate_on, local_source_ids
from yuqing.alerts.people import display_names
from yuqing.alerts.policy import citations_for_incidents
from yuqing.alerts.routing import RoutingTree
from yuqing.config import Config
from yuqing.store.models import (
    CrawlRun,
    Incident,
    IncidentDepartment,
    Post,
    PostTag,
    Source,
)
from yuqing.store.probation import OnProbation, on_probation

CITY = "city"
CITY_NAME = "全市"  # the city-wide digest, for the leaders (routing.escalation_receiver)
TREND_DAYS = 14
LIST_LIMIT = 20  # incidents shown per state
TOP_POSTS = 8
Pair = tuple[str, str]  # (sector, district or "")


@dataclass(frozen=True)
class Period:
    kind: str  # daily / weekly
    day: date  # the last day covered
    start: datetime  # UTC, inclusive
    end: datetime  # UTC, exclusive
    prev_start: datetime
    label: str  # 11月27日 / 11月21日—11月27日

    @property
    def days(self) -> int:
        return 7 if self.kind == "weekly" else 1


def period_for(day: date, kind: str, timezone: str) -> Period:
    if kind not in ("daily", "weekly"):
        raise ValueError(f"unknown digest period {kind!r} (expected daily or weekly)")
    tz = ZoneInfo(timezone)
    days = 7 if kind == "weekly" else 1
    first = day - timedelta(days=days - 1)

    def at(d: date) -> datetime:
        return datetime.combine(d, time(0), tz).astimezone(UTC)

    label = (
        f"{day.month}月{day.day}日"
        if days == 1
        else f"{first.month}月{first.day}日—{day.month}月{day.day}日"
    )
    return Period(
        kind, day, at(first), at(day + timedelta(days=1)), at(first - timedelta(days=days)), label
    )


@dataclass(frozen=True)
class Scope:
    code: str
    name: str
    pairs: frozenset[Pair] | None  # None: everything
    description: str

    def covers(self, sector: str | None, district: str | None) -> bool:
        return self.pairs is None or (sector or "", district or "") in self.pairs


def scopes(config: Config) -> dict[str, Scope]:
    """Every department's scope (and the city's), from the routing tree."""
    tree = RoutingTree(config.routing)
    districts = [*config.gazetteer.district_names(), ""]
    post_rules = [r for r in config.rules.rules if r.kind == "post" and r.enabled]
    everything = {(s, d) for s in SECTORS for d in districts}
    reached: dict[str, set[Pair]] = defaultdict(set)
    for rule in post_rules:
        by_rule: dict[str, set[Pair]] = defaultdict(set)
        for sector, district in everything:
            labels = {"rule": rule.name, "severity": rule.severity, "sector": sector}
            labels["district"] = district
            for r in tree.receivers(labels):
                by_rule[r.receiver].add((sector, district))
        for code, pairs in by_rule.items():
            if pairs != everything:  # a rule that fans out everywhere widens no scope
                reached[code] |= pairs
    out = {CITY: Scope(CITY, CITY_NAME, None, CITY_NAME)}
    for dept in config.departments.departments:
        pairs = reached.get(dept.code, set())
        out[dept.code] = Scope(
            dept.code, dept.name, frozenset(pairs), _describe(pairs, everything, districts)
        )
    return out


def _describe(pairs: set[Pair], everything: set[Pair], districts: list[str]) -> str:
    if not pairs:
        return "仅本单位受理的事件"
    if pairs == everything:
        return "全市"
    sectors = [s for s in SECTORS if all((s, d) in pairs for d in districts)]
    places = [d for d in districts if d and all((s, d) in pairs for s in SECTORS)]
    parts = [*places, *(SECTOR_NAMES[s] for s in sectors)]
    return "、".join(parts) if parts else f"{len(pairs)} 个行业与地区组合"


@dataclass
class Counts:
    posts: int = 0
    shutdown: int = 0
    blanket: int = 0
    complaint: int = 0

    def add(self, other: Counts) -> None:
        self.posts += other.posts
        self.shutdown += other.shutdown
        self.blanket += other.blanket
        self.complaint += other.complaint


@dataclass
class DailyCell:
    """Posts of one local day, sector and district."""

    day: date
    sector: str
    district: str
    counts: Counts
    local: bool = True  # False: posts about other places (其他地区, the locality gate)


@dataclass
class IncidentRow:
    id: int
    title: str
    rule: str
    severity: str
    district: str
    sector: str
    post_count: int
    opened_at: datetime
    due_at: datetime | None
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    resolved_at: datetime | None
    resolved_by: str | None
    departments: tuple[str, ...]
    url: str
    policy: str = ""  # the notice and clause cited (issue 13), "" when no notice applies
    verified: str | None = None  # structured resolution (yuqing.alerts.resolution)
    production_restored: str | None = None
    public_response: str | None = None
    snippet: str = ""  # of its first 重点帖文 (key_posts), around its first matched term
    evidence: list[str] = field(default_factory=list)

    def state_at(self, t: datetime) -> str:
        """open / acknowledged / resolved at time ``t``."""
        if self.resolved_at is not None and self.resolved_at < t:
            return "resolved"
        if self.acknowledged_at is not None and self.acknowledged_at < t:
            return "acknowledged"
        return "open"

    def overdue_at(self, t: datetime) -> bool:
        """Past its due time at ``t`` without being acknowledged (what escalation acts on)."""
        return self.state_at(t) == "open" and self.due_at is not None and self.due_at < t


@dataclass
class PostRow:
    id: int
    title: str
    url: str
    source: str
    published_at: datetime
    text: str
    sector: str
    district: str
    shutdown: bool
    blanket: bool
    complaint: bool
    score: float
    cluster_id: int | None
    evidence: list[str]
    local: bool = True
    likes: int | None = None
    replies: int | None = None
    reposts: int | None = None
    copies: int = 1  # posts of its near-duplicate cluster in the period
    is_reply: bool = False
    thread_title: str = ""

    @property
    def snippet(self) -> str:
        return snippet_text(self.text, self.evidence, title=self.title)

    @property
    def reach(self) -> float:
        return reach(self.likes, self.replies, self.reposts, self.copies)

    @property
    def heading(self) -> str:
        """回复：<thread title> for a forum reply; else the title (see key_posts.KeyPost)."""
        return reply_heading(self.thread_title) if self.is_reply else self.title

    @property
    def key(self) -> bool:
        """May be a 重点帖文: a reply only with a matched term of its own."""
        return bool(self.evidence) or not self.is_reply


@dataclass
class SourceRow:
    name: str
    health: str
    reason: str
    last_success_at: datetime | None
    failed_runs: int
    title: str = ""  # its title when last crawled (a source since removed from sources.yaml)


@dataclass
class Facts:
    """What one run knows about the period, shared by every department's digest."""

    period: Period
    cells: list[DailyCell]
    incidents: list[IncidentRow]
    posts: list[PostRow]
    sources: list[SourceRow]
    timezone: str
    probation: list[OnProbation] = field(default_factory=list)


def collect(config: Config, session: Session, period: Period) -> Facts:
    tz = config.settings.timezone
    first = period.day - timedelta(days=max(TREND_DAYS, 2 * period.days) - 1)
    return Facts(
        period=period,
        cells=daily_cells(session, first, period.day, tz, config),
        incidents=_incidents(
            session,
            period,
            config.settings.base_url.rstrip("/"),
            config,
            {r.name: r.short_title for r in config.rules.rules},
        ),
        posts=_flagged_posts(session, period, config=config),
        sources=_sources(session, period),
        timezone=tz,
        probation=on_probation(
            session,
            config.settings.source_probation_days,
            now=period.end,
            with_posts_since=period.start,
        ),
    )


class _Local:
    """Whether a post is the city's own (the locality gate; all are while it is off)."""

    def __init__(self, session: Session, config: Config | None) -> None:
        self.gate = config is not None and gate_on(config)
        self.sources = local_source_ids(session, config) if config is not None else set()

    def __call__(self, district: str | None, city: str | None, source_id: int) -> bool:
        return not self.gate or bool(district) or bool(city) or source_id in self.sources


def daily_cells(
    session: Session, first: date, last: date, timezone: str, config: Config | None = None
) -> list[DailyCell]:
    """Posts per local day × sector × district from ``first`` to ``last`` (inclusive); with
    ``config``, posts about other places (the locality gate) in cells of their own."""
    tz = ZoneInfo(timezone)
    start = datetime.combine(first, time(0), tz).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time(0), tz).astimezone(UTC)
    rows = session.execute(
        select(
            Post.published_at,
            PostTag.sector,
            PostTag.district,
            PostTag.shutdown,
            PostTag.blanket,
            PostTag.complaint,
            PostTag.city_match,
            Post.source_id,
        )
        .outerjoin(PostTag, PostTag.post_id == Post.id)
        .where(Post.published_at >= start, Post.published_at < end)
    )
    is_local = _Local(session, config)
    cells: dict[tuple[date, str, str, bool], Counts] = defaultdict(Counts)
    for published, sector, district, shutdown, blanket, complaint, city, source in rows:
        local = is_local(district, city, source)
        c = cells[(published.astimezone(tz).date(), sector or "", district or "", local)]
        c.posts += 1
        c.shutdown += int(bool(shutdown))
        c.blanket += int(bool(shutdown and blanket))
        c.complaint += int(bool(complaint))
    return [DailyCell(d, s, di, c, lo) for (d, s, di, lo), c in sorted(cells.items())]


def _incidents(
    session: Session,
    period: Period,
    base_url: str,
    config: Config | None = None,
    titles: dict[str, str] | None = None,
) -> list[IncidentRow]:
    """Incidents opened before the period ended and not resolved before it began; with
    ``config``, each cites the city's notice when one applies; merged ones are left out
    (their event is the incident they were merged into); an untitled one is named by its
    rule's Chinese title, never the rule's code (issue 13)."""
    titles = titles or {}
    found = session.scalars(
        select(Incident)
        .where(
            Incident.merged_into.is_(None),
            Incident.opened_at < period.end,
            or_(Incident.resolved_at.is_(None), Incident.resolved_at >= period.start),
        )
        .order_by(Incident.opened_at, Incident.id)
    ).all()
    routed: dict[int, list[str]] = defaultdict(list)
    ids = [i.id for i in found]
    for start in range(0, len(ids), 500):
        for iid, code in session.execute(
            select(IncidentDepartment.incident_id, IncidentDepartment.department_code).where(
                IncidentDepartment.incident_id.in_(ids[start : start + 500])
            )
        ):
            routed[iid].append(code)
    cited = citations_for_incidents(session, config, found) if config is not None else {}
    first = key_posts(session, ids, 1)
    # the person's name (issue 13): digests never show a login such as ``scjg``
    people = display_names(session, [x for i in found for x in (i.acknowledged_by, i.resolved_by)])
    return [
        IncidentRow(
            id=i.id,
            title=i.title or titles.get(i.rule) or "预警事件",
            rule=i.rule,
            severity=i.severity,
            district=i.district or "",
            sector=i.sector or "",
            post_count=i.post_count,
            opened_at=i.opened_at,
            due_at=i.due_at,
            acknowledged_at=i.acknowledged_at,
            acknowledged_by=people.get(i.acknowledged_by or "", i.acknowledged_by),
            resolved_at=i.resolved_at,
            resolved_by=people.get(i.resolved_by or "", i.resolved_by),
            departments=tuple(sorted(routed.get(i.id, []))),
            url=f"{base_url}/incidents/{i.id}",
            policy=f"{c.reference}；{c.match_text}" if (c := cited.get(i.id)) else "",
            verified=i.verified,
            production_restored=i.production_restored,
            public_response=i.public_response,
            snippet=first[i.id][0].snippet_text if first.get(i.id) else "",
            evidence=first[i.id][0].terms if first.get(i.id) else [],
        )
        for i in found
    ]


def _flagged_posts(
    session: Session, period: Period, cap: int = 20_000, config: Config | None = None
) -> list[PostRow]:
    """Posts of the period tagged shutdown or complaint, most important first: blanket
    shutdowns, then by severity × reach (:mod:`yuqing.alerts.key_posts`)."""
    is_local = _Local(session, config)
    score = (
        func.coalesce(PostTag.shutdown_score, 0.0)
        + func.coalesce(PostTag.complaint_score, 0.0)
        + func.coalesce(PostTag.blanket_score, 0.0)
    )
    thread = aliased(Post)
    rows = session.execute(
        select(Post, PostTag, Source.name, score, thread.title)
        .join(PostTag, PostTag.post_id == Post.id)
        .join(Source, Source.id == Post.source_id)
        .outerjoin(thread, thread.id == Post.parent_id)
        .where(
            Post.published_at >= period.start,
            Post.published_at < period.end,
            or_(PostTag.shutdown.is_(True), PostTag.complaint.is_(True)),
        )
        .order_by(
            and_(PostTag.shutdown.is_(True), PostTag.blanket.is_(True)).desc(),
            score.desc(),
            Post.published_at.desc(),
            Post.id,
        )
        .limit(cap)
    ).all()
    copies = Counter(p.cluster_id for p, *_ in rows if p.cluster_id is not None)
    posts = [
        PostRow(
            id=p.id,
            title=p.title or "",
            url=p.url,
            source=source,
            published_at=p.published_at,
            text=p.text or "",
            sector=t.sector or "",
            district=t.district or "",
            shutdown=bool(t.shutdown),
            blanket=bool(t.shutdown and t.blanket),
            complaint=bool(t.complaint),
            score=float(sc or 0.0),
            cluster_id=p.cluster_id,
            evidence=matched_terms(t.evidence, f"{p.title or ''}\n{p.text or ''}"),
            local=is_local(t.district, t.city_match, p.source_id),
            likes=p.likes,
            replies=p.replies,
            reposts=p.reposts,
            copies=copies[p.cluster_id] if p.cluster_id is not None else 1,
            is_reply=p.parent_id is not None,
            thread_title=thread_title or "",
        )
        for p, t, source, sc, thread_title in rows
    ]
    posts.sort(key=lambda r: (not r.blanket, -r.score * r.reach, -r.published_at.timestamp(), r.id))
    return posts


def _sources(session: Session, period: Period) -> list[SourceRow]:
    """Sources failing or degraded now, or with failed crawls during the period."""
    failed = dict(
        session.execute(
            select(CrawlRun.source_id, func.count())
            .where(
                CrawlRun.started_at >= period.start,
                CrawlRun.started_at < period.end,
                CrawlRun.status.in_(("failed", "timeout")),
            )
            .group_by(CrawlRun.source_id)
        ).all()
    )
    out = []
    for src in session.scalars(select(Source).order_by(Source.name)):
        runs = int(failed.get(src.id, 0))
        if src.health in ("failing", "degraded") or runs:
            stored = (src.config or {}).get("title") if isinstance(src.config, dict) else None
            title = re.split(r"[（(]", str(stored or ""), maxsplit=1)[0].strip()
            out.append(
                SourceRow(
                    src.name, src.health, src.health_reason or "", src.last_success_at, runs, title
                )
            )
    return out


def sector_label(code: str) -> str:
    return sector_name(code) or "未识别"
