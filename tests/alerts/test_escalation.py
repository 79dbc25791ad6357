"""Escalation: overdue unacknowledged incidents go to 市政府督查室 (each department's
escalate_to, else routing.escalation_receiver), at most once per repeat_interval."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from tests.alerts.factories import add_posts, blanket, load_config, tags
from tests.conftest import FakeClock
from yuqing.alerts import incidents as actions
from yuqing.alerts import silences
from yuqing.alerts.context import context_for
from yuqing.alerts.escalation import escalate, target
from yuqing.alerts.evaluate import evaluate
from yuqing.config import Config
from yuqing.store.models import AuditLog, Incident, IncidentDepartment, Notification
from yuqing.store.session import Database


def escalations(db: Database) -> list[dict[str, Any]]:
    with db.session() as s:
        return list(
            s.execute(
                select(Notification.payload)
                .where(Notification.kind == "escalation")
                .order_by(Notification.id)
            ).scalars()
        )


def blanket_incident(db: Database, config: Config, clock: FakeClock) -> int:
    add_posts(db, [blanket()], published=clock())
    evaluate(config, db, clock())
    with db.session() as s:
        return int(
            s.execute(select(Incident.id).where(Incident.rule == "blanket-shutdown")).scalar_one()
        )


def test_overdue_incident_escalates_to_the_inspection_office(
    database: Database, config: Config, clock: FakeClock
) -> None:
    inc_id = blanket_incident(database, config, clock)
    assert escalate(config, database, clock.advance(hours=1, minutes=59)) == 0
    assert escalate(config, database, clock.advance(minutes=36)) == 1
    [payload] = escalations(database)
    assert payload["department"] == {"code": "dcs", "name": "市政府督查室"}
    assert payload["escalation"] == {
        "level": 1,
        "from_departments": ["dczg", "lsq", "scjgj", "xfj"],
        "overdue_minutes": 35,
    }
    assert payload["idempotency_key"] == f"inc-{inc_id}/dcs/escalation/1/email#0"
    assert payload["posts"] and payload["incident"]["id"] == inc_id
    with database.session() as s:
        inc = s.get(Incident, inc_id)
        assert inc is not None and (inc.escalation_level, inc.escalated_at) == (1, clock())
        dcs = s.get(IncidentDepartment, (inc_id, "dcs"))
        assert dcs is not None and dcs.role == "escalated"
        audit = s.execute(
            select(AuditLog.detail).where(AuditLog.action == "incident.escalate")
        ).scalar_one()
    assert audit == {"level": 1, "to": ["dcs"], "overdue_minutes": 35}


def test_escalation_repeats_at_most_once_per_repeat_interval(
    database: Database, config: Config, clock: FakeClock
) -> None:
    blanket_incident(database, config, clock)
    assert escalate(config, database, clock.advance(hours=2)) == 1
    assert escalate(config, database, clock.advance(minutes=5)) == 0
    assert escalate(config, database, clock.advance(hours=3, minutes=54)) == 0
    assert escalate(config, database, clock.advance(minutes=1)) == 1  # 4h after the first
    assert [p["escalation"]["level"] for p in escalations(database)] == [1, 2]
    assert escalate(config, database, clock()) == 0  # re-running does nothing


def test_acknowledged_silenced_or_ops_incidents_do_not_escalate(
    database: Database, config: Config, clock: FakeClock
) -> None:
    inc_id = blanket_incident(database, config, clock)
    add_posts(database, [tags(complaint=True, sector="construction")], published=clock())
    evaluate(config, database, clock())
    with database.session() as s:
        actions.acknowledge(s, inc_id, "li", now=clock())
        silences.create(
            s, ['rule="complaint"'], author="admin", duration=timedelta(days=3), now=clock()
        )
        from yuqing.store.models import Source

        s.add(Source(name="broken", kind="feed", health="failing", health_reason="HTTP 500"))
    evaluate(config, database, clock())
    assert escalate(config, database, clock.advance(days=2)) == 0
    assert escalations(database) == []


def test_resolving_an_escalated_incident_tells_the_escalation_target(
    database: Database, config: Config, clock: FakeClock
) -> None:
    inc_id = blanket_incident(database, config, clock)
    escalate(config, database, clock.advance(hours=2))
    with database.session() as s:
        actions.resolve(s, inc_id, "li", now=clock.advance(minutes=10))
    evaluate(config, database, clock())
    with database.session() as s:
        resolved = set(
            s.execute(
                select(Notification.department_code).where(Notification.kind == "resolved")
            ).scalars()
        )
    assert resolved == {"dcs", "dczg", "lsq", "scjgj", "xfj"}


def test_escalation_walks_up_the_chain(tmp_path: Path) -> None:
    cfg = load_config(
        tmp_path,
        departments="""
departments:
  - {code: zjj, name: 住建局, kind: bureau, escalate_to: fsz}
  - code: fsz
    name: 分管副市长办公室
    kind: office
    escalate_to: dcs
    channels: [{type: email, to: [f@x.example]}]
""",
    )
    ctx = context_for(cfg)
    assert [target(ctx, "zjj", level) for level in (1, 2, 3)] == ["fsz", "dcs", "dcs"]
    assert target(ctx, "dcs", 1) is None  # the top escalates nowhere
    assert target(ctx, "ops", 1) == "dcs"  # no escalate_to: routing.escalation_receiver
