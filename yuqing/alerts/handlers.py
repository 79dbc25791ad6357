"""主办 / 协办 (issue 13): who holds an incident and how far each department is.

The lead department (主办, ``incidents.lead_department``) is the first receiver by routing
precedence; it signs for, handles and resolves the incident. Every other routed department
co-handles it (协办): it sees the lead, adds feedback (:func:`add_feedback`) and marks its part
done (:func:`mark_done`, 协办完成) — it cannot resolve the incident for everyone. Departments
the incident was escalated to supervise it (督办). Each action writes the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from yuqing.alerts.audit import audit
from yuqing.alerts.errors import InvalidTransition
from yuqing.alerts.incidents import get, lead_department
from yuqing.store.models import Incident, IncidentDepartment
from yuqing.store.types import utcnow

LEAD_ZH, CO_ZH, SUPERVISE_ZH = "主办", "协办", "督办"
HANDLER_ZH = "承办"  # incidents routed before a lead was recorded: every department alike


@dataclass
class Handler:
    """One department on an incident, as every department on it sees it."""

    code: str
    part: str  # 主办 / 协办 / 督办
    state: str  # in Chinese: 待签收, 已签收, 已办结, 协办中, 协办完成, 已并入 #N …
    done_at: datetime | None = None
    done_by: str | None = None
    done_note: str | None = None
    notified: int = 0

    @property
    def lead(self) -> bool:
        return self.part == LEAD_ZH


def handlers(session: Session, inc: Incident) -> list[Handler]:
    """The incident's departments: the lead first, then co-handlers, then supervisors."""
    lead = lead_department(session, inc)
    rows = session.scalars(
        select(IncidentDepartment)
        .where(IncidentDepartment.incident_id == inc.id)
        .order_by(IncidentDepartment.department_code)
    ).all()
    out: list[Handler] = []
    for d in rows:
        if d.department_code == lead:
            part = LEAD_ZH
        elif d.role == "escalated":
            part = SUPERVISE_ZH
        else:
            part = CO_ZH if lead is not None else HANDLER_ZH
        out.append(
            Handler(
                d.department_code,
                part,
                _state(inc, part, d),
                d.done_at,
                d.done_by,
                d.done_note,
                d.notified_count,
            )
        )
    order = {LEAD_ZH: 0, CO_ZH: 1, HANDLER_ZH: 1, SUPERVISE_ZH: 2}
    out.sort(key=lambda h: order[h.part])
    return out


def _state(inc: Incident, part: str, d: IncidentDepartment) -> str:
    if inc.merged_into is not None:
        return f"已并入 #{inc.merged_into}"
    if part in (CO_ZH, HANDLER_ZH) and d.done_at is not None:
        return "协办完成"
    if inc.status == "resolved":
        return "已办结"
    if part == CO_ZH:
        return "协办中"
    if part == SUPERVISE_ZH:
        return "督办中"
    return "已签收" if inc.status == "acknowledged" else "待签收"


def _row(session: Session, inc: Incident, department: str) -> IncidentDepartment:
    row = session.get(IncidentDepartment, (inc.id, department), with_for_update=True)
    if row is None:
        raise InvalidTransition(f"department {department!r} does not handle incident #{inc.id}")
    return row


def mark_done(
    session: Session,
    incident_id: int,
    department: str,
    actor: str,
    note: str | None = None,
    now: datetime | None = None,
) -> IncidentDepartment:
    """A co-handling department marks its part done (协办完成)."""
    now = now or utcnow()
    inc = get(session, incident_id, lock=True)
    if inc.status == "resolved":
        raise InvalidTransition(f"incident #{inc.id} is resolved; parts can no longer be done")
    lead = lead_department(session, inc)
    if lead is None or department == lead:
        raise InvalidTransition(
            f"{department} leads incident #{inc.id} (or it has no lead): resolve it instead"
        )
    row = _row(session, inc, department)
    if row.done_at is not None:
        raise InvalidTransition(
            f"{department}'s part of incident #{inc.id} was already marked done by "
            f"{row.done_by} at {row.done_at.isoformat()}"
        )
    row.done_at, row.done_by, row.done_note = now, actor.strip()[:100] or None, note
    inc.updated_at = now
    audit(session, actor, "incident.part_done", "incident", inc.id, now,
          department=department, note=note)  # fmt: skip
    return row


def add_feedback(
    session: Session,
    incident_id: int,
    department: str,
    actor: str,
    text: str,
    now: datetime | None = None,
) -> None:
    """A department's feedback on the incident (for the lead and everyone on it)."""
    now = now or utcnow()
    if not text.strip():
        raise InvalidTransition("feedback cannot be empty")
    inc = get(session, incident_id)
    _row(session, inc, department)
    audit(session, actor, "incident.feedback", "incident", inc.id, now,
          department=department, note=text.strip())  # fmt: skip
