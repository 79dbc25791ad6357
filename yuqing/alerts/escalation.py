"""``escalate(config, db, now)``: incidents still unacknowledged past their due time are sent,
as ``escalation`` notifications, to the escalation target of each department they were routed
to (``escalate_to`` in departments.yaml, else ``routing.escalation_receiver`` — 市政府督查室 by
default). Each escalation raises ``incidents.escalation_level``; level n walks n steps up the
``escalate_to`` chain (stopping at its top). An incident escalates again at most once per root
``repeat_interval``. Silenced or inhibited incidents, and rules with ``escalate: false``, do
not escalate. The target is added to the incident's departments (role ``escalated``), so it
sees the incident in its inbox and gets the "resolved" notification.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from yuqing.alerts import silences as silence_mod
from yuqing.alerts.audit import SYSTEM_ACTOR, audit
from yuqing.alerts.context import AlertContext, context_for
from yuqing.alerts.evaluate import lock
from yuqing.alerts.glossary import describe_route
from yuqing.alerts.inhibit import Inhibitor
from yuqing.alerts.notify import build_inhibitor, suppression
from yuqing.alerts.outbox_rows import enqueue, top_posts
from yuqing.config import Config
from yuqing.store.models import Incident, IncidentDepartment
from yuqing.store.session import Database
from yuqing.store.types import utcnow

log = logging.getLogger(__name__)
CHUNK = 100


def target(ctx: AlertContext, department: str, level: int) -> str | None:
    """Where ``department``'s incidents go at escalation ``level`` (None: nowhere)."""
    current, seen = department, {department}
    for _ in range(level):
        dept = ctx.departments.get(current)
        nxt = (dept.escalate_to if dept is not None else None) or ctx.tree.escalation_receiver
        if nxt is None or nxt in seen:
            break
        seen.add(nxt)
        current = nxt
    return current if current != department else None


def escalate(config: Config, db: Database, now: datetime | None = None) -> int:
    """Escalate every overdue unacknowledged incident; returns the outbox rows written."""
    now = now or utcnow()
    ctx = context_for(config)
    interval = config.routing.repeat_interval
    assert interval is not None
    with db.session() as s:
        silences = silence_mod.active(s, now)
        inhibitor = build_inhibitor(s, ctx)
    written = after = 0
    while True:
        with db.session() as s:
            lock(s, now)
            q = (
                select(Incident)
                .where(
                    Incident.status == "open",
                    Incident.due_at <= now,
                    or_(Incident.escalated_at.is_(None), Incident.escalated_at <= now - interval),
                    Incident.id > after,
                )
                .order_by(Incident.id)
                .limit(CHUNK)
                .with_for_update()
            )
            incidents = list(s.execute(q).scalars())
            if not incidents:
                break
            for inc in incidents:
                written += _escalate(s, ctx, inc, now, silences, inhibitor)
            after = incidents[-1].id
    if written:
        log.info("escalate: %d notification(s)", written)
    return written


def _escalate(
    s: Session,
    ctx: AlertContext,
    inc: Incident,
    now: datetime,
    silences: list[silence_mod.ActiveSilence],
    inhibitor: Inhibitor | None,
) -> int:
    rule = ctx.rules.by_name.get(inc.rule)
    if rule is not None and not rule.escalate:
        return 0
    if suppression(ctx, silences, inhibitor, inc) is not None:
        return 0
    rows = {
        r.department_code: r
        for r in s.execute(
            select(IncidentDepartment).where(IncidentDepartment.incident_id == inc.id)
        ).scalars()
    }
    level = inc.escalation_level + 1
    targets: dict[str, list[str]] = {}
    for code, row in sorted(rows.items()):
        if row.role != "routed":
            continue
        to = target(ctx, code, level)
        if to is not None:
            targets.setdefault(to, []).append(code)
    if not targets:
        log.warning("incident #%s is overdue but has no escalation target", inc.id)
        return 0
    assert inc.due_at is not None
    overdue = int((now - inc.due_at).total_seconds() // 60)
    posts = top_posts(s, ctx, [inc]).get(inc.id, [])
    written = 0
    for to, sources in sorted(targets.items()):
        info = {"level": level, "from_departments": sources, "overdue_minutes": overdue}
        route = f"escalation level {level}"
        written += enqueue(s, ctx, inc, to, "escalation", level, route, posts, now, info)
        existing = rows.get(to)
        if existing is None:
            s.add(
                IncidentDepartment(
                    incident_id=inc.id,
                    department_code=to,
                    route=route,
                    route_text=describe_route(route),
                    group_key="",
                    role="escalated",
                    first_notified_at=now,
                    last_notified_at=now,
                    notified_count=1,
                    notified_posts=inc.post_count,
                    next_notify_at=None,
                )
            )
        elif existing.role == "escalated":
            existing.notified_count += 1
            existing.last_notified_at = now
    inc.escalation_level = level
    inc.escalated_at = now
    audit(
        s,
        SYSTEM_ACTOR,
        "incident.escalate",
        "incident",
        inc.id,
        now,
        level=level,
        to=sorted(targets),
        overdue_minutes=overdue,
    )
    return written
