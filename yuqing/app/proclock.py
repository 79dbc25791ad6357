"""A database-held lock for singleton processes (the scheduler), kept alive by heartbeats.

The lock is a ``process_locks`` row. Taking it is an INSERT (the primary key makes a second
one fail); a holder refreshes ``heartbeat_at``; a lock whose heartbeat is older than
``stale_after`` belonged to a process that died and may be taken over (a conditional UPDATE,
so two contenders cannot both win). Works the same on SQLite and PostgreSQL, and across hosts.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from yuqing.app.errors import SchedulerLocked
from yuqing.store.models import ProcessLock
from yuqing.store.session import Database
from yuqing.store.types import utcnow

log = logging.getLogger(__name__)


class DbLock:
    def __init__(
        self,
        db: Database,
        name: str = "scheduler",
        stale_after: timedelta = timedelta(minutes=2),
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.db = db
        self.name = name
        self.stale_after = stale_after
        self.clock = clock
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.held = False

    def acquire(self) -> None:
        """Take the lock, or raise :class:`SchedulerLocked` naming the live holder."""
        now = self.clock()
        try:
            with self.db.session() as s:
                s.add(
                    ProcessLock(
                        name=self.name, holder=self.holder, acquired_at=now, heartbeat_at=now
                    )
                )
            self.held = True
            log.info("lock %s taken by %s", self.name, self.holder)
            return
        except IntegrityError:
            pass
        with self.db.session() as s:
            row = s.execute(
                select(ProcessLock.holder, ProcessLock.heartbeat_at).where(
                    ProcessLock.name == self.name
                )
            ).one_or_none()
            if row is None:  # released in between: try once more
                return self.acquire()
            holder, beat = row
            age = (now - beat).total_seconds()
            if now - beat < self.stale_after:
                raise SchedulerLocked(holder, age)
            res = s.execute(
                update(ProcessLock)
                .where(
                    ProcessLock.name == self.name,
                    ProcessLock.holder == holder,
                    ProcessLock.heartbeat_at == beat,
                )
                .values(holder=self.holder, acquired_at=now, heartbeat_at=now)
                .execution_options(synchronize_session=False)
            )
            if getattr(res, "rowcount", 0) != 1:
                raise SchedulerLocked(holder, age)
        self.held = True
        log.warning(
            "lock %s: took over from %s (no heartbeat for %.0fs; it must have died)",
            self.name,
            holder,
            age,
        )

    def heartbeat(self) -> bool:
        """Refresh the lock; False if it is no longer ours (taken over after a long stall)."""
        with self.db.session() as s:
            res = s.execute(
                update(ProcessLock)
                .where(ProcessLock.name == self.name, ProcessLock.holder == self.holder)
                .values(heartbeat_at=self.clock())
                .execution_options(synchronize_session=False)
            )
            ok = getattr(res, "rowcount", 0) == 1
        if not ok:
            self.held = False
            log.error("lock %s: lost (another process took it over)", self.name)
        return ok

    def release(self) -> None:
        if not self.held:
            return
        with self.db.session() as s:
            s.execute(
                delete(ProcessLock)
                .where(ProcessLock.name == self.name, ProcessLock.holder == self.holder)
                .execution_options(synchronize_session=False)
            )
        self.held = False
        log.info("lock %s released", self.name)

    @contextmanager
    def kept_alive(self, every: float) -> Iterator[None]:
        """Heartbeat from a background thread while the block runs (for finite jobs)."""
        done = threading.Event()

        def beat() -> None:
            while not done.wait(every):
                try:
                    self.heartbeat()
                except Exception:
                    log.exception("lock %s: heartbeat failed", self.name)

        thread = threading.Thread(target=beat, name=f"{self.name}-heartbeat", daemon=True)
        thread.start()
        try:
            yield
        finally:
            done.set()
            thread.join(timeout=5)
