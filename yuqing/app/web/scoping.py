"""Who sees which incidents: an officer only those routed (or escalated) to their department;
analysts and admins all of them. Every incident query in the web app goes through here."""

from __future__ import annotations

from fastapi import HTTPException
from sqlalchemy import ColumnElement, Select, select, true
from sqlalchemy.orm import Session

from yuqing.app.web.render import CurrentUser
from yuqing.store.models import Incident, IncidentDepartment, IncidentPost


def visible(user: CurrentUser) -> ColumnElement[bool]:
    """A condition on ``Incident`` that is true for the incidents ``user`` may see."""
    if user.role == "officer":
        mine = select(IncidentDepartment.incident_id).where(
            IncidentDepartment.department_code == (user.department_code or "")
        )
        return Incident.id.in_(mine)
    if user.role in ("admin", "analyst"):
        return true()
    return Incident.id.in_(select(IncidentDepartment.incident_id).where(false_()))


def false_() -> ColumnElement[bool]:
    return ~true()


def scoped(user: CurrentUser) -> Select[Incident]:
    return select(Incident).where(visible(user))


def incident_or_404(session: Session, user: CurrentUser, incident_id: int) -> Incident:
    """The incident, if ``user`` may see it; else 404 (not 403: no hint that it exists)."""
    row = session.scalar(scoped(user).where(Incident.id == incident_id))
    if row is None:
        raise HTTPException(status_code=404, detail="not found")
    return row


def can_act(user: CurrentUser) -> bool:
    """Acknowledge, assign, note, resolve, give feedback: officers (on what they see), admins."""
    return user.role in ("admin", "officer")


def post_in_incident(session: Session, incident_id: int, post_id: int) -> bool:
    stmt = select(IncidentPost.post_id).where(
        IncidentPost.incident_id == incident_id, IncidentPost.post_id == post_id
    )
    return session.scalar(stmt) is not None
