"""Outbox housekeeping for operators: counts per department, and requeueing dead rows."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import func, select, update

from yuqing.store.models import Notification
from yuqing.store.session import Database
from yuqing.store.types import utcnow


def retry_dead(db: Database, now: datetime | None = None) -> int:
    """Give every dead notification a fresh start (after fixing a channel's config)."""
    with db.session() as s:
        res = s.execute(
            update(Notification)
            .where(Notification.status == "dead")
            .values(status="pending", attempts=0, next_attempt_at=now or utcnow(), lease_until=None)
            .execution_options(synchronize_session=False)
        )
        return int(getattr(res, "rowcount", 0) or 0)


def summary(db: Database) -> dict[str, dict[str, int]]:
    """Notification counts per department and status (for `yuqing run --once` and the demo)."""
    out: dict[str, dict[str, int]] = defaultdict(dict)
    with db.session() as s:
        for code, status, count in s.execute(
            select(Notification.department_code, Notification.status, func.count())
            .group_by(Notification.department_code, Notification.status)
            .order_by(Notification.department_code)
        ):
            out[code][status] = int(count)
    return dict(out)
