"""A database-held lock, kept alive by heartbeats: the scheduler's (:mod:`yuqing.app.proclock`)
and each fleet crawl's lock on its source (:mod:`yuqing.crawler.sourcelock`, issue 15).

The lock is a ``process_locks`` row. Taking it is an INSERT (the primary key makes a second
one fail); a holder refreshes ``heartbeat_at``; a lock whose heartbeat is older than
``stale_after`` belonged to a process that died and may be taken over (a conditional UPDATE,
so two contenders cannot both win). Works the same on SQLite and PostgreSQL, and across hosts:
every time written or compared is the database's (:mod:`yuqing.store.dbclock`), so hosts whose
clocks disagree neither take a live lock nor keep a dead one (issue 15).

The holder names its host, process id, boot id and the process's start time
(``host:pid:token:boot:start``). A lock held on this host, in this boot, by a process that no
longer exists (or whose id now belongs to a process started later) is taken over at once
instead of after ``stale_after``: a restart right after a crash (SIGKILL, OOM) is not refused
for minutes (issue 14). A holder from an earlier boot of this host is dead too. Holders on other
hosts, or that cannot be read, wait for their heartbeat to go stale.
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
from pathlib import Path

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from yuqing.store.dbclock import database_clock
from yuqing.store.errors import LockHeld
from yuqing.store.models import ProcessLock
from yuqing.store.session import Database

log = logging.getLogger(__name__)


BOOT_ID = Path("/proc/sys/kernel/random/boot_id")
UNKNOWN = "-"


def boot_id() -> str:
    """This boot of this host (the first 8 hex digits of the kernel's boot id), or ``-``."""
    try:
        return BOOT_ID.read_text(encoding="ascii").strip().replace("-", "")[:8] or UNKNOWN
    except OSError:
        return UNKNOWN


def _stat(pid: int) -> tuple[str, str] | None:
    """(state, start time in clock ticks after boot) of a process, from /proc; None if gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except FileNotFoundError:
        return None
    except OSError:
        return (UNKNOWN, UNKNOWN)
    fields = text.rsplit(")", 1)[-1].split()
    return (fields[0], fields[19]) if len(fields) > 19 else (UNKNOWN, UNKNOWN)


def start_time(pid: int) -> str:
    info = _stat(pid)
    return info[1] if info is not None else UNKNOWN


def holder_id() -> str:
    pid = os.getpid()
    return f"{socket.gethostname()}:{pid}:{uuid.uuid4().hex[:8]}:{boot_id()}:{start_time(pid)}"


def why_dead(holder: str) -> str | None:
    """Why the process named by ``holder`` is known to be dead (None: alive, elsewhere, or
    unknown)."""
    parts = holder.split(":")
    if len(parts) != 5 or parts[0] != socket.gethostname() or not parts[1].isdigit():
        return None
    _host, pid_text, _token, boot, started = parts
    pid, here = int(pid_text), boot_id()
    if UNKNOWN in (boot, here):
        return None
    if boot != here:
        return "it ran before this host rebooted"
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return f"process {pid} is gone"
    except PermissionError:  # exists, another user's
        pass
    info = _stat(pid)
    if info is None:
        return f"process {pid} is gone"
    state, now_started = info
    if state in ("Z", "X"):
        return f"process {pid} has exited"
    if UNKNOWN not in (started, now_started) and started != now_started:
        return f"process {pid} is gone (its id now belongs to another process)"
    return None


class RowLock:
    def __init__(
        self,
        db: Database,
        name: str,
        stale_after: timedelta = timedelta(minutes=2),
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        """``clock``: the database's (the default); tests inject a fake database clock."""
        self.db = db
        self.name = name
        self.stale_after = stale_after
        self.clock = clock or database_clock(db)
        self.holder = holder_id()
        self.held = False

    def acquire(self) -> None:
        """Take the lock, or raise :class:`~yuqing.store.errors.LockHeld` naming the live holder."""
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
            dead = why_dead(holder)
            if now - beat < self.stale_after and dead is None:
                raise LockHeld(self.name, holder, age)
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
                raise LockHeld(self.name, holder, age)
        self.held = True
        log.warning(
            "lock %s: took over from %s (%s)",
            self.name,
            holder,
            dead or f"no heartbeat for {age:.0f}s; it must have died",
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
