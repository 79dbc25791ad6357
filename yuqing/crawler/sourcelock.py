"""One crawl of a source at a time across the fleet (issue 15): a fleet crawl (``YUQING_JOB_GUARD``,
see :mod:`yuqing.crawler.jobguard`) takes the ``process_locks`` row ``crawl:<source>`` before it
touches its JOBDIR, keeps it alive by heartbeats and releases it when the spider closes.

A node whose Scrapyd process died may leave its crawl running; the scheduler dispatches the
crawl again elsewhere. The dispatcher waits while the lock is held (:func:`holder_of`), and a
crawl that starts anyway (a race) is refused: its run is closed ``failed`` with the holder named
and the process exits (:class:`~yuqing.crawler.errors.SourceLocked`). A holder killed with its
node stops beating: its lock goes stale after :data:`STALE_AFTER` and is taken over.

Heartbeats, staleness and take-overs are all on the database's clock
(:mod:`yuqing.store.dbclock`): the nodes' and the scheduler's clocks may disagree by minutes
without a live crawl's lock being taken early or a dead one's being kept late.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select

from yuqing.crawler.errors import SourceLocked
from yuqing.store.dbclock import database_clock
from yuqing.store.errors import LockHeld
from yuqing.store.models import ProcessLock
from yuqing.store.rowlock import RowLock, why_dead
from yuqing.store.session import Database

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 10.0
STALE_AFTER = timedelta(seconds=60)


def lock_name(source: str) -> str:
    return f"crawl:{source}"


class SourceLock:
    """The lock of one crawl process on its source, with its heartbeat thread."""

    def __init__(
        self,
        db: Database,
        source: str,
        every: float = HEARTBEAT_SECONDS,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        """``clock``: the database's (the default); tests inject a fake database clock."""
        self.source = source
        self.every = every
        self.lock = RowLock(db, lock_name(source), stale_after=STALE_AFTER, clock=clock)
        self._done = threading.Event()
        self._thread: threading.Thread | None = None

    def acquire(self) -> None:
        """Take the lock or raise :class:`SourceLocked`; heartbeats start."""
        try:
            self.lock.acquire()
        except LockHeld as exc:
            raise SourceLocked(self.source, exc.holder, exc.age_seconds) from None
        self._thread = threading.Thread(
            target=self._beat, name=f"{self.lock.name}-heartbeat", daemon=True
        )
        self._thread.start()

    def _beat(self) -> None:
        while not self._done.wait(self.every):
            try:
                if not self.lock.heartbeat():
                    return
            except Exception:
                log.exception("lock %s: heartbeat failed", self.lock.name)

    def release(self) -> None:
        self._done.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        try:
            self.lock.release()
        except Exception:  # the row goes stale by itself
            log.exception("lock %s: release failed", self.lock.name)


def holder_of(
    db: Database, source: str, clock: Callable[[], datetime] | None = None
) -> tuple[str, float] | None:
    """(holder, seconds since its heartbeat) of the live lock on ``source``, or None when it is
    free or stale (the dispatcher's check before sending a crawl of ``source``). The age is on
    the database's clock (``clock``: a fake one in tests)."""
    now = (clock or database_clock(db))()
    with db.session() as s:
        row = s.execute(
            select(ProcessLock.holder, ProcessLock.heartbeat_at).where(
                ProcessLock.name == lock_name(source)
            )
        ).one_or_none()
    if row is None:
        return None
    age = (now - row.heartbeat_at).total_seconds()
    if age >= STALE_AFTER.total_seconds() or why_dead(row.holder) is not None:
        return None  # stale, or its process is known dead (on this host): taken over at once
    return row.holder, age
