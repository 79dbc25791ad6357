"""The notification timers: which (incident, department) pairs are due, and of what kind.

Each routed pair carries ``next_notify_at``:

- a new incident: due after its route's ``group_wait`` → a ``firing`` notification;
- new posts joined a notified incident: due ``group_interval`` after the last notification →
  a ``firing`` update (a higher sequence) with the new post count;
- nothing new and still unacknowledged: due ``repeat_interval`` after the last → ``repeat``;
- resolved after being notified: due at once → ``resolved``.

A silenced or inhibited pair sends nothing; the reason is recorded on the pair
(``suppressed_by``, plus an audit-log entry when it changes) and the pair stays due, so the
notification goes out at the first evaluation after the silence ends or the inhibiting
incident is resolved.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from yuqing.alerts import silences as silence_mod
from yuqing.alerts.audit import SYSTEM_ACTOR, audit
from yuqing.alerts.context import AlertContext
from yuqing.alerts.inhibit import Inhibitor
from yuqing.alerts.outbox_rows import insert_rows, notification_rows, top_posts
from yuqing.store.models import Incident, IncidentDepartment
from yuqing.store.session import Database

CHUNK = 200


@dataclass
class FlushResult:
    notifications: int = 0
    suppressed: int = 0
    pairs: int = 0


def suppression(
    ctx: AlertContext,
    silences: list[silence_mod.ActiveSilence],
    inhibitor: Inhibitor | None,
    inc: Incident,
) -> str | None:
    labels = dict(inc.labels)
    s = silence_mod.silenced_by(silences, labels)
    if s is not None:
        return s.describe()
    if inhibitor is not None:
        return inhibitor.inhibited_by(inc.id, labels)
    return None


def build_inhibitor(session: Session, ctx: AlertContext) -> Inhibitor | None:
    if not ctx.inhibit_rules:
        return None
    q = (
        select(Incident.id, Incident.labels, Incident.title)
        .where(Incident.status != "resolved")
        .order_by(Incident.id)
    )
    return Inhibitor(ctx.inhibit_rules, ((i, dict(lb), t) for i, lb, t in session.execute(q)))


def due_incident_ids(session: Session, now: datetime, after: int, limit: int) -> list[int]:
    q = (
        select(IncidentDepartment.incident_id)
        .where(IncidentDepartment.next_notify_at <= now, IncidentDepartment.incident_id > after)
        .group_by(IncidentDepartment.incident_id)
        .order_by(IncidentDepartment.incident_id)
        .limit(limit)
    )
    return list(session.execute(q).scalars())


def flush_chunk(
    session: Session,
    ctx: AlertContext,
    incident_ids: list[int],
    now: datetime,
    silences: list[silence_mod.ActiveSilence],
    inhibitor: Inhibitor | None,
) -> FlushResult:
    """Send what is due for these incidents (one transaction)."""
    result = FlushResult()
    incidents = {
        i.id: i
        for i in session.execute(select(Incident).where(Incident.id.in_(incident_ids))).scalars()
    }
    rows = list(
        session.execute(
            select(IncidentDepartment)
            .where(
                IncidentDepartment.incident_id.in_(incident_ids),
                IncidentDepartment.next_notify_at <= now,
            )
            .order_by(IncidentDepartment.incident_id, IncidentDepartment.department_code)
            .with_for_update()
        ).scalars()
    )
    plans: list[tuple[IncidentDepartment, Incident, str]] = []
    for row in rows:
        inc = incidents[row.incident_id]
        result.pairs += 1
        kind = _kind(row, inc)
        if kind is None:
            row.next_notify_at = None
            continue
        if kind != "resolved":
            why = suppression(ctx, silences, inhibitor, inc)
            if why is not None:
                result.suppressed += 1
                if row.suppressed_by != why:
                    row.suppressed_by = why
                    audit(
                        session,
                        SYSTEM_ACTOR,
                        "incident.suppress",
                        "incident",
                        inc.id,
                        now,
                        department=row.department_code,
                        reason=why,
                    )
                continue
            row.suppressed_by = None
        plans.append((row, inc, kind))
    posts = top_posts(
        session, ctx, {inc.id: inc for _, inc, kind in plans if kind != "resolved"}.values()
    )
    outbox: list[dict[str, Any]] = []
    for row, inc, kind in plans:
        sequence = row.notified_count + 1
        outbox += notification_rows(
            ctx,
            inc,
            row.department_code,
            kind,
            sequence,
            row.route,
            posts.get(inc.id, []),
            now,
            route_text=row.route_text,
        )
        row.notified_count = sequence
        row.notified_posts = inc.post_count
        row.first_notified_at = row.first_notified_at or now
        row.last_notified_at = now
        if kind != "resolved" and inc.status == "open":
            row.next_notify_at = now + ctx.tree.node(row.route).timers.repeat_interval
        else:
            row.next_notify_at = None
    result.notifications += insert_rows(session, outbox)
    session.flush()
    return result


def _kind(row: IncidentDepartment, inc: Incident) -> str | None:
    if inc.status == "resolved":
        return "resolved" if row.notified_count > 0 else None
    if row.role != "routed":
        return None
    if row.notified_count == 0 or inc.post_count > row.notified_posts:
        return "firing"
    if inc.status == "open":
        return "repeat"
    return None


def flush(
    ctx: AlertContext,
    db: Database,
    now: datetime,
    lock: Callable[[Session], object] | None = None,
) -> FlushResult:
    """Every due pair, in chunks of incidents, one transaction per chunk (each taking
    ``lock`` first, so concurrent evaluations queue rather than race)."""
    total = FlushResult()
    after = 0
    with db.session() as s:
        silences = silence_mod.active(s, now)
        inhibitor = build_inhibitor(s, ctx)
    while True:
        with db.session() as s:
            if lock is not None:
                lock(s)
            ids = due_incident_ids(s, now, after, CHUNK)
            if not ids:
                break
            part = flush_chunk(s, ctx, ids, now, silences, inhibitor)
        total.notifications += part.notifications
        total.suppressed += part.suppressed
        total.pairs += part.pairs
        after = ids[-1]
    return total
