"""Alerts → incidents on every backend: grouping, reposts counted once, the lifecycle with
its audit trail, no reopening after resolve, and idempotent re-evaluation."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import delete, func, select

from tests.alerts.factories import add_posts, blanket, retag, tags
from tests.conftest import FakeClock
from yuqing.alerts import incidents as actions
from yuqing.alerts.errors import IncidentNotFound, InvalidTransition
from yuqing.alerts.evaluate import evaluate
from yuqing.config import Config
from yuqing.store.models import (
    AuditLog,
    Incident,
    IncidentDepartment,
    IncidentPost,
    Notification,
)
from yuqing.store.session import Database


def incidents(db: Database, rule: str | None = None) -> list[Incident]:
    with db.session() as s:
        q = select(Incident).order_by(Incident.id)
        if rule:
            q = q.where(Incident.rule == rule)
        return list(s.execute(q).scalars())


def count(db: Database, model: Any) -> int:
    with db.session() as s:
        return int(s.execute(select(func.count()).select_from(model)).scalar_one())


def keys(db: Database) -> list[str]:
    with db.session() as s:
        q = select(Notification.idempotency_key).order_by(Notification.idempotency_key)
        return list(s.execute(q).scalars())


def test_posts_with_equal_group_labels_join_one_incident(
    database: Database, config: Config, clock: FakeClock
) -> None:
    add_posts(database, [blanket(), blanket(), blanket(district="建华区")], published=clock())
    result = evaluate(config, database, clock())
    assert result.posts_scanned == 3
    blankets = incidents(database, "blanket-shutdown")
    assert [(i.district, i.sector, i.post_count) for i in blankets] == [
        ("龙沙区", "life_services", 2),
        ("建华区", "life_services", 1),
    ]
    first = blankets[0]
    assert first.title == "龙沙区 生活服务业 一刀切式关停"
    assert first.severity == "high" and first.status == "open"
    assert first.labels == {
        "rule": "blanket-shutdown",
        "severity": "high",
        "district": "龙沙区",
        "sector": "life_services",
    }
    assert first.due_at == clock() + timedelta(hours=2)
    assert first.opened_at == clock()


def test_reposts_are_listed_but_counted_once(
    database: Database, config: Config, clock: FakeClock
) -> None:
    add_posts(database, [blanket()] * 4, published=clock(), cluster_ids=[7, 7, None, 8])
    evaluate(config, database, clock())
    inc = incidents(database, "blanket-shutdown")[0]
    assert inc.post_count == 3  # cluster 7 once, the unclustered post, cluster 8
    # a later repost of cluster 8 is listed but does not raise the count
    clock.advance(minutes=1)
    add_posts(database, [blanket(), blanket()], published=clock(), cluster_ids=[8, 9])
    evaluate(config, database, clock())
    inc = incidents(database, "blanket-shutdown")[0]
    assert inc.post_count == 4
    with database.session() as s:
        listed = s.execute(
            select(func.count()).where(IncidentPost.incident_id == inc.id)
        ).scalar_one()
    assert listed == 6


def test_rerunning_an_evaluation_changes_nothing(
    database: Database, config: Config, clock: FakeClock
) -> None:
    """Regression guard: a crash-and-rerun (or the re-scan window) duplicates nothing."""
    add_posts(database, [blanket(), tags(complaint=True, sector="construction")], published=clock())
    evaluate(config, database, clock())
    before = (count(database, Incident), count(database, IncidentPost), keys(database))
    again = evaluate(config, database, clock())
    assert again.incidents_opened == 0 and again.posts_listed == 0 and again.notifications == 0
    assert (count(database, Incident), count(database, IncidentPost), keys(database)) == before
    # even with the cursor forgotten (as after losing it), nothing is listed or sent twice
    from yuqing.store.models import AlertCursor

    with database.session() as s:
        s.execute(delete(AlertCursor))
    evaluate(config, database, clock())
    assert (count(database, Incident), count(database, IncidentPost), keys(database)) == before


def test_only_posts_tagged_since_the_last_evaluation_are_read(
    database: Database, config: Config, clock: FakeClock
) -> None:
    add_posts(database, [blanket()] * 3, published=clock())
    assert evaluate(config, database, clock(), rescan=timedelta(0)).posts_scanned == 3
    assert evaluate(config, database, clock(), rescan=timedelta(0)).posts_scanned == 0
    add_posts(database, [tags()], published=clock())
    assert evaluate(config, database, clock(), rescan=timedelta(0)).posts_scanned == 1


def test_batches_advance_the_cursor(database: Database, config: Config, clock: FakeClock) -> None:
    add_posts(database, [blanket()] * 7, published=clock())
    result = evaluate(config, database, clock(), batch_size=2, rescan=timedelta(0))
    assert result.posts_scanned == 7
    assert incidents(database, "blanket-shutdown")[0].post_count == 7


def test_tags_committed_late_are_picked_up_by_the_rescan(
    database: Database, config: Config, clock: FakeClock
) -> None:
    """Regression guard: a tagging transaction that commits after an evaluation advanced the
    watermark past its tagged_at must not be lost."""
    from yuqing.store.models import PostTag

    late = add_posts(database, [blanket(district="建华区")], published=clock())
    add_posts(database, [blanket()], published=clock())
    with database.session() as s:  # the first post's tags were written a minute earlier...
        tag = s.execute(select(PostTag).where(PostTag.post_id == late[0])).scalar_one()
        tag.tagged_at = tag.tagged_at - timedelta(minutes=1)
    with database.session() as s:  # ...but were invisible (uncommitted) at the first run
        tag_row = s.execute(select(PostTag).where(PostTag.post_id == late[0])).scalar_one()
        hidden_at = tag_row.tagged_at
        s.delete(tag_row)
    evaluate(config, database, clock())
    assert [i.district for i in incidents(database, "blanket-shutdown")] == ["龙沙区"]
    retag(database, late, [blanket(district="建华区")])
    with database.session() as s:
        tag_row = s.execute(select(PostTag).where(PostTag.post_id == late[0])).scalar_one()
        tag_row.tagged_at = hidden_at
    evaluate(config, database, clock())
    assert [i.district for i in incidents(database, "blanket-shutdown")] == ["龙沙区", "建华区"]


def test_old_posts_raise_no_alerts(database: Database, config: Config, clock: FakeClock) -> None:
    add_posts(database, [blanket()], published=clock() - timedelta(days=31))
    assert evaluate(config, database, clock()).alerts == 0
    assert incidents(database) == []


def test_lifecycle_with_audit_trail(database: Database, config: Config, clock: FakeClock) -> None:
    add_posts(database, [blanket()], published=clock())
    evaluate(config, database, clock())
    inc_id = incidents(database, "blanket-shutdown")[0].id
    with database.session() as s:
        actions.assign(s, inc_id, "li", "wang", now=clock())
        actions.acknowledge(s, inc_id, "li", note="已派人核查", now=clock.advance(minutes=3))
        actions.add_note(s, inc_id, "wang", "现场已复工", now=clock.advance(minutes=30))
        actions.resolve(s, inc_id, "wang", note="已纠正", now=clock.advance(minutes=1))
    inc = incidents(database, "blanket-shutdown")[0]
    assert (inc.status, inc.assigned_to) == ("resolved", "wang")
    assert (inc.acknowledged_by, inc.ack_note) == ("li", "已派人核查")
    assert (inc.resolved_by, inc.resolution, inc.resolved_at) == ("wang", "已纠正", clock())
    with database.session() as s:
        trail = s.execute(
            select(AuditLog.actor, AuditLog.action, AuditLog.detail)
            .where(AuditLog.object_type == "incident", AuditLog.object_id == str(inc_id))
            .order_by(AuditLog.id)
        ).all()
    assert [(a, b) for a, b, _ in trail] == [
        ("yuqing", "incident.open"),
        ("li", "incident.assign"),
        ("li", "incident.acknowledge"),
        ("wang", "incident.note"),
        ("wang", "incident.resolve"),
    ]
    assert trail[3][2] == {"note": "现场已复工"}


def test_invalid_transitions_say_why(database: Database, config: Config, clock: FakeClock) -> None:
    add_posts(database, [blanket()], published=clock())
    evaluate(config, database, clock())
    inc_id = incidents(database, "blanket-shutdown")[0].id
    with database.session() as s:
        actions.acknowledge(s, inc_id, "li", now=clock())
    with database.session() as s, pytest.raises(InvalidTransition) as info:
        actions.acknowledge(s, inc_id, "zhao", now=clock())
    assert str(info.value).startswith(f"incident #{inc_id} was already acknowledged by li at ")
    with database.session() as s:
        actions.resolve(s, inc_id, "li", now=clock())
    for act in (actions.acknowledge, actions.resolve):
        with database.session() as s, pytest.raises(InvalidTransition):
            act(s, inc_id, "li")
    with database.session() as s, pytest.raises(InvalidTransition) as info:
        actions.assign(s, inc_id, "li", "wang")
    assert str(info.value) == f"incident #{inc_id} is resolved; it cannot be assigned"
    with database.session() as s, pytest.raises(IncidentNotFound) as missing:
        actions.acknowledge(s, 999, "li")
    assert str(missing.value) == "no incident #999"
    with database.session() as s, pytest.raises(InvalidTransition) as blank:
        actions.add_note(s, inc_id, "  ", "x")
    assert str(blank.value) == "an action needs the name of who takes it"


def test_a_resolved_incident_is_never_reopened(
    database: Database, config: Config, clock: FakeClock
) -> None:
    first_posts = add_posts(database, [blanket()], published=clock())
    evaluate(config, database, clock())
    old = incidents(database, "blanket-shutdown")[0]
    with database.session() as s:
        actions.resolve(s, old.id, "li", now=clock.advance(minutes=10))
    # re-tagging the old post does not bring it back
    retag(database, first_posts, [blanket()])
    evaluate(config, database, clock())
    assert [i.status for i in incidents(database, "blanket-shutdown")] == ["resolved"]
    # a new post about the same place and sector starts a new incident
    add_posts(database, [blanket()], published=clock.advance(minutes=1))
    evaluate(config, database, clock())
    both = incidents(database, "blanket-shutdown")
    assert [(i.status, i.post_count) for i in both] == [("resolved", 1), ("open", 1)]
    assert both[0].fingerprint == both[1].fingerprint
    assert both[1].opened_at == clock()


def test_incident_departments_record_the_route(
    database: Database, config: Config, clock: FakeClock
) -> None:
    add_posts(database, [blanket()], published=clock())
    evaluate(config, database, clock())
    inc = incidents(database, "blanket-shutdown")[0]
    with database.session() as s:
        rows = s.execute(
            select(IncidentDepartment.department_code, IncidentDepartment.route)
            .where(IncidentDepartment.incident_id == inc.id)
            .order_by(IncidentDepartment.route)
        ).all()
    assert sorted(rows) == sorted(
        [("dczg", "routes[2]"), ("xfj", "routes[3]"), ("lsq", "routes[4]"), ("scjgj", "routes[21]")]
    )


def test_keyword_rules_match_text(tmp_path: Any, database: Database, clock: FakeClock) -> None:
    from tests.alerts.factories import load_config

    cfg = load_config(
        tmp_path,
        rules="""
rules:
  - name: kw
    description: 关键词
    keywords: 一刀切 AND (烧烤 OR 餐饮)
    when: not complaint
    severity: normal
    labels: {team: food}
""",
    )
    add_posts(
        database,
        [tags(), tags(), tags(complaint=True)],
        published=clock(),
        texts=["烧烤店被一刀切了", "洗车店被一刀切了", "烧烤店被一刀切了"],
    )
    evaluate(cfg, database, clock())
    kw = incidents(database, "kw")
    assert [(i.post_count, i.labels["team"]) for i in kw] == [(1, "food")]
