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

from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session, object_session

from yuqing.alerts import crawled_text
from yuqing.alerts.context import AlertContext
from yuqing.alerts.grouping import chunks, dialect_insert
from yuqing.alerts.labels import sector_name
from yuqing.alerts.people import display_names
from yuqing.alerts.policy import payload_citation, phrases_in
from yuqing.alerts.resolution import FIELDS as OUTCOME_FIELDS
from yuqing.alerts.routing import next_active
from yuqing.config.departments import Channel, Department
from yuqing.store.models import Incident, IncidentPost, Notification, Post, PostTag, Source

log = logging.getLogger(__name__)

TOP_POSTS = 5
SNIPPET = 200
MAX_EVIDENCE = 8
MAX_TERM_CHARS = 20
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


def evidence_terms(evidence: Any, limit: int = MAX_EVIDENCE) -> list[str]:
    """Matched terms from a post's tag evidence for a message: at most ``limit``, none longer
    than 20 characters (see :func:`yuqing.alerts.crawled_text.evidence_terms`)."""
    return crawled_text.evidence_terms(evidence, limit, MAX_TERM_CHARS)


def snippet(text: str, evidence: list[str], size: int = SNIPPET) -> str:
    """At most ``size`` characters of ``text`` around the first evidence term found."""
    text = " ".join(text.split())
    if len(text) <= size:
        return text
    hits = [i for term in evidence if (i := text.find(term)) >= 0]
    at = min(hits) if hits else 0
    start = max(0, min(at - size // 4, len(text) - size + 1))
    body = text[start : start + size - 2]
    return ("…" if start > 0 else "") + body + ("…" if start + len(body) < len(text) else "")


def top_posts(
    session: Session, ctx: AlertContext, incidents: Iterable[Incident]
) -> dict[int, list[dict[str, Any]]]:
    """Up to five posts per incident, one per near-duplicate cluster, most relevant first."""
    by_id = {i.id: i for i in incidents}
    out: dict[int, list[dict[str, Any]]] = {i: [] for i in by_id}
    tz = ctx.timezone
    source_titles = {s.name: s.title for s in ctx.config.sources.sources if s.title}
    for batch in chunks(sorted(by_id), 200):
        score = func.coalesce(PostTag.shutdown_score, 0.0) + func.coalesce(
            PostTag.complaint_score, 0.0
        )
        rank = (
            func.row_number()
            .over(
                partition_by=IncidentPost.incident_id,
                order_by=(score.desc(), Post.published_at.desc(), Post.id),
            )
            .label("rank")
        )
        ranked = (
            select(IncidentPost.incident_id, IncidentPost.post_id, rank)
            .join(Post, Post.id == IncidentPost.post_id)
            .outerjoin(PostTag, PostTag.post_id == Post.id)
            .where(IncidentPost.incident_id.in_(batch))
            .subquery()
        )
        q = (
            select(
                ranked.c.incident_id,
                Post.id,
                Post.title,
                Post.url,
                Post.text,
                Post.published_at,
                Post.cluster_id,
                Source.name,
                PostTag.shutdown_score,
                PostTag.complaint_score,
                PostTag.evidence,
            )
            .join(Post, Post.id == ranked.c.post_id)
            .join(Source, Source.id == Post.source_id)
            .outerjoin(PostTag, PostTag.post_id == Post.id)
            .where(ranked.c.rank <= 4 * TOP_POSTS)
            .order_by(ranked.c.incident_id, ranked.c.rank)
        )
        seen: dict[int, set[int]] = {}
        for (
            inc_id,
            pid,
            ttl,
            url,
            text,
            published,
            cluster,
            source,
            s_score,
            c_score,
            ev,
        ) in session.execute(q):
            chosen = out[inc_id]
            key = cluster if cluster is not None else -pid
            if len(chosen) >= TOP_POSTS or key in seen.setdefault(inc_id, set()):
                continue
            seen[inc_id].add(key)
            terms = evidence_terms(ev or {})
            extra = ctx.rules.keyword_evidence(by_id[inc_id].rule, f"{ttl}\n{text}")
            terms = list(dict.fromkeys([*terms, *extra]))[:MAX_EVIDENCE]
            notice = ctx.config.policy.for_rule(by_id[inc_id].rule)
            hits = (
                list(dict.fromkeys(p for _, p in phrases_in(notice, f"{ttl}\n{text}")))
                if notice is not None
                else []
            )
            chosen.append(
                {
                    "id": pid,
                    "title": ttl,
                    "url": url,
                    "source": source,
                    "source_title": source_titles.get(source) or source,
                    "published_at": iso(published, tz),
                    "snippet": snippet(text or ttl, terms),
                    "evidence": terms,
                    "shutdown_score": round(float(s_score), 4) if s_score is not None else None,
                    "complaint_score": round(float(c_score), 4) if c_score is not None else None,
                    "policy_hits": hits,
                }
            )
    return out


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
) -> list[dict[str, Any]]:
    """The outbox rows for one notification: one per enabled channel of ``department``."""
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
