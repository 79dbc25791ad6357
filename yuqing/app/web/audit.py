"""Writing the audit log for actions the web app performs itself (logins, users, feedback,
queries). Incident and silence actions are logged by yuqing.alerts, which performs them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from yuqing.store.models import AuditLog


def audit(
    session: Session,
    actor: str,
    action: str,
    object_type: str,
    object_id: object,
    detail: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditLog:
    row = AuditLog(
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        detail=detail or {},
    )
    if at is not None:
        row.at = at
    session.add(row)
    return row
