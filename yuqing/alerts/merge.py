"""Merging a lower incident into the higher one of the same event (issue 13).

Run after each batch is attached (:func:`merge_open`): every unresolved incident that an
unresolved higher incident outranks (``merge: true`` inhibit rules, see
:mod:`yuqing.alerts.precedence`) is merged into it. The higher incident lists the lower one's
posts (``incident_posts.moved_from``), takes on its departments as co-handlers, and shows its
history (the web timeline reads the audit entries of merged incidents). The lower incident is
resolved with ``merged_into``, ``merge_reason`` (Chinese) and ``已并入 #N`` as its resolution;
it is notified no more and never escalates. The higher incident keeps its own deadline: one
deadline per event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, func, select, update
from sqlalchemy.orm import Session

from yuqing.alerts import precedence
from yuqing.alerts.audit import SYSTEM_ACTOR, audit
from yuqing.alerts.context import AlertContext
from yuqing.alerts.grouping import dialect_insert, mark_pending
from yuqing.store.models import Incident, IncidentDepartment, IncidentPost, Post

INCIDENT_POSTS = cast(Table, IncidentPost.__table__)
INCIDENT_DEPARTMENTS = cast(Table, IncidentDepartment.__table__)


@dataclass(frozen=True)
class Merged:
    low: int
    high: int
    reason: str


def merge_open(session: Session, ctx: AlertContext, now: datetime) -> list[Merged]:
    """Merge every outranked unresolved incident into the one that finally absorbs it."""
    rules = precedence.merge_rules(ctx.inhibit_rules)
    if not rules:
        return []
    rows = session.execute(
        select(
            Incident.id,
            Incident.fingerprint,
            Incident.labels,
            Incident.severity,
            Incident.title,
            Incident.rule,
        )
        .where(Incident.status != "resolved")
        .order_by(Incident.id)
    ).all()
    nodes = []
    for r in rows:
        rule = ctx.rules.by_name.get(r.rule)
        title = rule.short_title if rule is not None else r.rule
        nodes.append(
            precedence.Node(r.fingerprint, dict(r.labels), r.severity, r.id, r.title, title)
        )
    precedence.resolve(rules, nodes)
    out: list[Merged] = []
    for n in nodes:
        high = precedence.top(n)
        if high is n or high.incident_id is None or n.incident_id is None:
            continue
        reason = precedence.reason_zh(n.rule_title, high, n.via)
        merge(session, ctx, n.incident_id, high.incident_id, reason, now)
        out.append(Merged(n.incident_id, high.incident_id, reason))
    return out


def merge(
    session: Session, ctx: AlertContext, low_id: int, high_id: int, reason: str, now: datetime
) -> None:
    """Merge incident ``low_id`` into ``high_id`` (both unresolved), in the caller's
    transaction."""
    low = session.get(Incident, low_id, with_for_update=True)
    high = session.get(Incident, high_id, with_for_update=True)
    assert low is not None and high is not None
    conn = session.connection()
    insert = dialect_insert(session)
    posts = list(
        session.execute(
            select(IncidentPost.post_id, IncidentPost.added_at).where(
                IncidentPost.incident_id == low_id
            )
        )
    )
    if posts:
        conn.execute(
            insert(INCIDENT_POSTS).on_conflict_do_nothing(),
            [
                {
                    "incident_id": high_id,
                    "post_id": p,
                    "added_at": added,
                    "via_rule": low.rule,
                    "moved_from": low_id,
                }
                for p, added in posts
            ],
        )
    before = high.post_count
    count, first, last = session.execute(
        select(
            func.count(func.distinct(func.coalesce(Post.cluster_id, -Post.id))),
            func.min(Post.published_at),
            func.max(Post.published_at),
        )
        .join(IncidentPost, IncidentPost.post_id == Post.id)
        .where(IncidentPost.incident_id == high_id)
    ).one()
    high.post_count = int(count or 0)
    high.first_post_at, high.last_post_at = first or high.first_post_at, last or high.last_post_at
    high.updated_at = now
    # the lower incident's departments that the higher one lacks co-handle it (协办)
    have = set(
        session.execute(
            select(IncidentDepartment.department_code).where(
                IncidentDepartment.incident_id == high_id
            )
        ).scalars()
    )
    extra: list[dict[str, Any]] = []
    for d in session.execute(
        select(IncidentDepartment).where(IncidentDepartment.incident_id == low_id)
    ).scalars():
        if d.department_code not in have and d.role == "routed":
            extra.append(
                {
                    "incident_id": high_id,
                    "department_code": d.department_code,
                    "route": d.route,
                    "route_text": d.route_text,
                    "group_key": d.group_key,
                    "role": "routed",
                    "notified_count": 0,
                    "notified_posts": 0,
                    "next_notify_at": now,
                }
            )
    if extra:
        conn.execute(insert(INCIDENT_DEPARTMENTS).on_conflict_do_nothing(), extra)
    session.execute(
        update(IncidentDepartment)
        .where(IncidentDepartment.incident_id == low_id)
        .values(next_notify_at=None, suppressed_by=f"已并入 #{high_id}")
    )
    low.status = "resolved"
    low.resolved_by, low.resolved_at = SYSTEM_ACTOR, now
    low.resolution = f"已并入 #{high_id}：{reason}"
    low.merged_into, low.merged_at, low.merge_reason = high_id, now, reason
    low.updated_at = now
    session.flush()
    if high.post_count > before:
        mark_pending(session, ctx, [high_id], now)
    audit(session, SYSTEM_ACTOR, "incident.merge", "incident", low_id, now, into=high_id,
          reason=reason)  # fmt: skip
    audit(session, SYSTEM_ACTOR, "incident.absorb", "incident", high_id, now, merged=low_id,
          rule=low.rule, posts=len(posts), reason=reason)  # fmt: skip


def merged_into_chain(session: Session, incident_ids: list[int]) -> dict[int, list[int]]:
    """For each incident, the ids of the incidents merged into it (directly)."""
    out: dict[int, list[int]] = {i: [] for i in incident_ids}
    if not incident_ids:
        return out
    for low, high in session.execute(
        select(Incident.id, Incident.merged_into)
        .where(Incident.merged_into.in_(incident_ids))
        .order_by(Incident.id)
    ):
        if high is not None:
            out.setdefault(high, []).append(low)
    return out
