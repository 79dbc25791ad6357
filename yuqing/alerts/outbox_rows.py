"""Outbox rows (``notifications``): one per (incident, department, kind, sequence, channel),
written before anything is sent, with the payload of facts frozen at enqueue time (see
/work/notes/alerts-contract.md). The delivery worker (``alerts.outbox``) sends them.

``idempotency_key`` = ``inc-{incident}/{department}/{kind}/{sequence}/{channel}``; inserting a
key that exists does nothing, so re-running an evaluation never duplicates a notification.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table
from sqlalchemy.orm import Session, object_session

from yuqing.alerts.context import AlertContext
from yuqing.alerts.glossary import describe_route, source_title
from yuqing.alerts.grouping import dialect_insert
from yuqing.alerts.key_posts import KeyPost, key_posts
from yuqing.alerts.labels import sector_name
from yuqing.alerts.people import display_names
from yuqing.alerts.policy import payload_citation, phrases_in
from yuqing.alerts.resolution import FIELDS as OUTCOME_FIELDS
from yuqing.alerts.routing import next_active
from yuqing.config.departments import Channel, Department
from yuqing.store.models import Incident, Notification

log = logging.getLogger(__name__)

TOP_POSTS = 5
KINDS = ("firing", "repeat", "escalation", "resolved", "digest")
NOTIFICATIONS = cast(Table, Notification.__table__)


def iso(value: datetime | None, timezone: str) -> str | None:
    if value is None:
        return None
    return value.astimezone(ZoneInfo(timezone)).isoformat(timespec="seconds")


def idempotency_key(
    incident_id: int, department: str, kind: str, sequence: int, channel: str
) -> str:
    return f"inc-{incident_id}/{department}/{kind}/{sequence}/{channel}"


def top_posts(
    session: Session, ctx: AlertContext, incidents: Iterable[Incident]
) -> dict[int, list[dict[str, Any]]]:
    """Up to five key posts per incident (:mod:`yuqing.alerts.key_posts`: severity × reach,
    one per near-duplicate cluster, replies with their thread), with their matched terms (the
    rule's keywords included) and a snippet around the first."""
    by_id = {i.id: i for i in incidents}

    def rule_terms(incident_id: int, text: str) -> list[str]:
        return ctx.rules.keyword_evidence(by_id[incident_id].rule, text)

    chosen = key_posts(session, by_id, TOP_POSTS, rule_terms)
    sources = ctx.config.sources.sources
    out: dict[int, list[dict[str, Any]]] = {}
    for inc_id, posts in chosen.items():
        notice = ctx.config.policy.for_rule(by_id[inc_id].rule)
        rows = []
        for p in posts:
            facts = post_facts(p, ctx.timezone)
            # the title up to its bracketed remark (the demo's 「（JSON 接口，页码翻页）」), as
            # pages and digests show it (issue 13)
            facts["source_title"] = source_title(p.source, sources)
            facts["policy_hits"] = (
                list(dict.fromkeys(ph for _, ph in phrases_in(notice, f"{p.title}\n{p.text}")))
                if notice is not None
                else []
            )
            rows.append(facts)
        out[inc_id] = rows
    return out


def post_facts(p: KeyPost, timezone: str) -> dict[str, Any]:
    """A key post as a notification's payload freezes it."""
    return {
        "id": p.id,
        "title": p.heading,
        "url": p.url,
        "thread_url": p.thread_url,
        "source": p.source,
        "published_at": iso(p.published_at, timezone),
        "snippet": p.snippet_text,
        "evidence": p.terms,
        "likes": p.likes,
        "replies": p.replies,
        "reposts": p.reposts,
        "copies": p.copies,
        "shutdown_score": p.shutdown_score,
        "complaint_score": p.complaint_score,
        "score": round(p.score, 4),
    }


def incident_facts(ctx: AlertContext, inc: Incident) -> dict[str, Any]:
    tz = ctx.timezone
    rule = ctx.rules.by_name.get(inc.rule)
    # the person, not the login (issue 13): 王芳（市市场监管局）, not scjg
    session = object_session(inc)
    names = (
        display_names(session, [inc.acknowledged_by, inc.resolved_by])
        if session is not None
        else {}
    )
    return {
        "id": inc.id,
        "rule": inc.rule,
        "rule_description": rule.description if rule is not None else "",
        "severity": inc.severity,
        "status": inc.status,
        "district": inc.district or "",
        "sector": inc.sector or "",
        "sector_name": sector_name(inc.sector),
        "title": inc.title,
        "post_count": inc.post_count,
        "first_post_at": iso(inc.first_post_at, tz),
        "last_post_at": iso(inc.last_post_at, tz),
        "opened_at": iso(inc.opened_at, tz),
        "due_at": iso(inc.due_at, tz),
        "acknowledged_by": names.get(inc.acknowledged_by or "", inc.acknowledged_by),
        "acknowledged_at": iso(inc.acknowledged_at, tz),
        "resolved_by": names.get(inc.resolved_by or "", inc.resolved_by),
        "resolved_at": iso(inc.resolved_at, tz),
        "resolution": inc.resolution,
        "outcome": {f: getattr(inc, f) for f in OUTCOME_FIELDS if getattr(inc, f)},
        "url": ctx.incident_url(inc.id),
    }


def enabled_channels(dept: Department) -> Iterator[tuple[str, Channel]]:
    """(``"<type>#<index>"``, channel) for each enabled channel of ``dept``: the name is the
    channel's place in departments.yaml, as idempotency keys and outbox rows spell it."""
    for index, channel in enumerate(dept.channels):
        if channel.enabled:
            yield f"{channel.type}#{index}", channel


def outbox_row(
    key: str,
    department: str,
    channel: str,
    kind: str,
    payload: dict[str, Any],
    due: datetime,
    now: datetime,
    *,
    incident_id: int | None = None,
    digest_id: int | None = None,
) -> dict[str, Any]:
    """A new ``notifications`` row (pending), for :func:`insert_rows`."""
    return {
        "idempotency_key": key,
        "incident_id": incident_id,
        "digest_id": digest_id,
        "department_code": department,
        "channel": channel,
        "kind": kind,
        "status": "pending",
        "payload": payload,
        "attempts": 0,
        "next_attempt_at": due,
        "created_at": now,
    }


def notification_rows(
    ctx: AlertContext,
    inc: Incident,
    department: str,
    kind: str,
    sequence: int,
    route: str,
    posts: list[dict[str, Any]],
    now: datetime,
    escalation: Mapping[str, Any] | None = None,
    route_text: str | None = None,
) -> list[dict[str, Any]]:
    """The outbox rows for one notification: one per enabled channel of ``department``.

    ``route_text``: 分派依据 stored when the department was reached (issue 13); without it
    (rows routed before migration 0013) ``route`` is described with today's routing."""
    dept = ctx.departments.get(department)
    if dept is None:
        log.warning("incident #%s: department %r is not configured", inc.id, department)
        return []
    due = next_active(dept, now, ctx.timezone)
    base = {
        "kind": kind,
        "sequence": sequence,
        "created_at": iso(now, ctx.timezone),
        "incident": incident_facts(ctx, inc),
        "department": {"code": dept.code, "name": dept.name},
        "labels": dict(inc.labels),
        "route": route,
        "route_text": route_text
        or describe_route(route, ctx.config.routing, ctx.config.rules.rules),
        "escalation": dict(escalation) if escalation is not None else None,
        "posts": posts,
        "policy": (
            payload_citation(ctx.config, inc.rule, inc.sector, posts)
            if kind != "resolved"
            else None
        ),
    }
    rows = []
    for name, _channel in enabled_channels(dept):
        key = idempotency_key(inc.id, dept.code, kind, sequence, name)
        payload = {**base, "idempotency_key": key}
        rows.append(outbox_row(key, dept.code, name, kind, payload, due, now, incident_id=inc.id))
    if not rows:
        log.warning("incident #%s: department %s has no enabled channel", inc.id, dept.code)
    return rows


def insert_rows(session: Session, rows: list[dict[str, Any]]) -> int:
    """Insert outbox rows; a key that exists is left alone. Returns how many were new."""
    if not rows:
        return 0
    stmt = dialect_insert(session)(NOTIFICATIONS).on_conflict_do_nothing(
        index_elements=["idempotency_key"]
    )
    return len(session.connection().execute(stmt.returning(NOTIFICATIONS.c.id), rows).all())


def enqueue(
    session: Session,
    ctx: AlertContext,
    inc: Incident,
    department: str,
    kind: str,
    sequence: int,
    route: str,
    posts: list[dict[str, Any]],
    now: datetime,
    escalation: Mapping[str, Any] | None = None,
) -> int:
    """Write one notification (a row per enabled channel); returns how many rows were new."""
    rows = notification_rows(ctx, inc, department, kind, sequence, route, posts, now, escalation)
    return insert_rows(session, rows)
