"""Issue 15: a crawl's source lock lives on the database's clock. The hosts' clocks are skewed
on purpose (every ``utcnow`` of yuqing moved minutes ahead or behind): a live holder's lock is
not taken early by a host running ahead, and a dead holder's is not kept late by one behind."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, update

from tests.conftest import FakeClock
from yuqing.crawler.errors import SourceLocked
from yuqing.crawler.sourcelock import STALE_AFTER, SourceLock, holder_of, lock_name
from yuqing.store import types
from yuqing.store.dbclock import database_clock
from yuqing.store.models import ProcessLock
from yuqing.store.session import Database

SOURCE = "demo-board"
SKEW = timedelta(minutes=10)  # far more than STALE_AFTER


def skew_host_clock(monkeypatch: pytest.MonkeyPatch, by: timedelta) -> Callable[[], datetime]:
    """This process's clock (every yuqing module's ``utcnow``) moved by ``by``."""
    real = types.utcnow

    def skewed() -> datetime:
        return real() + by

    for module in list(sys.modules.values()):
        if (module.__name__ or "").startswith("yuqing") and getattr(module, "utcnow", None) is real:
            monkeypatch.setattr(module, "utcnow", skewed)
    return skewed


def _on(lock: SourceLock, host: str) -> SourceLock:
    """``lock`` as if taken on another host (its process cannot be looked up from here)."""
    lock.lock.holder = f"{host}:{lock.lock.holder.split(':', 1)[1]}"
    return lock


def _beat(db: Database) -> datetime:
    with db.session() as s:
        return s.execute(
            select(ProcessLock.heartbeat_at).where(ProcessLock.name == lock_name(SOURCE))
        ).scalar_one()


@pytest.mark.parametrize("skew", [SKEW, -SKEW], ids=["ahead", "behind"])
def test_a_skewed_host_neither_takes_a_live_lock_nor_keeps_a_dead_one_issue_15(
    sqlite_database: Database, monkeypatch: pytest.MonkeyPatch, skew: timedelta
) -> None:
    db_clock = FakeClock()  # the database's clock; the hosts' run `skew` off it
    skew_host_clock(monkeypatch, skew)
    first = _on(SourceLock(sqlite_database, SOURCE, clock=db_clock), "node-a")
    first.lock.acquire()  # no heartbeat thread: beats are sent by hand
    db_clock.advance(seconds=STALE_AFTER.total_seconds() - 1)
    second = _on(SourceLock(sqlite_database, SOURCE, clock=db_clock), "node-b")
    with pytest.raises(SourceLocked, match=r"^another crawl of 'demo-board' is running \(node-a:"):
        second.acquire()  # not stolen early
    held = holder_of(sqlite_database, SOURCE, clock=db_clock)
    assert held is not None and held[0].startswith("node-a:")
    assert held[1] == STALE_AFTER.total_seconds() - 1
    assert first.lock.heartbeat()
    assert _beat(sqlite_database) == db_clock()  # written on the database's clock
    db_clock.advance(seconds=STALE_AFTER.total_seconds())  # node-a died after that beat
    assert holder_of(sqlite_database, SOURCE, clock=db_clock) is None  # not held late
    second.acquire()
    try:
        assert second.lock.held
        assert not first.lock.heartbeat()  # the dead holder, back, knows it lost the lock
    finally:
        second.release()


def test_the_real_database_clock_ignores_the_hosts_clock_issue_15(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a fake database clock: a lock taken and renewed by a host running ahead holds
    its heartbeat on the database's time, and a host running ahead does not find it stale."""
    now = database_clock(database)
    before = now()
    skewed = skew_host_clock(monkeypatch, SKEW)
    assert skewed() - before >= SKEW - timedelta(minutes=1)  # the skew is in place
    first = _on(SourceLock(database, SOURCE), "node-a")
    first.lock.acquire()
    try:
        assert first.lock.heartbeat()
        beat = _beat(database)
        assert before <= beat <= now()  # the database's time, not the host's
        assert holder_of(database, SOURCE) is not None
        with pytest.raises(SourceLocked):
            _on(SourceLock(database, SOURCE), "node-b").acquire()
        with database.session() as s:  # its last beat: STALE_AFTER ago on the database's clock
            s.execute(
                update(ProcessLock)
                .where(ProcessLock.name == lock_name(SOURCE))
                .values(heartbeat_at=now() - STALE_AFTER - timedelta(seconds=1))
            )
        monkeypatch.undo()
        skew_host_clock(monkeypatch, -SKEW)  # and now a host running behind
        assert holder_of(database, SOURCE) is None
        heir = _on(SourceLock(database, SOURCE), "node-b")
        heir.lock.acquire()
        heir.lock.release()
    finally:
        first.lock.release()
