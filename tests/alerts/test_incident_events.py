"""Issue 13: incidents follow events — precedence applied when incidents are created (posts
of a higher incident are not counted again by lower rules of the same district × sector),
open lower incidents merged into the higher one, one deadline per event; and 主办 / 协办."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.alerts.factories import add_posts, blanket, load_config, tags
from tests.conftest import FakeClock
from yuqing.alerts import handlers
from yuqing.alerts import incidents as actions
from yuqing.alerts.checks import check_alerts
from yuqing.alerts.errors import InvalidTransition, NotLead
from yuqing.alerts.evaluate import evaluate
from yuqing.config import Config
from yuqing.config.errors import ConfigErrors
from yuqing.store.models import (
    AuditLog,
    Incident,
    IncidentDepartment,
    IncidentPost,
    Notification,
    User,
)
from yuqing.store.session import Database


def by_rule(db: Database) -> dict[str, list[Incident]]:
    out: dict[str, list[Incident]] = {}
    with db.session() as s:
        for i in s.scalars(select(Incident).order_by(Incident.id)):
            out.setdefault(i.rule, []).append(i)
        s.expunge_all()
    return out


def listed(db: Database, incident_id: int) -> dict[int, tuple[str | None, int | None]]:
    with db.session() as s:
        rows = s.execute(
            select(IncidentPost.post_id, IncidentPost.via_rule, IncidentPost.moved_from).where(
                IncidentPost.incident_id == incident_id
            )
        ).all()
    return {p: (v, m) for p, v, m in rows}


def test_issue_13_one_post_one_incident_lower_rules_not_counted_again(
    database: Database, config: Config, clock: FakeClock
) -> None:
    (post,) = add_posts(database, [blanket(complaint=True)], published=clock())
    result = evaluate(config, database, clock())
    incidents = by_rule(database)
    assert set(incidents) == {"blanket-shutdown"}
    (high,) = incidents["blanket-shutdown"]
    assert (high.post_count, result.incidents_opened, result.merged) == (1, 1, 0)
    assert listed(database, high.id) == {post: ("complaint,shutdown-report", None)}
    # re-running (the rescan window) changes nothing
    again = evaluate(config, database, clock.advance(minutes=1))
    assert (again.incidents_opened, again.posts_listed) == (0, 0)
    assert by_rule(database)["blanket-shutdown"][0].post_count == 1


def test_issue_13_open_lower_incidents_merge_into_the_higher_one(
    database: Database, config: Config, clock: FakeClock
) -> None:
    sector = {"district": "龙沙区", "sector": "life_services"}
    (complaint_post,) = add_posts(database, [tags(complaint=True, **sector)], published=clock())
    evaluate(config, database, clock())
    (report_post,) = add_posts(
        database, [tags(shutdown=True, **sector)], published=clock.advance(minutes=1)
    )
    evaluate(config, database, clock())
    before = by_rule(database)
    # the report outranks the open complaint: merged into it
    assert set(before) == {"shutdown-report", "complaint"}
    (report,) = before["shutdown-report"]
    (complaint,) = before["complaint"]
    assert (complaint.status, complaint.merged_into) == ("resolved", report.id)
    with database.session() as s:
        actions.add_note(s, report.id, "li", "已联系属地", now=clock.advance(minutes=5))
    # a blanket shutdown about the same place and sector: the open report is merged into it
    (blanket_post,) = add_posts(database, [blanket()], published=clock.advance(minutes=1))
    result = evaluate(config, database, clock())
    after = by_rule(database)
    (high,) = after["blanket-shutdown"]
    report = after["shutdown-report"][0]
    assert result.merged == 1
    assert (report.status, report.merged_into, report.resolved_by) == (
        "resolved",
        high.id,
        "yuqing",
    )
    assert report.merge_reason == (
        f"「一刀切式关停」优先于「关停报告」：同一区县、同一行业已有「一刀切式关停」事件 "
        f"#{high.id}（龙沙区 生活服务业 一刀切式关停），按同一事件办理，不再单独立案、单独计时"
    )
    assert report.resolution == f"已并入 #{high.id}：{report.merge_reason}"
    posts = listed(database, high.id)
    assert posts[blanket_post] == ("shutdown-report", None)  # it matched both rules
    assert posts[report_post] == ("shutdown-report", report.id)
    assert posts[complaint_post] == ("shutdown-report", report.id)
    assert high.post_count == 3
    # one deadline per event: the higher incident's own
    assert high.due_at == clock() + config.rules.due["high"]
    with database.session() as s:
        due = s.execute(
            select(IncidentDepartment.next_notify_at, IncidentDepartment.suppressed_by).where(
                IncidentDepartment.incident_id == report.id
            )
        ).all()
        assert due and all(n is None and w == f"已并入 #{high.id}" for n, w in due)
        trail = {
            (a.action, a.object_id)
            for a in s.scalars(select(AuditLog).where(AuditLog.action.like("incident.%")))
        }
        assert ("incident.merge", str(report.id)) in trail
        assert ("incident.absorb", str(high.id)) in trail
        sent_before = s.query(Notification).filter_by(incident_id=report.id).count()
    # no further notifications or escalations for the merged incident
    evaluate(config, database, clock.advance(hours=12))
    with database.session() as s:
        assert s.query(Notification).filter_by(incident_id=report.id).count() == sent_before


def test_issue_13_later_lower_posts_join_the_open_event(
    database: Database, config: Config, clock: FakeClock
) -> None:
    add_posts(database, [blanket()], published=clock())
    evaluate(config, database, clock())
    (late,) = add_posts(
        database,
        [tags(complaint=True, district="龙沙区", sector="life_services")],
        published=clock.advance(minutes=3),
    )
    other = add_posts(
        database,
        [tags(complaint=True, district="建华区", sector="life_services")],
        published=clock(),
    )
    evaluate(config, database, clock())
    incidents = by_rule(database)
    (high,) = incidents["blanket-shutdown"]
    assert listed(database, high.id)[late] == ("complaint", None)
    # another district is another event
    (complaint,) = incidents["complaint"]
    assert complaint.district == "建华区" and complaint.merged_into is None
    assert list(listed(database, complaint.id)) == other


def test_issue_13_digest_leaves_merged_incidents_out(
    database: Database, config: Config, clock: FakeClock
) -> None:
    from yuqing.alerts.digest_data import collect, period_for

    add_posts(database, [tags(shutdown=True, district="龙沙区", sector="life_services")],
              published=clock())  # fmt: skip
    evaluate(config, database, clock())
    add_posts(database, [blanket()], published=clock.advance(minutes=1))
    evaluate(config, database, clock())
    with database.session() as s:
        period = period_for((clock() + timedelta(hours=8)).date(), "weekly", "Asia/Shanghai")
        rows = collect(config, s, period).incidents
    assert [r.rule for r in rows] == ["blanket-shutdown"]


def test_issue_13_merge_needs_equal_labels(tmp_path: Path) -> None:
    routing = """
inhibit_rules:
  - source_matchers: ['rule="blanket-shutdown"']
    target_matchers: ['rule="complaint"']
    merge: true
"""
    with pytest.raises(ConfigErrors) as info:
        load_config(tmp_path, routing=routing)
    assert (
        f"{tmp_path / 'conf' / 'routing.yaml'}: inhibit_rules[0]: merge: true needs equal "
        "labels (e.g. [district, sector])"
    ) in str(info.value)


def test_issue_13_merge_goes_from_lower_to_higher_severity(tmp_path: Path) -> None:
    routing = """
inhibit_rules:
  - source_matchers: ['rule="complaint"']
    target_matchers: ['rule="blanket-shutdown"']
    equal: [district, sector]
    merge: true
  - source_matchers: ['rule="nothing-here"']
    target_matchers: ['rule="complaint"']
    equal: [district]
    merge: true
"""
    f = tmp_path / "conf" / "routing.yaml"
    got = [str(p) for p in check_alerts(load_config(tmp_path, routing=routing))]
    assert f"{f}: inhibit_rules[0]: target rule 'blanket-shutdown' (severity high) outranks " \
        "source rule 'complaint' (severity normal): merge goes from a lower or equal severity " \
        "into a higher one" in got  # fmt: skip
    assert f"{f}: inhibit_rules[1].source_matchers: match no rule" in got


def test_issue_13_lead_and_co_handling_departments(
    database: Database, config: Config, clock: FakeClock
) -> None:
    add_posts(database, [blanket()], published=clock())
    evaluate(config, database, clock())
    (inc,) = by_rule(database)["blanket-shutdown"]
    # the first receiver by routing precedence leads
    assert inc.lead_department == "dczg"
    with database.session() as s:
        got = [(h.code, h.part, h.state) for h in handlers.handlers(s, actions.get(s, inc.id))]
    assert got == [
        ("dczg", "主办", "待签收"),
        ("lsq", "协办", "协办中"),
        ("scjgj", "协办", "协办中"),
        ("xfj", "协办", "协办中"),
    ]
    now = clock.advance(minutes=20)
    with database.session() as s, pytest.raises(NotLead) as info:
        actions.resolve(s, inc.id, "scjg", "已处理", now=now, department="scjgj")
    assert str(info.value) == (
        f"only the lead department (dczg) or an admin can resolve incident #{inc.id}; "
        "scjgj co-handles it: mark its part done instead"
    )
    with database.session() as s:
        handlers.add_feedback(s, inc.id, "scjgj", "scjg", "已核实，商户已恢复营业", now=now)
        handlers.mark_done(s, inc.id, "scjgj", "scjg", "本局部分已完成", now=now)
    with database.session() as s, pytest.raises(InvalidTransition) as again:
        handlers.mark_done(s, inc.id, "scjgj", "scjg", now=now)
    assert str(again.value).startswith(f"scjgj's part of incident #{inc.id} was already marked")
    with database.session() as s, pytest.raises(InvalidTransition) as lead:
        handlers.mark_done(s, inc.id, "dczg", "dc", now=now)
    assert (
        str(lead.value) == f"dczg leads incident #{inc.id} (or it has no lead): resolve it instead"
    )
    with database.session() as s:
        states = {h.code: h.state for h in handlers.handlers(s, actions.get(s, inc.id))}
        assert states["scjgj"] == "协办完成" and states["dczg"] == "待签收"
        actions.resolve(s, inc.id, "dc", "已纠正", now=now, department="dczg")
        trail = [
            (a.action, a.detail.get("department"))
            for a in s.scalars(
                select(AuditLog)
                .where(AuditLog.object_id == str(inc.id), AuditLog.action != "incident.open")
                .order_by(AuditLog.id)
            )
        ]
    assert trail[-3:] == [
        ("incident.feedback", "scjgj"),
        ("incident.part_done", "scjgj"),
        ("incident.resolve", "dczg"),
    ]


def test_issue_13_resolution_mail_names_the_person(
    database: Database, config: Config, clock: FakeClock
) -> None:
    add_posts(database, [blanket()], published=clock())
    evaluate(config, database, clock())
    (inc,) = by_rule(database)["blanket-shutdown"]
    with database.session() as s:
        s.add(User(username="dc1", password_hash="x", role="officer", department_code="dczg",
                   display_name="王芳"))  # fmt: skip
        s.flush()
        actions.resolve(s, inc.id, "dc1", "已纠正", now=clock.advance(minutes=5))
    evaluate(config, database, clock.advance(minutes=1))
    with database.session() as s:
        payloads = [
            n.payload
            for n in s.scalars(
                select(Notification).where(
                    Notification.incident_id == inc.id, Notification.kind == "resolved"
                )
            )
        ]
    assert payloads
    assert {p["incident"]["resolved_by"].split("（")[0] for p in payloads} == {"王芳"}
