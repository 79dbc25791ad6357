"""A standby scheduler (issue 15): the lease, its takeover and fencing; two real processes on
PostgreSQL, the leader SIGKILLed, the standby leading after it, nothing sent twice."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from tests.alerts.delivery_support import add_incident, add_notification, statuses
from yuqing.alerts.receivers import WebhookReceiver
from yuqing.app import leader
from yuqing.app.errors import SchedulerLocked
from yuqing.app.proclock import DbLock
from yuqing.store.db import normalize_url, upgrade
from yuqing.store.models import ProcessLock
from yuqing.store.session import Database
from yuqing.store.types import utcnow

ROOT = Path(__file__).resolve().parents[2]
LEASE = timedelta(minutes=2)


def _remote(lock: DbLock, host: str) -> DbLock:
    """``lock`` as if held on another host (its process cannot be looked up here)."""
    lock.holder = f"{host}:{lock.holder.split(':', 1)[1]}"
    return lock


# -- the lease, on a fake clock (every backend) ---------------------------------------------


def test_issue_15_standby_takes_over_only_after_a_whole_lease(
    database: Database, clock: Any
) -> None:
    first = _remote(DbLock(database, stale_after=LEASE, clock=clock), "host-a")
    first.acquire()
    standby = _remote(DbLock(database, stale_after=LEASE, clock=clock), "host-b")
    clock.advance(seconds=LEASE.total_seconds() - 1)
    with pytest.raises(SchedulerLocked):  # not yet: the leader may only be slow
        standby.acquire()
    assert first.heartbeat()  # renewed: the standby waits a whole lease again
    clock.advance(seconds=LEASE.total_seconds() - 1)
    with pytest.raises(SchedulerLocked):
        standby.acquire()
    clock.advance(seconds=1)  # the leader died right after its renewal: now it is stale
    standby.acquire()
    assert standby.held
    assert first.heartbeat() is False  # a leader that comes back learns it lost the lead
    with database.session() as s:
        assert s.scalars(select(ProcessLock.holder)).one() == standby.holder


def test_issue_15_two_standbys_one_leads(database: Database, clock: Any) -> None:
    dead = _remote(DbLock(database, stale_after=LEASE, clock=clock), "host-a")
    dead.acquire()
    clock.advance(minutes=3)
    b = _remote(DbLock(database, stale_after=LEASE, clock=clock), "host-b")
    c = _remote(DbLock(database, stale_after=LEASE, clock=clock), "host-c")
    b.acquire()
    with pytest.raises(SchedulerLocked) as err:
        c.acquire()
    assert err.value.holder == b.holder


def test_issue_15_wait_for_lead_polls_until_the_lease_is_free_and_stops_on_request(
    sqlite_database: Database, clock: Any, caplog: pytest.LogCaptureFixture
) -> None:
    holder = _remote(DbLock(sqlite_database, stale_after=LEASE, clock=clock), "host-a")
    holder.acquire()
    waiting = _remote(DbLock(sqlite_database, stale_after=LEASE, clock=clock), "host-b")
    stop = threading.Event()
    polls: list[int] = []

    class Stop(threading.Event):
        def is_set(self) -> bool:
            return stop.is_set()

        def wait(self, timeout: float | None = None) -> bool:  # one poll = a quarter lease
            polls.append(timeout or 0)
            clock.advance(seconds=LEASE.total_seconds() / 4)
            return stop.is_set()

    with caplog.at_level(logging.INFO, logger="yuqing.app.leader"):
        assert leader.wait_for_lead(waiting, Stop()) is True
    assert waiting.held
    assert len(polls) == 4  # a quarter lease per poll: it led once the lease had passed
    assert caplog.text.count("leads; waiting to take over") == 1  # said once, not per poll
    assert "standby: now leading as " + waiting.holder in caplog.text
    stop.set()
    other = _remote(DbLock(sqlite_database, stale_after=LEASE, clock=clock), "host-c")
    assert leader.wait_for_lead(other, Stop()) is False  # SIGTERM while waiting: no lead
    assert not other.held


def test_issue_15_a_leader_that_cannot_renew_fences_itself_within_its_lease() -> None:
    now = [0.0]
    renewals = leader.Renewals(LEASE, clock=lambda: now[0])

    def unreachable() -> bool:
        now[0] += 5  # the failing round trip takes time too
        raise ConnectionError("database unreachable")

    assert renewals.renew(lambda: True)
    for _ in range(3):
        now[0] += 30
        with pytest.raises(ConnectionError):
            renewals.renew(unreachable)
        assert not renewals.expired()
    now[0] += LEASE.total_seconds()
    assert renewals.expired()  # stop: a standby may lead from now on
    assert renewals.renew(lambda: True) and not renewals.expired()


def test_issue_15_lease_times_are_the_databases_clock(database: Database) -> None:
    now = leader.database_clock(database)()
    assert now.tzinfo is not None
    assert abs((now - utcnow()).total_seconds()) < 3600  # the server's, in UTC terms
    lock = leader.lease_lock(database, timedelta(seconds=8))
    assert lock.stale_after == timedelta(seconds=8)
    assert leader.poll_interval(lock) == 2.0


# -- two real processes on PostgreSQL ---------------------------------------------------------


@pytest.fixture
def pg_url() -> Iterator[str]:
    base = os.environ.get("YUQING_TEST_POSTGRES_URL")
    if not base:
        pytest.skip("needs PostgreSQL (YUQING_TEST_POSTGRES_URL; bash .ci/with-postgres)")
    url = make_url(normalize_url(base))
    name = f"yuqing_standby_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# `yuqing` as if on its own host: the standby cannot see the leader's process, as on two
# machines, and must wait for the lease to run out.
ON_HOST = (
    "import runpy, socket, sys; host = sys.argv.pop(1); socket.gethostname = lambda: host; "
    "runpy.run_module('yuqing', run_name='__main__', alter_sys=True)"
)


def _holder(db: Database) -> str | None:
    with db.session() as s:
        return s.scalars(select(ProcessLock.holder)).first()


def _wait_for(predicate: Any, what: str, *procs: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 120  # a bound against hanging, not a measured figure
    while not predicate():
        for proc in procs:
            if proc.poll() is not None:
                raise AssertionError(f"process exited ({proc.returncode}) before {what}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_issue_15_standby_leads_after_the_leader_is_killed_and_sends_nothing_twice(
    pg_url: str, tmp_path: Path
) -> None:
    db = Database(pg_url)
    upgrade(db.engine)
    cfg_dir = tmp_path / "cfg"
    cfg_dir.mkdir()
    (cfg_dir / "sources.yaml").write_text("sources: []\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("YUQING_")}
    env["YUQING_DATABASE_URL"] = pg_url
    with WebhookReceiver(tmp_path / "hook.jsonl") as receiver:
        (cfg_dir / "departments.yaml").write_text(
            "departments:\n  - code: tst\n    name: 测试单位\n    kind: office\n    channels:\n"
            f"      - type: webhook\n        url: {receiver.url}\n",
            encoding="utf-8",
        )
        inc = add_incident(db, utcnow())
        keys = [
            add_notification(
                db, utcnow(), incident_id=inc, department="tst", channel="webhook#0", sequence=i
            )
            for i in range(1, 9)
        ]
        # the leader's first send reaches the receiver, which holds the answer back: the
        # leader is killed with that send in flight and the seven others to do
        receiver.delay_seconds = 10

        def start(host: str) -> subprocess.Popen[str]:
            log = (tmp_path / f"{host}.log").open("w")
            return subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    ON_HOST,
                    host,
                    "--config",
                    str(cfg_dir),
                    "--data-dir",
                    str(tmp_path / host),
                    "run",
                    "--standby",
                    "--leader-lease",
                    "2s",
                    "--lease",
                    "2s",
                ],
                cwd=ROOT,
                env=env,
                stderr=log,
                stdout=log,
                text=True,
            )

        first = start("host-a")
        second: subprocess.Popen[str] | None = None
        try:
            _wait_for(lambda: (_holder(db) or "").startswith("host-a:"), "host-a leads", first)
            second = start("host-b")
            _wait_for(
                lambda: "waiting to take over" in (tmp_path / "host-b.log").read_text(),
                "host-b to stand by",
                second,
            )
            _wait_for(lambda: bool(receiver.keys()), "the leader's first send", first)
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=30)
            receiver.delay_seconds = 0
            in_flight = receiver.keys()
            _wait_for(lambda: (_holder(db) or "").startswith("host-b:"), "host-b leads", second)
            _wait_for(lambda: set(receiver.keys()) == set(keys), "every send", second)
            _wait_for(lambda: set(statuses(db).values()) == {"sent"}, "every row recorded", second)
            second.send_signal(signal.SIGTERM)
            assert second.wait(timeout=60) == 0
        finally:
            for proc in (first, second):
                if proc is not None and proc.poll() is None:
                    proc.kill()
        log_b = (tmp_path / "host-b.log").read_text()
        assert "took over from host-a:" in log_b  # the lease ran out: no /proc shortcut
        assert "no heartbeat for" in log_b
        assert len(in_flight) == 1
        received = Counter(receiver.keys())
        # every notification arrived; only the one in flight at the kill twice (its claim
        # lease ran out unrecorded, the outbox's at-most-one-repeat-per-crash, which receivers
        # drop by its idempotency key); the standby sent the seven others once each
        assert received == Counter(keys) + Counter(in_flight)
        assert _holder(db) is None  # the standby released the lead on SIGTERM
    db.dispose()
