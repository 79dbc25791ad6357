"""A standby scheduler: ``yuqing run --standby`` on two hosts against one PostgreSQL; one leads.

Leadership is the scheduler's lease row (``process_locks``, see :mod:`yuqing.app.proclock`),
renewed every quarter of the lease. Why a lease row and not PostgreSQL advisory locks:

* a SIGKILLed leader: an advisory lock goes at once (its connection closes), the lease after
  at most one lease, as it does here; both fine;
* a network partition between the leader and the database: an advisory lock is held until
  the server notices the dead connection (TCP keepalive, hours by default) while the standby
  waits, and the leader cannot tell that its session, and so its lock, is gone; pooled
  connections (PgBouncer) break session locks altogether. A lease expires on the database's
  clock whatever happens to the network, and the leader knows when its own lease runs out.

The rules that keep one leader:

* every lease time is the database's clock (:func:`database_clock`), so the hosts' clocks
  may disagree;
* the standby takes the row over only once its heartbeat is older than the lease (one
  conditional UPDATE: of two standbys, one wins), polling every quarter of the lease: it
  leads within 1.5 × the lease after the leader's last heartbeat;
* the leader fences itself: when it has not renewed for a whole lease (the database is
  unreachable), it stops scheduling (:func:`expired`, used by ``serve``) before a standby
  may take over; a renewal that finds the row taken stops it at once.

What may still run twice is bounded by the database, not by leadership: evaluation runs under
the alert cursor's row lock, and the outbox claims each notification with a lease of its own,
so a send the killed leader had claimed is retried at most once and receivers drop the
repeat by its idempotency key. A killed leader's crawl subprocess dies with it
(:mod:`yuqing.lifeline`).
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from types import FrameType
from typing import Any

from yuqing.app.errors import SchedulerLocked
from yuqing.app.proclock import DbLock
from yuqing.store.dbclock import database_clock
from yuqing.store.session import Database

log = logging.getLogger(__name__)

DEFAULT_LEASE = timedelta(minutes=2)


def lease_lock(db: Database, lease: timedelta = DEFAULT_LEASE) -> DbLock:
    """The scheduler's lock as a lease on the database's clock."""
    return DbLock(db, stale_after=lease, clock=database_clock(db))


def poll_interval(lock: DbLock) -> float:
    """How often a standby tries to take the lead (a quarter of the lease, 0.25 s to 15 s)."""
    return max(0.25, min(15.0, lock.stale_after.total_seconds() / 4))


def wait_for_lead(lock: DbLock, stop: threading.Event, poll: float | None = None) -> bool:
    """Block until ``lock`` is ours (True) or ``stop`` is set (False). Other errors (the
    database unreachable) are logged and retried: a standby outlives outages."""
    every = poll_interval(lock) if poll is None else poll
    waiting_for: str | None = None
    while not stop.is_set():
        try:
            lock.acquire()
            log.info("standby: now leading as %s", lock.holder)
            return True
        except SchedulerLocked as exc:
            if exc.holder != waiting_for:
                waiting_for = exc.holder
                log.info("standby: %s leads; waiting to take over", exc.holder)
        except Exception:
            log.exception("standby: cannot read the lease (database unavailable?)")
        stop.wait(every)
    return False


def standby(lock: DbLock, poll: float | None = None) -> bool:
    """:func:`wait_for_lead` with SIGTERM/SIGINT ending the wait (False)."""
    stop = threading.Event()
    previous: dict[signal.Signals, Any] = {}

    def handler(signum: int, _frame: FrameType | None) -> None:
        log.info("standby: got %s", signal.Signals(signum).name)
        stop.set()

    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            previous[sig] = signal.signal(sig, handler)
    try:
        return wait_for_lead(lock, stop, poll)
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


class Renewals:
    """When the leader last renewed, on its monotonic clock, taken *before* each renewal was
    sent: the lease the database holds never ends before the one the leader counts."""

    def __init__(self, lease: timedelta, clock: Callable[[], float] = time.monotonic) -> None:
        self.lease = lease.total_seconds()
        self.clock = clock
        self.last_ok = clock()

    def renew(self, heartbeat: Callable[[], bool]) -> bool:
        """Run ``heartbeat``; its result (False: the lease is someone else's now). Exceptions
        propagate; :meth:`expired` then tells whether to fence."""
        sent = self.clock()
        ok = heartbeat()
        if ok:
            self.last_ok = sent
        return ok

    def expired(self) -> bool:
        """No renewal for a whole lease: a standby may lead by now, so stop."""
        return self.clock() - self.last_ok >= self.lease


__all__ = [
    "DEFAULT_LEASE",
    "Renewals",
    "database_clock",
    "lease_lock",
    "poll_interval",
    "standby",
    "wait_for_lead",
]
