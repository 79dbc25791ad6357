"""The scheduler's lock: one ``yuqing run`` per database (a ``process_locks`` row kept alive by
heartbeats; see :mod:`yuqing.store.rowlock`, where the lock and its holder ids live since the
fleet's crawls take one per source too, issue 15)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from yuqing.app.errors import SchedulerLocked
from yuqing.store.errors import LockHeld
from yuqing.store.rowlock import (
    BOOT_ID,
    UNKNOWN,
    RowLock,
    boot_id,
    holder_id,
    start_time,
    why_dead,
)
from yuqing.store.session import Database

__all__ = ["BOOT_ID", "UNKNOWN", "DbLock", "boot_id", "holder_id", "start_time", "why_dead"]


class DbLock(RowLock):
    """The scheduler's lock; a live holder is :class:`~yuqing.app.errors.SchedulerLocked`."""

    def __init__(
        self,
        db: Database,
        name: str = "scheduler",
        stale_after: timedelta = timedelta(minutes=2),
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(db, name, stale_after, clock)

    def acquire(self) -> None:
        try:
            super().acquire()
        except LockHeld as exc:
            raise SchedulerLocked(exc.holder, exc.age_seconds) from None
