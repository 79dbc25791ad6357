"""Triage instead of noise: the 待研判 queue.

With ``settings.triage.enabled``, post rules see shutdown and blanket as *pushed* only when
their scores reach the band's ``high`` (settings.yaml ``triage.bands``). A score in
``[low, high)`` is uncertain: when confirming the uncertain tags would make a post rule fire
that does not fire already, the post waits in ``triage_items`` for an analyst instead of
opening an incident. Confirming opens and routes the incidents as if the post had scored high;
rejecting records the answer. Both are written to ``feedback`` (the next ``yuqing nlp train``
learns from them) and to the audit log. Scores below ``low`` raise nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from yuqing.alerts.audit import SYSTEM_ACTOR, audit
from yuqing.alerts.context import AlertContext
from yuqing.alerts.errors import AlertsError, InvalidTransition
from yuqing.alerts.expr import Tags
from yuqing.alerts.grouping import AlertGroup, attach
from yuqing.alerts.incidents import fingerprint
from yuqing.alerts.labels import Labels
from yuqing.alerts.merge import merge_open
from yuqing.alerts.rules import PostRule, tags_from_row
from yuqing.config.settings import TriageSettings
from yuqing.store.models import (
    AuditLog,
    Feedback,
    Incident,
    IncidentPost,
    Post,
    PostTag,
    TriageDepartment,
    TriageItem,
)
from yuqing.store.types import utcnow

PUSH, TRIAGE, NONE = "push", "triage", "none"
FIELDS = ("shutdown", "blanket")
STATUSES = ("pending", "confirmed", "rejected")


class TriageNotFound(AlertsError):
    exit_code = 4

    def __init__(self, item_id: int) -> None:
        self.item_id = item_id
        super().__init__(f"no triage item #{item_id}")


def band_of(score: float, band: tuple[float, float]) -> str:
    """push (>= high), triage ([low, high)) or none (< low)."""
    low, high = band
    if score >= high:
        return PUSH
    return TRIAGE if score >= low else NONE


@dataclass(frozen=True)
class Decision:
    """What alerting makes of a post's shutdown and blanket scores."""

    shutdown: str  # push / triage / none
    blanket: str

    @property
    def pushed(self) -> tuple[bool, bool]:
        """(shutdown, blanket) as post rules see them now."""
        sd = self.shutdown == PUSH
        return sd, sd and self.blanket == PUSH

    @property
    def uncertain(self) -> tuple[str, ...]:
        """The tags an analyst is asked about (blanket only when shutdown is not ruled out)."""
        out = []
        if self.shutdown == TRIAGE:
            out.append("shutdown")
        if self.blanket == TRIAGE and self.shutdown != NONE:
            out.append("blanket")
        return tuple(out)

    def confirmed(self, fields: Iterable[str]) -> tuple[bool, bool]:
        """(shutdown, blanket) as if the ``fields`` had scored high."""
        given = set(fields)
        sd = self.shutdown == PUSH or "shutdown" in given
        return sd, sd and (self.blanket == PUSH or "blanket" in given)

    def explain_zh(self, settings: TriageSettings) -> str:
        names = {"shutdown": "关停", "blanket": "一刀切"}
        parts = []
        for name in FIELDS:
            low, high = getattr(settings.bands, name)
            state = getattr(self, name)
            zh = {PUSH: "直接推送", TRIAGE: "待研判", NONE: "不预警"}[state]
            parts.append(f"{names[name]}：{zh}（区间 [{low:g}, {high:g})）")
        return "；".join(parts)


def decide(
    settings: TriageSettings,
    shutdown: bool,
    shutdown_score: float | None,
    blanket: bool,
    blanket_score: float | None,
) -> Decision:
    """The band decision; with triage off, the tags (the nlp thresholds) decide as before."""
    if not settings.enabled:
        sd = PUSH if shutdown else NONE
        return Decision(sd, PUSH if shutdown and blanket else NONE)
    return Decision(
        band_of(float(shutdown_score or 0.0), settings.bands.shutdown),
        band_of(float(blanket_score or 0.0), settings.bands.blanket),
    )


Hit = tuple[PostRule, str, Labels]


def rule_hits(ctx: AlertContext, tags: Tags, text: Callable[[], str] | None = None) -> list[Hit]:
    """The post rules ``tags`` fire, with their fingerprints and labels; ``text`` gives the
    post's normalized text for rules with keywords (no text: those rules do not fire)."""
    out: list[Hit] = []
    for rule in ctx.rules.post:
        if rule.when is not None and not rule.when(tags):
            continue
        if rule.keywords is not None and (
            text is None or not rule.keywords.matches(text(), normalized=True)
        ):
            continue
        labels = rule.labels(tags)
        out.append((rule, fingerprint(labels, ctx.tree.incident_labels(labels)), labels))
    return out


@dataclass
class Candidate:
    """A post to queue: the uncertain tags and the rules confirming them would fire."""

    post_id: int
    fields: tuple[str, ...]
    hits: list[Hit]
    shutdown_score: float
    blanket_score: float
    district: str | None
    sector: str | None
    locality: str
    departments: set[str] = field(default_factory=set)


def candidate_departments(ctx: AlertContext, hits: Sequence[Hit]) -> set[str]:
    return {r.receiver for _, _, labels in hits for r in ctx.tree.receivers(dict(labels))}


def enqueue(session: Session, ctx: AlertContext, candidates: list[Candidate], now: datetime) -> int:
    """Queue the candidates not queued before (a post is asked about once); returns how many."""
    if not candidates:
        return 0
    ids = [c.post_id for c in candidates]
    known: set[int] = set()
    for start in range(0, len(ids), 500):
        known.update(
            session.execute(
                select(TriageItem.post_id).where(TriageItem.post_id.in_(ids[start : start + 500]))
            ).scalars()
        )
    new: list[Candidate] = []
    for c in candidates:
        if c.post_id in known:
            continue
        known.add(c.post_id)
        new.append(c)
    if not new:
        return 0
    # one INSERT ... RETURNING for the items, one for their departments, one for the audit
    # rows: per item and flush, queueing was most of an evaluation at 1 M posts (issue 15)
    item_ids = session.scalars(
        insert(TriageItem).returning(TriageItem.id, sort_by_parameter_order=True),
        [
            {
                "post_id": c.post_id,
                "fields": list(c.fields),
                "rules": sorted({rule.name for rule, _, _ in c.hits}),
                "shutdown_score": c.shutdown_score,
                "blanket_score": c.blanket_score,
                "district": c.district or None,
                "sector": c.sector,
                "locality": c.locality,
                "status": "pending",
                "created_at": now,
                "incident_ids": [],
            }
            for c in new
        ],
    ).all()
    departments = [
        {"item_id": item_id, "department_code": code}
        for item_id, c in zip(item_ids, new, strict=True)
        for code in sorted(c.departments or candidate_departments(ctx, c.hits))
    ]
    if departments:
        session.execute(insert(TriageDepartment), departments)
    session.execute(
        insert(AuditLog),
        [
            {
                "at": now,
                "actor": SYSTEM_ACTOR,
                "action": "triage.queue",
                "object_type": "triage",
                "object_id": str(item_id),
                "detail": {"post": c.post_id},
            }
            for item_id, c in zip(item_ids, new, strict=True)
        ],
    )
    return len(new)


def get(session: Session, item_id: int, lock: bool = False) -> TriageItem:
    q = select(TriageItem).where(TriageItem.id == item_id)
    if lock:
        q = q.with_for_update()
    row = session.execute(q).scalar_one_or_none()
    if row is None:
        raise TriageNotFound(item_id)
    return row


def listing(
    session: Session,
    status: str | None = "pending",
    department: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[TriageItem]:
    """Queue items, newest first; ``department``: only those routed to it."""
    q = select(TriageItem)
    if status:
        q = q.where(TriageItem.status == status)
    if department is not None:
        q = q.where(TriageItem.id.in_(departments_items(department)))
    q = q.order_by(TriageItem.created_at.desc(), TriageItem.id.desc()).limit(limit).offset(offset)
    return list(session.execute(q).scalars())


def departments_items(department: str) -> Any:
    return select(TriageDepartment.item_id).where(TriageDepartment.department_code == department)


def item_departments(session: Session, item_id: int) -> list[str]:
    q = select(TriageDepartment.department_code).where(TriageDepartment.item_id == item_id)
    return sorted(session.execute(q).scalars())


def _pending(session: Session, item_id: int, actor: str) -> TriageItem:
    if not actor.strip():
        raise InvalidTransition("an answer needs the name of who gives it")
    item = get(session, item_id, lock=True)
    if item.status != "pending":
        raise InvalidTransition(
            f"triage item #{item.id} was already {item.status} by {item.decided_by}"
        )
    return item


def _feedback(
    session: Session, item: TriageItem, actor: str, value: str, note: str, now: datetime
) -> None:
    tags = session.scalar(select(PostTag).where(PostTag.post_id == item.post_id))
    for name in item.fields:
        old = None if tags is None else ("1" if getattr(tags, name) else "0")
        session.add(
            Feedback(
                post_id=item.post_id,
                actor=actor,
                field=name,
                old_value=old,
                new_value=value,
                note=(
                    f"待研判 {'确认' if value == '1' else '排除'}" + (f"：{note}" if note else "")
                )[:2000],
                created_at=now,
            )
        )


def confirm(
    session: Session,
    ctx: AlertContext,
    item_id: int,
    actor: str,
    note: str = "",
    now: datetime | None = None,
) -> tuple[TriageItem, list[int]]:
    """Open (or join) and route the incidents the post would have opened had its uncertain
    tags scored high; returns the item and the ids of the incidents it is now listed in."""
    now = now or utcnow()
    actor = actor.strip()[:100]
    item = _pending(session, item_id, actor)
    post = session.get(Post, item.post_id)
    tags = session.scalar(select(PostTag).where(PostTag.post_id == item.post_id))
    if post is None or tags is None:
        raise InvalidTransition(f"triage item #{item.id}: the post is no longer tagged")
    decision = decide(
        ctx.config.settings.triage,
        tags.shutdown,
        tags.shutdown_score,
        tags.blanket,
        tags.blanket_score,
    )
    shutdown, blanket = decision.confirmed(item.fields)
    row_tags = tags_from_row(
        shutdown, blanket, tags.complaint, tags.licensed, tags.sector, tags.district, tags.custom
    )

    def text() -> str:
        from yuqing.nlp.normalize import normalize_for_matching

        return normalize_for_matching(f"{post.title}\n{post.text}")

    hits = rule_hits(ctx, row_tags, text)
    cluster = post.cluster_id if post.cluster_id is not None else -post.id
    groups = [
        AlertGroup(fp, labels, rule.rule, {post.id: (cluster, post.published_at)})
        for rule, fp, labels in hits
    ]
    attach(session, ctx, groups, now)
    merge_open(session, ctx, now)  # one incident per event (issue 13)
    fps = [fp for _, fp, _ in hits]
    incident_ids = (
        sorted(
            session.execute(
                select(IncidentPost.incident_id)
                .join(Incident, Incident.id == IncidentPost.incident_id)
                .where(IncidentPost.post_id == post.id, Incident.fingerprint.in_(fps))
            ).scalars()
        )
        if fps
        else []
    )
    item.status, item.decided_by, item.decided_at = "confirmed", actor, now
    item.note = note.strip()[:2000] or None
    item.incident_ids = incident_ids
    _feedback(session, item, actor, "1", note.strip(), now)
    audit(
        session,
        actor,
        "triage.confirm",
        "triage",
        item.id,
        now,
        post=post.id,
        fields=list(item.fields),
        incidents=incident_ids,
        note=item.note,
    )
    for inc_id in incident_ids:
        audit(
            session,
            actor,
            "triage.confirm",
            "incident",
            inc_id,
            now,
            triage=item.id,
            post=post.id,
            note=item.note,
        )
    return item, incident_ids


def reject(
    session: Session,
    item_id: int,
    actor: str,
    note: str = "",
    now: datetime | None = None,
) -> TriageItem:
    """Record that the uncertain tags are wrong: no incident; feedback for the next model."""
    now = now or utcnow()
    actor = actor.strip()[:100]
    item = _pending(session, item_id, actor)
    item.status, item.decided_by, item.decided_at = "rejected", actor, now
    item.note = note.strip()[:2000] or None
    _feedback(session, item, actor, "0", note.strip(), now)
    audit(
        session,
        actor,
        "triage.reject",
        "triage",
        item.id,
        now,
        post=item.post_id,
        fields=list(item.fields),
        note=item.note,
    )
    return item
