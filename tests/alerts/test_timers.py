"""Notification timers with the fake clock: group_wait, group_interval, repeat_interval, the
resolved notification, active hours — and the outbox rows they write."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.alerts.factories import add_posts, blanket, load_config, tags
from tests.conftest import FakeClock
from yuqing.alerts import incidents as actions
from yuqing.alerts.evaluate import evaluate
from yuqing.config import Config
from yuqing.store.models import Incident, Notification
from yuqing.store.posts import TagRecord
from yuqing.store.session import Database

TIMERS = """
group_wait: 30s
group_interval: 5m
repeat_interval: 1h
"""


@pytest.fixture
def timed(tmp_path: Path) -> Config:
    return load_config(tmp_path, routing=TIMERS)


def sent(db: Database, department: str = "zjj") -> list[tuple[str, int, int]]:
    """(kind, sequence, post_count) of the department's outbox rows, in order."""
    with db.session() as s:
        rows = s.execute(
            select(Notification.payload)
            .where(Notification.department_code == department)
            .order_by(Notification.id)
        ).scalars()
        return [(p["kind"], p["sequence"], p["incident"]["post_count"]) for p in rows]


def complaint() -> list[TagRecord]:
    return [tags(complaint=True, sector="construction")]


def test_group_wait_delays_the_first_notification(
    sqlite_database: Database, timed: Config, clock: FakeClock
) -> None:
    db = sqlite_database
    add_posts(db, complaint(), published=clock())
    evaluate(timed, db, clock())
    assert sent(db) == []
    clock.advance(seconds=20)
    add_posts(db, complaint(), published=clock())
    evaluate(timed, db, clock())
    assert sent(db) == []  # still within group_wait; the second post joins the wait
    clock.advance(seconds=10)
    evaluate(timed, db, clock())
    assert sent(db) == [("firing", 1, 2)]


def test_group_interval_limits_updates_and_repeat_interval_nags(
    sqlite_database: Database, timed: Config, clock: FakeClock
) -> None:
    db = sqlite_database
    add_posts(db, complaint(), published=clock())
    evaluate(timed, db, clock())
    evaluate(timed, db, clock.advance(seconds=30))
    assert sent(db) == [("firing", 1, 1)]
    clock.advance(minutes=1)
    add_posts(db, complaint(), published=clock())
    evaluate(timed, db, clock())
    assert sent(db) == [("firing", 1, 1)]  # new post, but group_interval (5m) not over
    evaluate(timed, db, clock.advance(minutes=3, seconds=59))
    assert len(sent(db)) == 1
    evaluate(timed, db, clock.advance(seconds=1))  # 5 minutes after the first
    assert sent(db) == [("firing", 1, 1), ("firing", 2, 2)]
    evaluate(timed, db, clock.advance(minutes=59))
    assert len(sent(db)) == 2
    evaluate(timed, db, clock.advance(minutes=1))  # an hour after the update: nag
    assert sent(db)[-1] == ("repeat", 3, 2)
    evaluate(timed, db, clock.advance(hours=1))
    assert sent(db)[-1] == ("repeat", 4, 2)


def test_acknowledging_stops_repeats_but_not_updates(
    sqlite_database: Database, timed: Config, clock: FakeClock
) -> None:
    db = sqlite_database
    add_posts(db, complaint(), published=clock())
    evaluate(timed, db, clock())
    evaluate(timed, db, clock.advance(seconds=30))
    with db.session() as s:
        inc_id = s.execute(select(Incident.id)).scalar_one()
        actions.acknowledge(s, inc_id, "li", now=clock())
    evaluate(timed, db, clock.advance(hours=3))
    assert sent(db) == [("firing", 1, 1)]
    add_posts(db, complaint(), published=clock())
    evaluate(timed, db, clock.advance(minutes=1))
    assert sent(db) == [("firing", 1, 1), ("firing", 2, 2)]
    evaluate(timed, db, clock.advance(hours=3))
    assert len(sent(db)) == 2


def test_resolving_tells_the_departments_that_were_notified(
    sqlite_database: Database, timed: Config, clock: FakeClock
) -> None:
    db = sqlite_database
    add_posts(db, complaint(), published=clock())
    evaluate(timed, db, clock())
    evaluate(timed, db, clock.advance(seconds=30))
    with db.session() as s:
        inc_id = s.execute(select(Incident.id)).scalar_one()
        actions.resolve(s, inc_id, "li", note="已处理", now=clock.advance(minutes=2))
    evaluate(timed, db, clock())
    assert sent(db) == [("firing", 1, 1), ("resolved", 2, 1)]
    with db.session() as s:
        payload = s.execute(
            select(Notification.payload).where(Notification.kind == "resolved")
        ).scalar()
    assert payload is not None
    assert payload["incident"]["status"] == "resolved"
    assert payload["incident"]["resolution"] == "已处理"
    evaluate(timed, db, clock.advance(hours=5))
    assert len(sent(db)) == 2


def test_resolved_before_the_first_notification_sends_nothing(
    sqlite_database: Database, timed: Config, clock: FakeClock
) -> None:
    db = sqlite_database
    add_posts(db, complaint(), published=clock())
    evaluate(timed, db, clock())
    with db.session() as s:
        actions.resolve(s, s.execute(select(Incident.id)).scalar_one(), "li", now=clock())
    evaluate(timed, db, clock.advance(hours=1))
    assert sent(db) == []


def test_every_enabled_channel_gets_a_row_with_its_own_key(
    sqlite_database: Database, tmp_path: Path, clock: FakeClock
) -> None:
    cfg = load_config(
        tmp_path,
        departments="""
departments:
  - code: zjj
    name: 市住房和城乡建设局
    kind: bureau
    channels:
      - {type: email, to: [a@x.example]}
      - {type: webhook, url: "http://127.0.0.1:9/hook", enabled: false}
      - {type: webhook, url: "http://127.0.0.1:9/hook"}
""",
    )
    add_posts(sqlite_database, complaint(), published=clock())
    evaluate(cfg, sqlite_database, clock())
    with sqlite_database.session() as s:
        rows = s.execute(
            select(Notification.channel, Notification.idempotency_key, Notification.payload)
            .where(Notification.department_code == "zjj")
            .order_by(Notification.channel)
        ).all()
    inc = rows[0][2]["incident"]["id"]
    assert [(c, k) for c, k, _ in rows] == [
        ("email#0", f"inc-{inc}/zjj/firing/1/email#0"),
        ("webhook#2", f"inc-{inc}/zjj/firing/1/webhook#2"),
    ]
    assert all(p["idempotency_key"] == k for _, k, p in rows)


def test_outside_active_hours_rows_wait_for_the_start(
    sqlite_database: Database, tmp_path: Path, clock: FakeClock
) -> None:
    cfg = load_config(
        tmp_path,
        departments="""
departments:
  - code: zjj
    name: 市住房和城乡建设局
    kind: bureau
    active_hours: "08:30-17:30"
    channels: [{type: email, to: [a@x.example]}]
""",
    )
    clock.advance(hours=1)  # 18:00 in Asia/Shanghai
    add_posts(sqlite_database, complaint(), published=clock())
    evaluate(cfg, sqlite_database, clock())
    with sqlite_database.session() as s:
        zjj = s.execute(
            select(Notification.next_attempt_at).where(Notification.department_code == "zjj")
        ).scalar_one()
        now_rows = s.execute(
            select(Notification.next_attempt_at).where(Notification.department_code != "zjj")
        ).scalars()
        assert all(t == clock() for t in now_rows)
    assert zjj == clock() + timedelta(hours=14, minutes=30)  # 08:30 the next morning


def test_shipped_defaults_notify_in_the_same_evaluation(
    database: Database, config: Config, clock: FakeClock
) -> None:
    """Regression guard for the one-minute target: with the shipped group_wait of 0s the
    evaluation that first sees a blanket-shutdown report writes its outbox rows."""
    add_posts(database, [blanket()], published=clock())
    result = evaluate(config, database, clock())
    assert result.notifications == 4
    with database.session() as s:
        got = s.execute(
            select(Notification.department_code, Notification.next_attempt_at, Notification.status)
        ).all()
    assert sorted(d for d, _, _ in got) == ["dczg", "lsq", "scjgj", "xfj"]
    assert {(t, st) for _, t, st in got} == {(clock(), "pending")}


COARSE = """
group_wait: 30s
group_interval: 5m
repeat_interval: 4h
routes:
  - matchers: ['district="龙沙区"']
    receiver: lsq
    group_by: [rule, district]
    continue: true
  - matchers: ['sector="construction"']
    receiver: zjj
  - matchers: ['sector="life_services"']
    receiver: scjgj
"""


def test_a_coarser_group_by_puts_its_incidents_on_one_timer(
    sqlite_database: Database, tmp_path: Path, clock: FakeClock
) -> None:
    """The district government groups by (rule, district): a second sector's incident in the
    same district waits for the group's group_interval; the bureau gets it after group_wait."""
    db = sqlite_database
    cfg = load_config(tmp_path, routing=COARSE)
    add_posts(
        db, [tags(complaint=True, sector="construction", district="龙沙区")], published=clock()
    )
    evaluate(cfg, db, clock())
    evaluate(cfg, db, clock.advance(seconds=30))
    assert sent(db, "lsq") == [("firing", 1, 1)]
    add_posts(
        db, [tags(complaint=True, sector="life_services", district="龙沙区")], published=clock()
    )
    evaluate(cfg, db, clock.advance(minutes=1))
    evaluate(cfg, db, clock.advance(seconds=30))
    assert sent(db, "scjgj") == [("firing", 1, 1)]  # its own group: group_wait only
    assert len(sent(db, "lsq")) == 1  # same group as the first: waits for group_interval
    evaluate(cfg, db, clock.advance(minutes=3, seconds=30))  # 5 minutes after the first
    assert [(k, n) for k, n, _ in sent(db, "lsq")] == [("firing", 1), ("firing", 1)]
    with db.session() as s:
        incidents = {
            p["incident"]["sector"] for p in s.execute(
                select(Notification.payload).where(Notification.department_code == "lsq")
            ).scalars()
        }  # fmt: skip
    assert incidents == {"construction", "life_services"}
