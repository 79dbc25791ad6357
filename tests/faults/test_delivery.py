"""Issue 14 (held; kept as a regression test): SIGKILL `yuqing run` mid-delivery while the
receiver is slow, then failing (HTTP 500), then absent: after the receiver is back nothing is
lost and nothing is delivered twice except under the same idempotency key (the send that was
in flight when the scheduler died)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import update

from tests.alerts.delivery_support import add_incident, add_notification, statuses
from yuqing.alerts.receivers import WebhookReceiver
from yuqing.store.models import Notification
from yuqing.store.types import utcnow

from .support import Home, sigkill, stop, wait_for

N = 6


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[WebhookReceiver]:
    with WebhookReceiver(tmp_path / "hook.jsonl") as r:
        yield r


def _due_now(home: Home) -> None:
    """Time passes: every unsent row is due and every lease has run out."""
    with home.db.session() as s:
        s.execute(
            update(Notification)
            .where(Notification.status.in_(("pending", "sending")))
            .values(next_attempt_at=None, lease_until=utcnow())
        )


def test_sigkills_with_a_slow_failing_and_absent_receiver_lose_and_repeat_nothing(
    tmp_path: Path, receiver: WebhookReceiver
) -> None:
    home = Home.make(
        tmp_path,
        departments=(
            "departments:\n  - code: tst\n    name: 测试单位\n    kind: office\n    channels:\n"
            f"      - type: webhook\n        url: {receiver.url}\n        max_attempts: 20\n"
        ),
    )
    inc = add_incident(home.db, utcnow())
    keys = [
        add_notification(
            home.db, utcnow(), incident_id=inc, department="tst", channel="webhook#0", sequence=i
        )
        for i in range(1, N + 1)
    ]
    kills = 0
    # 1. slow: killed while a send is in flight (the receiver has logged it, not yet answered)
    receiver.delay_seconds = 5.0
    proc = home.start("run", "--lease", "1s")
    try:
        wait_for(lambda: receiver.keys(), "a send in flight", proc, log=home.log)
        sigkill(proc)
        kills += 1
        # 2. failing: restarted at once; killed after it got a 500
        receiver.delay_seconds = 0
        receiver.fail_for(3600)
        _due_now(home)
        before = home.attempts()
        proc = home.start("run", "--lease", "1s")
        wait_for(lambda: home.attempts() > before, "an attempt answered 500", proc, log=home.log)
        sigkill(proc)
        kills += 1
        # 3. absent: restarted at once; killed after a refused connection
        receiver.stop()
        _due_now(home)
        before = home.attempts()
        proc = home.start("run", "--lease", "1s")
        wait_for(lambda: home.attempts() > before, "a refused attempt", proc, log=home.log)
        sigkill(proc)
        kills += 1
    finally:
        stop(proc)
    # 4. the receiver is back and healthy; the restarted scheduler delivers the rest
    receiver.fail_for(0)
    receiver.start()
    _due_now(home)
    done = home.run("run", "--once")
    assert done.returncode == 0, done.stderr
    assert set(statuses(home.db).values()) == {"sent"}  # nothing lost, nothing dead
    received = Counter(receiver.keys())
    assert set(received) == set(keys)
    repeats = {k: n for k, n in received.items() if n > 1}
    assert sum(n - 1 for n in repeats.values()) <= kills  # only sends cut off by a kill
    for key, n in repeats.items():  # the receiver can tell a repeat by its key
        flags = [r["duplicate"] for r in receiver.records() if r["idempotency_key"] == key]
        assert flags == [False] + [True] * (n - 1)
