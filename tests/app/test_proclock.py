"""Issue 14: a scheduler lock whose holder died on this host is taken over at once, not after
its heartbeat goes stale; holders elsewhere, or alive, still keep it."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
from typing import Any

import pytest
from sqlalchemy import select

from yuqing.app import proclock
from yuqing.app.errors import SchedulerLocked
from yuqing.app.proclock import DbLock, boot_id, why_dead
from yuqing.store.models import ProcessLock
from yuqing.store.session import Database

pytestmark = pytest.mark.skipif(boot_id() == proclock.UNKNOWN, reason="needs a Linux boot id")


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()  # reaped: the id is free
    return proc.pid


def holder(pid: int, host: str | None = None, boot: str | None = None, start: str = "1") -> str:
    return f"{host or socket.gethostname()}:{pid}:cafe0000:{boot or boot_id()}:{start}"


def hold(db: Database, name: str, who: str, clock: Any) -> None:
    with db.session() as s:
        s.add(ProcessLock(name=name, holder=who, acquired_at=clock(), heartbeat_at=clock()))


def test_the_holder_names_host_pid_boot_and_start_time() -> None:
    host, pid, token, boot, start = proclock.holder_id().split(":")
    assert (host, int(pid), boot) == (socket.gethostname(), os.getpid(), boot_id())
    assert len(token) == 8 and start == proclock.start_time(os.getpid()) and start.isdigit()


def test_reasons_a_holder_is_dead() -> None:
    pid = dead_pid()
    assert why_dead(holder(pid)) == f"process {pid} is gone"
    assert why_dead(holder(os.getpid(), start="1")) == (
        f"process {os.getpid()} is gone (its id now belongs to another process)"
    )
    assert why_dead(holder(pid, boot="00000000")) == "it ran before this host rebooted"
    alive = holder(os.getpid(), start=proclock.start_time(os.getpid()))
    assert why_dead(alive) is None
    assert why_dead(holder(pid, host="another-host")) is None  # cannot tell: wait for staleness
    assert why_dead("old-style:123:abcd") is None


def test_a_fresh_lock_of_a_dead_process_is_taken_over_at_once(
    sqlite_database: Database, clock: Any, caplog: pytest.LogCaptureFixture
) -> None:
    pid = dead_pid()
    hold(sqlite_database, "scheduler", holder(pid), clock)
    heir = DbLock(sqlite_database, clock=clock)
    with caplog.at_level(logging.WARNING, logger="yuqing.app.proclock"):
        heir.acquire()  # the heartbeat is fresh: only the dead pid lets it in
    assert f"took over from {holder(pid)} (process {pid} is gone)" in caplog.text
    with sqlite_database.session() as s:
        assert s.scalars(select(ProcessLock.holder)).one() == heir.holder


def test_a_fresh_lock_of_a_live_or_remote_process_is_refused(
    sqlite_database: Database, clock: Any
) -> None:
    first = DbLock(sqlite_database, clock=clock)
    first.acquire()  # this very process: alive
    with pytest.raises(SchedulerLocked):
        DbLock(sqlite_database, clock=clock).acquire()
    hold(sqlite_database, "other", holder(dead_pid(), host="another-host"), clock)
    with pytest.raises(SchedulerLocked):
        DbLock(sqlite_database, name="other", clock=clock).acquire()
