"""The leaders' view of the dashboard (issue 13): whose dashboard it is, the KPIs compared with
the previous period of the same length, and 一刀切/关停 ranked by district.

Whose dashboard. Admins and analysts see the whole city and may pick a district. An officer sees
their department's dashboard: posts of the (sector, district) pairs the routing tree sends to the
department (:func:`yuqing.alerts.digest_data.scopes`, the same scope as its digest — a district
government its district, a bureau its sectors) and the incidents routed to it (:mod:`scoping`).
A department whose remit is city-wide (the leaders' office, ``routing.escalation_receiver``, or
one that only receives city-wide rules such as 一刀切) sees the city's posts.

Posts whose district is unknown are never a district: they are counted apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import Session

from yuqing.alerts.digest_data import scopes
from yuqing.app.web.render import CurrentUser, Web
from yuqing.app.web.scoping import visible
from yuqing.app.web.stats import DateRange
from yuqing.config.vocab import SECTORS
from yuqing.store.models import Incident, Post, PostTag

ACTIVE = ("open", "acknowledged")


@dataclass
class Scope:
    """Whose dashboard: a label, the conditions on posts (``PostTag`` joined) and incidents,
    the districts the user may pick and the one picked."""

    label: str
    posts: list[ColumnElement[bool]] = field(default_factory=list)
    incidents: list[ColumnElement[bool]] = field(default_factory=list)
    districts: list[str] = field(default_factory=list)
    district: str = ""
    city_wide: bool = True


def _pairs_condition(pairs: frozenset[tuple[str, str]]) -> ColumnElement[bool]:
    """Posts whose (sector, district) is one of ``pairs`` ("" for none), grouped by district
    so that a district government's scope is one ``district = …``."""
    sector = func.coalesce(PostTag.sector, "")
    district = func.coalesce(PostTag.district, "")
    by_district: dict[str, set[str]] = {}
    for s, d in pairs:
        by_district.setdefault(d, set()).add(s)
    everything = set(SECTORS)
    whole = sorted(d for d, ss in by_district.items() if everything <= ss)
    parts: list[ColumnElement[bool]] = [district.in_(whole)] if whole else []
    for d, ss in sorted(by_district.items()):
        if d not in whole:
            parts.append(and_(district == d, sector.in_(sorted(ss))))
    return or_(*parts)


def events() -> ColumnElement[bool]:
    """Incidents that are events of their own: one merged into another (issue 13) is
    counted there, never again in the dashboard's figures."""
    return Incident.merged_into.is_(None)


def dashboard_scope(web: Web, user: CurrentUser, district: str) -> Scope:
    config = web.config
    all_districts = config.gazetteer.district_names()
    if user.role in ("admin", "analyst"):
        scope = Scope(label="全市", districts=all_districts, incidents=[events()])
    else:
        code = user.department_code or ""
        dept = scopes(config).get(code)
        pairs = dept.pairs if dept is not None else frozenset()
        scope = Scope(label=web.department_name(code), incidents=[visible(user), events()])
        if code == config.routing.escalation_receiver or not pairs:
            scope.districts = all_districts
        else:
            scope.city_wide = False
            scope.posts.append(_pairs_condition(pairs))
            mine = {d for _, d in pairs}
            scope.districts = [d for d in all_districts if d in mine]
    if district and district in scope.districts:
        scope.district = district
        scope.label = district if scope.city_wide else f"{scope.label} · {district}"
        scope.posts.append(PostTag.district == district)
        scope.incidents.append(Incident.district == district)
    return scope


def previous(rng: DateRange) -> DateRange:
    """The period of the same length just before ``rng``."""
    n = len(rng.days)
    return DateRange(rng.start - timedelta(days=n), rng.start - timedelta(days=1))


# -- queries --------------------------------------------------------------------------------


def _blanket() -> ColumnElement[bool]:
    return and_(PostTag.shutdown.is_(True), PostTag.blanket.is_(True))


def post_totals(s: Session, lo: datetime, hi: datetime, scope: Scope) -> dict[str, int]:
    """Posts, shutdown reports and blanket ones (a shutdown that is 一刀切) in [lo, hi)."""
    row = s.execute(
        select(
            func.count(),
            func.sum(case((PostTag.shutdown.is_(True), 1), else_=0)),
            func.sum(case((_blanket(), 1), else_=0)),
        )
        .select_from(Post)
        .outerjoin(PostTag, PostTag.post_id == Post.id)
        .where(Post.published_at >= lo, Post.published_at < hi, *scope.posts)
    ).one()
    return {"posts": int(row[0] or 0), "shutdown": int(row[1] or 0), "blanket": int(row[2] or 0)}


def incidents_opened(s: Session, lo: datetime, hi: datetime, scope: Scope) -> int:
    return int(
        s.scalar(
            select(func.count())
            .select_from(Incident)
            .where(Incident.opened_at >= lo, Incident.opened_at < hi, *scope.incidents)
        )
        or 0
    )


def overdue_now(s: Session, now: datetime, scope: Scope) -> int:
    """Incidents past their deadline and not yet acknowledged or resolved, now."""
    return int(
        s.scalar(
            select(func.count())
            .select_from(Incident)
            .where(Incident.status == "open", Incident.due_at < now, *scope.incidents)
        )
        or 0
    )


def shutdown_by_district(
    s: Session, lo: datetime, hi: datetime, scope: Scope
) -> dict[str, tuple[int, int]]:
    """District ("" unknown) → (shutdown reports, blanket ones) in [lo, hi)."""
    district = func.coalesce(PostTag.district, "")
    rows = s.execute(
        select(
            district,
            func.count(),
            func.sum(case((PostTag.blanket.is_(True), 1), else_=0)),
        )
        .select_from(Post)
        .join(PostTag, PostTag.post_id == Post.id)
        .where(
            Post.published_at >= lo,
            Post.published_at < hi,
            PostTag.shutdown.is_(True),
            *scope.posts,
        )
        .group_by(district)
    )
    return {str(d): (int(n), int(b or 0)) for d, n, b in rows}


def cases_by_district(
    s: Session, now: datetime, scope: Scope, rules: set[str]
) -> dict[str, tuple[int, int]]:
    """District → (一刀切 incidents unresolved now, of which overdue)."""
    district = func.coalesce(Incident.district, "")
    late = case((and_(Incident.status == "open", Incident.due_at < now), 1), else_=0)
    rows = s.execute(
        select(district, func.count(), func.sum(late))
        .where(Incident.rule.in_(sorted(rules)), Incident.status.in_(ACTIVE), *scope.incidents)
        .group_by(district)
    )
    return {str(d): (int(n), int(o or 0)) for d, n, o in rows}


# -- what the page shows --------------------------------------------------------------------


def change(now: int, prev: int) -> dict[str, Any]:
    """``较上期 +3（+50%）``, ``较上期 −2（−40%）``, ``较上期持平``; ``trend`` up/down/flat."""
    if now == prev:
        return {"text": "较上期持平", "trend": "flat"}
    sign = "+" if now > prev else "−"
    diff = abs(now - prev)
    pct = f"（{sign}{round(diff * 100 / prev)}%）" if prev else "（上期为 0）"
    return {"text": f"较上期 {sign}{diff}{pct}", "trend": "up" if now > prev else "down"}


@dataclass
class RankRow:
    district: str
    blanket: int
    blanket_prev: int
    shutdown: int
    shutdown_prev: int
    cases: int  # 一刀切 incidents unresolved now
    overdue: int
    href: str  # the district's incidents
    blanket_href: str = ""  # its 一刀切 incidents (all), by the inbox's rule filter (issue 13)
    cases_href: str = ""  # its 一刀切 incidents still unresolved
    width: float = 0.0  # of the bar, % of the largest

    @property
    def blanket_change(self) -> dict[str, Any]:
        return change(self.blanket, self.blanket_prev)

    @property
    def shutdown_change(self) -> dict[str, Any]:
        return change(self.shutdown, self.shutdown_prev)


def ranking(
    now: dict[str, tuple[int, int]],
    prev: dict[str, tuple[int, int]],
    cases: dict[str, tuple[int, int]],
    order: list[str],
    href: Any,
    blanket_href: Any = None,
    cases_href: Any = None,
) -> tuple[list[RankRow], int]:
    """Districts with any 关停/一刀切 post now or before, or an open 一刀切 case, most
    一刀切 first; and the number of shutdown posts of unknown district (never ranked)."""
    known = [d for d in order if d in now or d in prev or d in cases]
    rows = []
    for d in known:
        n, nb = now.get(d, (0, 0))
        p, pb = prev.get(d, (0, 0))
        c, o = cases.get(d, (0, 0))
        row = RankRow(d, nb, pb, n, p, c, o, href(d))
        row.blanket_href = blanket_href(d) if blanket_href is not None else row.href
        row.cases_href = cases_href(d) if cases_href is not None else row.href
        rows.append(row)
    rows.sort(key=lambda r: (-r.blanket, -r.shutdown, -r.cases, order.index(r.district)))
    top = max((r.shutdown for r in rows), default=0)
    for r in rows:
        r.width = round(100 * r.shutdown / top, 1) if top else 0.0
    unknown = sum(n for d, (n, _) in now.items() if d not in order)
    return rows, unknown
