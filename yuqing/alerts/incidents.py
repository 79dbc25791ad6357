"""Incidents: identity (fingerprints) and the actions people take on them.

An incident groups the alerts of one rule with equal group labels. Its states are
open → acknowledged → resolved (open → resolved directly is allowed); a resolved incident is
never reopened: new posts start a new incident (the partial unique index on
``incidents.fingerprint`` allows one unresolved incident per fingerprint).

The actions (:func:`acknowledge`, :func:`assign`, :func:`resolve`, :func:`add_note`) take a
session, so the web inbox and the CLI run them inside their own transaction; each writes the
audit log. Resolving schedules a "resolved" notification to every department that was told.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from yuqing.alerts.audit import audit
from yuqing.alerts.errors import IncidentNotFound, InvalidTransition, NotLead
from yuqing.alerts.resolution import Outcome
from yuqing.alerts.resolution import apply as apply_outcome
from yuqing.store.models import Incident, IncidentDepartment
from yuqing.store.types import utcnow

STATES = ("open", "acknowledged", "resolved")


def fingerprint(labels: Mapping[str, str], names: Sequence[str]) -> str:
    """sha256 over the named labels (absent reads as empty), order-independent."""
    body = "\x1f".join(f"{n}\x1e{labels.get(n, '')}" for n in sorted(set(names)))
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def get(session: Session, incident_id: int, lock: bool = False) -> Incident:
    q = select(Incident).where(Incident.id == incident_id)
    if lock:
        q = q.with_for_update()
    row = session.execute(q).scalar_one_or_none()
    if row is None:
        raise IncidentNotFound(incident_id)
    return row


def _by(actor: str) -> str:
    actor = actor.strip()
    if not actor:
        raise InvalidTransition("an action needs the name of who takes it")
    return actor[:100]


def acknowledge(
    session: Session,
    incident_id: int,
    actor: str,
    note: str | None = None,
    now: datetime | None = None,
) -> Incident:
    """open → acknowledged: stops repeats and escalation (new posts are still notified)."""
    now = now or utcnow()
    actor = _by(actor)
    inc = get(session, incident_id, lock=True)
    if inc.status == "acknowledged":
        raise InvalidTransition(
            f"incident #{inc.id} was already acknowledged by {inc.acknowledged_by} "
            f"at {_iso(inc.acknowledged_at)}"
        )
    if inc.status == "resolved":
        raise InvalidTransition(f"incident #{inc.id} is resolved; it cannot be acknowledged")
    inc.status = "acknowledged"
    inc.acknowledged_by, inc.acknowledged_at, inc.ack_note = actor, now, note
    inc.updated_at = now
    audit(session, actor, "incident.acknowledge", "incident", inc.id, now, note=note)
    return inc


def assign(
    session: Session,
    incident_id: int,
    actor: str,
    assignee: str,
    now: datetime | None = None,
) -> Incident:
    """Record who handles the incident (any unresolved state)."""
    now = now or utcnow()
    actor = _by(actor)
    inc = get(session, incident_id, lock=True)
    if inc.status == "resolved":
        raise InvalidTransition(f"incident #{inc.id} is resolved; it cannot be assigned")
    previous = inc.assigned_to
    inc.assigned_to = assignee.strip()[:100] or None
    inc.updated_at = now
    audit(
        session,
        actor,
        "incident.assign",
        "incident",
        inc.id,
        now,
        assignee=inc.assigned_to,
        previous=previous,
    )
    return inc


def lead_department(session: Session, inc: Incident) -> str | None:
    """The 主办 department, recorded when the incident was routed (the first receiver by
    routing precedence); None for incidents routed before it was recorded (issue 13), which
    any of their departments may resolve, as before."""
    del session  # kept for callers: the lead may later come from elsewhere
    return inc.lead_department


def resolve(
    session: Session,
    incident_id: int,
    actor: str,
    note: str | None = None,
    now: datetime | None = None,
    outcome: Outcome | None = None,
    *,
    department: str | None = None,
) -> Incident:
    """open/acknowledged → resolved, for good. Departments that were notified get a
    "resolved" notification at the next evaluation. ``outcome``: the structured fields
    (核实结果, 是否属实, …; validated by :func:`yuqing.alerts.resolution.parse`).
    ``department``: the actor's department when an officer acts (None: an admin or the
    operator) — only the lead department resolves (issue 13); the others mark their part
    done (:mod:`yuqing.alerts.handlers`)."""
    now = now or utcnow()
    actor = _by(actor)
    inc = get(session, incident_id, lock=True)
    if inc.status == "resolved":
        raise InvalidTransition(
            f"incident #{inc.id} was already resolved by {inc.resolved_by} "
            f"at {_iso(inc.resolved_at)}"
        )
    if department is not None:
        lead = lead_department(session, inc)
        if lead is not None and department != lead:
            raise NotLead(inc.id, department, lead)
    inc.status = "resolved"
    inc.resolved_by, inc.resolved_at, inc.resolution = actor, now, note
    fields = {}
    if outcome is not None and not outcome.empty:
        apply_outcome(inc, outcome)
        fields = {k: v for k, v in outcome.as_dict().items() if v is not None}
    inc.updated_at = now
    schedule_resolved(session, inc.id, now)
    audit(
        session, actor, "incident.resolve", "incident", inc.id, now, note=note,
        department=department, **fields,
    )  # fmt: skip
    return inc


def schedule_resolved(session: Session, incident_id: int, now: datetime) -> None:
    """Departments that were notified get a "resolved" notification; the rest nothing."""
    session.execute(
        update(IncidentDepartment)
        .where(IncidentDepartment.incident_id == incident_id, IncidentDepartment.notified_count > 0)
        .values(next_notify_at=now)
    )
    session.execute(
        update(IncidentDepartment)
        .where(
            IncidentDepartment.incident_id == incident_id, IncidentDepartment.notified_count == 0
        )
        .values(next_notify_at=None)
    )


def add_note(
    session: Session,
    incident_id: int,
    actor: str,
    note: str,
    now: datetime | None = None,
) -> Incident:
    """A free-text note on the incident's record (kept in the audit log)."""
    now = now or utcnow()
    actor = _by(actor)
    if not note.strip():
        raise InvalidTransition("a note cannot be empty")
    inc = get(session, incident_id)
    audit(session, actor, "incident.note", "incident", inc.id, now, note=note)
    return inc


def _iso(value: datetime | None) -> str:
    return value.isoformat() if value is not None else "?"
