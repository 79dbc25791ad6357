"""The delivery worker: exactly-once per key, retries with backoff, rate limits, faults."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tests.alerts.delivery_support import (
    add_incident,
    add_notification,
    department,
    statuses,
    with_departments,
)
from yuqing.alerts.outbox import DeliveryPolicy, deliver_due
from yuqing.alerts.outbox_admin import retry_dead, summary
from yuqing.alerts.receivers import WebhookReceiver
from yuqing.config import Config
from yuqing.store.db import upgrade
from yuqing.store.models import DeliveryAttempt, Notification
from yuqing.store.session import Database

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[WebhookReceiver]:
    with WebhookReceiver(tmp_path / "hook.jsonl") as r:
        yield r


def _rows(db: Database, now: Any, dept: str, channel: str, n: int, start: int = 0) -> list[str]:
    inc = add_incident(db, now, fingerprint=f"fp-{dept}-{channel}-{start}")
    return [
        add_notification(db, now, incident_id=inc, department=dept, channel=channel, sequence=i + 1)
        for i in range(start, start + n)
    ]


def _attempts(db: Database) -> list[DeliveryAttempt]:
    with db.session() as s:
        return list(s.scalars(select(DeliveryAttempt).order_by(DeliveryAttempt.id)))


def test_each_key_is_sent_once_and_never_again(
    config: Config, sqlite_database: Database, receiver: WebhookReceiver, clock: Any
) -> None:
    cfg = with_departments(config, department("lsq", [{"type": "webhook", "url": receiver.url}]))
    keys = _rows(sqlite_database, clock(), "lsq", "webhook#0", 3)
    assert deliver_due(cfg, sqlite_database, clock()).sent == 3
    for _ in range(3):
        assert deliver_due(cfg, sqlite_database, clock.advance(hours=2)).attempted == 0
    assert sorted(receiver.keys()) == sorted(keys)
    assert [a.ok for a in _attempts(sqlite_database)] == [True] * 3
    assert summary(sqlite_database) == {"lsq": {"sent": 3}}


def test_rows_not_yet_due_wait(
    config: Config, sqlite_database: Database, receiver: WebhookReceiver, clock: Any
) -> None:
    """Guards active hours: alerts-core may set next_attempt_at in the future."""
    cfg = with_departments(config, department("lsq", [{"type": "webhook", "url": receiver.url}]))
    [key] = _rows(sqlite_database, clock(), "lsq", "webhook#0", 1)
    with sqlite_database.session() as s:
        s.query(Notification).update({"next_attempt_at": clock() + timedelta(hours=8)})
    assert deliver_due(cfg, sqlite_database, clock()).attempted == 0
    assert deliver_due(cfg, sqlite_database, clock.advance(hours=8)).sent == 1
    assert receiver.keys() == [key]


def test_receiver_down_then_back_gets_everything_once(
    config: Config, sqlite_database: Database, receiver: WebhookReceiver, clock: Any
) -> None:
    cfg = with_departments(config, department("lsq", [{"type": "webhook", "url": receiver.url}]))
    keys = _rows(sqlite_database, clock(), "lsq", "webhook#0", 10)
    receiver.fail_next(10_000)
    runs_while_down = 4
    for _ in range(runs_while_down):
        result = deliver_due(cfg, sqlite_database, clock.advance(minutes=30))
        assert result.sent == 0
    # While down, each run probed the receiver once and held the other rows back.
    assert receiver.requests == runs_while_down
    receiver.fail_next(0)
    for _ in range(5):
        deliver_due(cfg, sqlite_database, clock.advance(hours=1))
    assert Counter(receiver.keys()) == Counter(keys)  # each exactly once
    assert set(statuses(sqlite_database).values()) == {"sent"}
    failures = [a for a in _attempts(sqlite_database) if not a.ok]
    assert len(failures) == runs_while_down
    assert all("HTTP 500" in (a.error or "") and a.status_code == 500 for a in failures)


def test_backoff_doubles_with_jitter_then_dead(
    config: Config, sqlite_database: Database, receiver: WebhookReceiver, clock: Any
) -> None:
    cfg = with_departments(
        config, department("lsq", [{"type": "webhook", "url": receiver.url, "max_attempts": 6}])
    )
    [key] = _rows(sqlite_database, clock(), "lsq", "webhook#0", 1)
    receiver.fail_next(100)
    policy = DeliveryPolicy(backoff_base=timedelta(seconds=30), backoff_cap=timedelta(minutes=10))
    rng = random.Random(7)
    delays = []
    for attempt in range(1, 6):
        deliver_due(cfg, sqlite_database, clock(), policy=policy, rng=rng)
        with sqlite_database.session() as s:
            row = s.scalars(select(Notification)).one()
        assert (row.status, row.attempts) == ("pending", attempt)
        assert row.next_attempt_at is not None
        delay = row.next_attempt_at - clock()
        full = min(timedelta(seconds=30 * 2 ** (attempt - 1)), timedelta(minutes=10))
        assert full / 2 <= delay <= full
        delays.append(delay)
        # Not due a moment before its time; due at it.
        assert (
            deliver_due(
                cfg, sqlite_database, row.next_attempt_at - timedelta(seconds=1), policy=policy
            ).attempted
            == 0
        )
        clock.current = row.next_attempt_at
    assert len(set(delays)) == 5
    result = deliver_due(cfg, sqlite_database, clock(), policy=policy, rng=rng)
    assert result.dead == 1 and "6 attempts" in result.errors[0]
    assert statuses(sqlite_database) == {key: "dead"}
    assert len(_attempts(sqlite_database)) == 6
    assert retry_dead(sqlite_database, clock()) == 1
    receiver.fail_next(0)
    assert deliver_due(cfg, sqlite_database, clock()).sent == 1


def test_dingtalk_robot_gets_at_most_20_a_minute(
    config: Config, sqlite_database: Database, receiver: WebhookReceiver, clock: Any
) -> None:
    cfg = with_departments(
        config,
        department("lsq", [{"type": "dingtalk", "url": receiver.url}]),
        department("xfj", [{"type": "webhook", "url": receiver.url, "rate_limit_per_minute": 3}]),
    )
    ding = _rows(sqlite_database, clock(), "lsq", "dingtalk#0", 25)
    hook = _rows(sqlite_database, clock(), "xfj", "webhook#0", 5)
    first = deliver_due(cfg, sqlite_database, clock())
    assert first.sent == 20 + 3
    assert first.deferred == 5 + 2
    assert deliver_due(cfg, sqlite_database, clock.advance(seconds=30)).sent == 0
    second = deliver_due(cfg, sqlite_database, clock.advance(seconds=31))
    assert second.sent == 5 + 2
    assert Counter(receiver.keys()) == Counter(ding + hook)


def test_rate_limit_holds_across_runs_from_the_attempts_table(
    config: Config, sqlite_database: Database, receiver: WebhookReceiver, clock: Any
) -> None:
    """Guards restarts: the window is counted from delivery_attempts, not process memory."""
    cfg = with_departments(config, department("lsq", [{"type": "dingtalk", "url": receiver.url}]))
    _rows(sqlite_database, clock(), "lsq", "dingtalk#0", 15)
    assert deliver_due(cfg, sqlite_database, clock()).sent == 15
    _rows(sqlite_database, clock(), "lsq", "dingtalk#0", 10, start=15)
    assert deliver_due(cfg, sqlite_database, clock.advance(seconds=10)).sent == 5


def test_a_broken_receiver_never_blocks_other_channels(
    config: Config, sqlite_database: Database, receiver: WebhookReceiver, clock: Any
) -> None:
    cfg = with_departments(
        config,
        department(
            "down", [{"type": "webhook", "url": "http://127.0.0.1:9/", "timeout_seconds": 2}]
        ),
        department("up", [{"type": "webhook", "url": receiver.url}]),
        department("gone", [{"type": "webhook", "url": receiver.url}]),
    )
    down = _rows(sqlite_database, clock(), "down", "webhook#0", 5)
    up = _rows(sqlite_database, clock(), "up", "webhook#0", 5)
    bad_ref = _rows(sqlite_database, clock(), "gone", "webhook#3", 1)
    unknown = _rows(sqlite_database, clock(), "nosuch", "webhook#0", 1)
    result = deliver_due(cfg, sqlite_database, clock())
    assert result.sent == 5 and result.retried == 1 and result.dead == 2
    assert result.deferred == 4
    st = statuses(sqlite_database)
    assert all(st[k] == "sent" for k in up)
    assert all(st[k] == "pending" for k in down)
    assert st[bad_ref[0]] == st[unknown[0]] == "dead"
    errors = "\n".join(result.errors)
    assert "department gone, channel webhook#3: no such channel" in errors
    assert "department nosuch, channel webhook#0: department is not in departments.yaml" in errors


def test_two_workers_never_claim_the_same_row(
    config: Config, database: Database, receiver: WebhookReceiver, clock: Any
) -> None:
    cfg = with_departments(config, department("lsq", [{"type": "webhook", "url": receiver.url}]))
    keys = _rows(database, clock(), "lsq", "webhook#0", 40)
    receiver.delay_seconds = 0.005
    barrier = threading.Barrier(3)
    results = []

    def worker() -> None:
        barrier.wait()
        results.append(deliver_due(cfg, database, clock()))

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sum(r.sent for r in results) == 40
    assert Counter(receiver.keys()) == Counter(keys)
    assert len(_attempts(database)) == 40


def test_an_expired_lease_is_reclaimed_and_a_live_one_is_left_alone(
    config: Config, sqlite_database: Database, receiver: WebhookReceiver, clock: Any
) -> None:
    cfg = with_departments(config, department("lsq", [{"type": "webhook", "url": receiver.url}]))
    crashed, busy = _rows(sqlite_database, clock(), "lsq", "webhook#0", 2)
    with sqlite_database.session() as s:
        for n in s.scalars(select(Notification)):
            n.status, n.attempts = "sending", 1
            n.lease_until = clock() + (
                timedelta(seconds=-1) if n.idempotency_key == crashed else timedelta(minutes=1)
            )
    result = deliver_due(cfg, sqlite_database, clock())
    assert (result.sent, result.reclaimed) == (1, 1)
    assert receiver.keys() == [crashed]
    assert statuses(sqlite_database) == {crashed: "sent", busy: "sending"}
    assert "outcome unknown" in (_attempts(sqlite_database)[0].error or "")


def test_should_stop_is_checked_between_sends(
    config: Config, sqlite_database: Database, receiver: WebhookReceiver, clock: Any
) -> None:
    cfg = with_departments(config, department("lsq", [{"type": "webhook", "url": receiver.url}]))
    _rows(sqlite_database, clock(), "lsq", "webhook#0", 5)
    result = deliver_due(
        cfg, sqlite_database, clock(), should_stop=lambda: len(receiver.keys()) >= 2
    )
    assert result.sent == 2
    assert set(statuses(sqlite_database).values()) == {"sent", "pending"}  # none stuck sending
    assert deliver_due(cfg, sqlite_database, clock(), limit=2).sent == 2


# -- a real crash --------------------------------------------------------------------------


def _user_config(tmp_path: Path, url: str) -> Path:
    cfg_dir = tmp_path / "cfg"
    cfg_dir.mkdir()
    (cfg_dir / "departments.yaml").write_text(
        "departments:\n"
        "  - code: tst\n"
        "    name: 测试单位\n"
        "    kind: office\n"
        "    channels:\n"
        f"      - type: webhook\n        url: {url}\n",
        encoding="utf-8",
    )
    return cfg_dir


def test_sigkill_mid_delivery_then_restart_loses_nothing(
    tmp_path: Path, receiver: WebhookReceiver, clock: Any
) -> None:
    """A worker killed while a request is in flight: after restart every key arrives, and
    only the in-flight one arrives twice."""
    data_dir = tmp_path / "var"
    db = Database(f"sqlite:///{data_dir / 'yuqing.db'}")
    upgrade(db.engine)
    from yuqing.store.types import utcnow

    keys = _rows(db, utcnow(), "tst", "webhook#0", 5)
    cmd = [
        sys.executable,
        "-m",
        "yuqing",
        "--config",
        str(_user_config(tmp_path, receiver.url)),
        "--data-dir",
        str(data_dir),
        "deliver",
        "--lease",
        "1s",
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith("YUQING_")}
    receiver.delay_seconds = 60  # the first request hangs: the worker is mid-send
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 60
        while not receiver.keys():
            assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
            assert time.monotonic() < deadline, "the worker never sent anything"
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert statuses(db)[keys[0]] == "sending"  # received, never recorded
    receiver.delay_seconds = 0
    with db.session() as s:
        lease = s.scalars(
            select(Notification.lease_until).where(Notification.idempotency_key == keys[0])
        ).one()
    assert lease is not None
    while utcnow() <= lease:
        time.sleep(0.1)
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "reclaimed 1" in done.stdout
    counts = Counter(receiver.keys())
    assert set(counts) == set(keys)  # nothing lost
    assert counts[keys[0]] == 2 and all(counts[k] == 1 for k in keys[1:])  # one duplicate
    assert [r["duplicate"] for r in receiver.records()].count(True) == 1
    assert set(statuses(db).values()) == {"sent"}
    db.dispose()
