"""What the incident page shows about who holds an incident and how it joined its event
(issue 13): the lead (主办) and co-handling (协办) departments with each one's state, whether
the user may resolve or mark their part done, the incidents merged into this one (or the one
this was merged into), why each post counts here, and people's display names."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from yuqing.alerts import handlers as handling
from yuqing.alerts.people import display_names
from yuqing.app.web.render import CurrentUser, Web
from yuqing.store.models import AuditLog, Incident, IncidentPost


@dataclass
class Handling:
    handlers: list[handling.Handler]
    lead: str | None
    may_resolve: bool
    my_part: handling.Handler | None  # the officer's own department, when it co-handles
    merged_into: Incident | None
    merged_from: list[Incident]
    post_reasons: dict[int, list[str]] = field(default_factory=dict)
    people: dict[str, str] = field(default_factory=dict)


def may_resolve(user: CurrentUser, lead: str | None) -> bool:
    """Admins always; officers of the lead department (any officer when none is known)."""
    if user.is_admin:
        return True
    return user.is_officer and (lead is None or user.department_code == lead)


def handling_of(web: Web, s: Session, user: CurrentUser, inc: Incident) -> Handling:
    hs = handling.handlers(s, inc)
    lead = next((h.code for h in hs if h.lead), None)
    mine = next(
        (h for h in hs if user.is_officer and h.code == user.department_code and not h.lead),
        None,
    )
    merged_into = s.get(Incident, inc.merged_into) if inc.merged_into is not None else None
    merged_from = list(
        s.scalars(select(Incident).where(Incident.merged_into == inc.id).order_by(Incident.id))
    )
    actors = set(
        s.scalars(
            select(AuditLog.actor).where(
                AuditLog.object_type == "incident",
                AuditLog.object_id.in_([str(inc.id), *(str(m.id) for m in merged_from)]),
            )
        )
    )
    people = display_names(
        s,
        [inc.acknowledged_by, inc.resolved_by, inc.assigned_to, *actors,
         *(h.done_by for h in hs)],
    )  # fmt: skip
    return Handling(
        hs,
        lead,
        may_resolve(user, lead),
        mine,
        merged_into,
        merged_from,
        post_reasons(web, s, inc, {m.id: m for m in merged_from}),
        people,
    )


def post_reasons(
    web: Web, s: Session, inc: Incident, merged: dict[int, Incident]
) -> dict[int, list[str]]:
    """Why posts listed by precedence count in this incident, in Chinese."""
    titles = {r.name: r.short_title for r in web.config.rules.rules}
    mine = titles.get(inc.rule, inc.rule)
    where = "同一区县、同一行业" if inc.district is not None or inc.sector else "同一范围"
    out: dict[int, list[str]] = {}
    rows = s.execute(
        select(IncidentPost.post_id, IncidentPost.via_rule, IncidentPost.moved_from).where(
            IncidentPost.incident_id == inc.id,
            (IncidentPost.via_rule.is_not(None)) | (IncidentPost.moved_from.is_not(None)),
        )
    ).all()
    for post_id, via, moved in rows:
        lines: list[str] = []
        lower = "、".join(f"「{titles.get(v, v)}」" for v in (via or "").split(",") if v)
        if moved is not None:
            src = merged.get(moved)
            name = f"（{src.title}）" if src is not None and src.title else ""
            lines.append(
                f"由事件 #{moved}{name}并入：{where}的「{mine}」事件优先，两者按同一事件办理"
            )
        elif lower:
            lines.append(
                f"该帖文符合{lower}规则；{where}已有「{mine}」事件，按优先级只计入本事件，"
                "不再单独立案"
            )
        if lines:
            out[post_id] = lines
    return out


def context(web: Web, s: Session, user: CurrentUser, inc: Incident) -> dict[str, Any]:
    """Template variables for the incident page's handling partials."""
    h = handling_of(web, s, user, inc)
    return {"handling": h, "people": h.people, "may_resolve": h.may_resolve}
