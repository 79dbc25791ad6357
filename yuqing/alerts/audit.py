"""Audit-log rows for every action on an incident or a silence."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from yuqing.store.models import AuditLog

SYSTEM_ACTOR = "yuqing"


def audit(
    session: Session,
    actor: str,
    action: str,
    object_type: str,
    object_id: int | str,
    at: datetime,
    **detail: Any,
) -> None:
    session.add(
        AuditLog(
            at=at,
            actor=actor,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            detail={k: v for k, v in detail.items() if v is not None},
        )
    )
