"""Silences and inhibition: suppressed alerts are still recorded on the incident but send
nothing, until the silence ends or the inhibiting incident is resolved."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.alerts.factories import add_posts, blanket, load_config, tags
from tests.conftest import FakeClock
from yuqing.alerts import incidents as actions
from yuqing.alerts import silences
from yuqing.alerts.errors import SilenceError
from yuqing.alerts.evaluate import evaluate
from yuqing.config import Config
from yuqing.store.models import AuditLog, Incident, IncidentDepartment, Notification
from yuqing.store.session import Database


def notified(db: Database) -> list[tuple[str, str, str]]:
    with db.session() as s:
        rows = s.execute(
            select(Incident.rule, Notification.department_code, Notification.kind)
            .join(Incident, Incident.id == Notification.incident_id)
            .order_by(Notification.id)
        ).all()
    return [(r, d, k) for r, d, k in rows]


def test_silenced_alert_is_recorded_but_not_notified_until_the_silence_ends(
    database: Database, config: Config, clock: FakeClock
) -> None:
    with database.session() as s:
        sil = silences.create(
            s,
            ['district="建华区"', 'rule=~"complaint|surge"'],
            author="admin",
            comment="已知问题，正在处理",
            duration=timedelta(hours=2),
            now=clock(),
        )
        sil_id = sil.id
    add_posts(
        database,
        [tags(complaint=True, sector="construction", district="建华区")],
        published=clock(),
    )
    add_posts(
        database,
        [tags(complaint=True, sector="construction", district="龙沙区")],
        published=clock(),
    )
    evaluate(config, database, clock())
    assert {d for r, d, k in notified(database)} == {"lsq", "zjj"}  # only the 龙沙区 one
    with database.session() as s:
        inc = s.execute(select(Incident).where(Incident.district == "建华区")).scalar_one()
        assert inc.post_count == 1  # recorded
        reasons = s.execute(
            select(IncidentDepartment.suppressed_by).where(IncidentDepartment.incident_id == inc.id)
        ).scalars()
        assert all(r and r.startswith(f"silence #{sil_id} by admin until ") for r in reasons)
        audits = s.execute(
            select(AuditLog.action).where(AuditLog.object_id == str(inc.id))
        ).scalars()
        assert list(audits).count("incident.suppress") == 2  # once per department, not per run
    evaluate(config, database, clock.advance(hours=1))
    assert len(notified(database)) == 2
    evaluate(config, database, clock.advance(hours=1))  # the silence has ended
    assert sorted(d for _, d, _ in notified(database)) == ["jhq", "lsq", "zjj", "zjj"]


def test_expired_silence_releases_at_the_next_evaluation(
    database: Database, config: Config, clock: FakeClock
) -> None:
    with database.session() as s:
        sil_id = silences.create(
            s, ['sector="construction"'], author="admin", duration=timedelta(days=1), now=clock()
        ).id
    add_posts(database, [tags(complaint=True, sector="construction")], published=clock())
    evaluate(config, database, clock())
    assert notified(database) == []
    with database.session() as s:
        silences.expire(s, sil_id, actor="admin", now=clock.advance(minutes=5))
        assert silences.list_silences(s, now=clock()) == []
        assert len(silences.list_silences(s, now=clock(), include_expired=True)) == 1
    evaluate(config, database, clock())
    assert notified(database) == [("complaint", "zjj", "firing")]
    with database.session() as s, pytest.raises(SilenceError) as info:
        silences.expire(s, sil_id, actor="admin", now=clock())
    assert str(info.value).startswith(f"silence #{sil_id} already ended at ")


@pytest.mark.parametrize(
    ("matchers", "message"),
    [
        ([], 'a silence needs at least one matcher, e.g. district="龙沙区"'),
        (
            ['district=~".*"'],
            "a silence needs at least one matcher that does not match an empty label "
            '(got district=~".*")',
        ),
        (
            ["district=龙沙区"],
            "invalid matcher 'district=龙沙区' (expected label=\"value\" with =, !=, =~ or !~)",
        ),
        (['rule=~"("'], "invalid regular expression in matcher 'rule=~\"(\"'"),
    ],
)
def test_bad_silences_are_refused(
    sqlite_database: Database, clock: FakeClock, matchers: list[str], message: str
) -> None:
    with sqlite_database.session() as s, pytest.raises(SilenceError) as info:
        silences.create(s, matchers, author="a", duration=timedelta(hours=1), now=clock())
    assert str(info.value).startswith(message)


def test_silence_must_end_after_it_starts(sqlite_database: Database, clock: FakeClock) -> None:
    with sqlite_database.session() as s, pytest.raises(SilenceError) as info:
        silences.create(s, ['rule="x"'], author="a", ends_at=clock(), now=clock())
    assert str(info.value).startswith("a silence must end after it starts")


MUTE_ONLY = """
inhibit_rules:
  - source_matchers: ['rule="blanket-shutdown"']
    target_matchers: ['rule="shutdown-report"']
    equal: [district, sector]
  - source_matchers: ['rule=~"blanket-shutdown|shutdown-report"']
    target_matchers: ['rule="complaint"']
    equal: [district, sector]
"""


def test_blanket_shutdown_inhibits_the_plain_report_and_complaint_about_the_same_place(
    database: Database, tmp_path: Path, clock: FakeClock
) -> None:
    """Without ``merge: true``, inhibition only mutes notifications (Alertmanager); the
    reason reads in Chinese on the incident page (issue 13)."""
    config = load_config(tmp_path, routing=MUTE_ONLY)
    add_posts(database, [blanket(complaint=True)], published=clock())
    evaluate(config, database, clock())
    assert {r for r, _, _ in notified(database)} == {"blanket-shutdown"}
    with database.session() as s:
        ids = dict(s.execute(select(Incident.rule, Incident.id)).all())
        assert set(ids) == {"blanket-shutdown", "shutdown-report", "complaint"}
        reasons = dict(
            s.execute(
                select(Incident.rule, IncidentDepartment.suppressed_by).join(
                    Incident, Incident.id == IncidentDepartment.incident_id
                )
            ).all()
        )
    source = (
        f"通知暂停：同一区县、同一行业已有事件 #{ids['blanket-shutdown']}"
        "（龙沙区 生活服务业 一刀切式关停），由该事件统一通知"
    )
    assert reasons["shutdown-report"] == source
    assert reasons["complaint"] == source
    assert reasons["blanket-shutdown"] is None


def test_inhibition_needs_equal_labels_and_ends_with_the_source(
    database: Database, tmp_path: Path, clock: FakeClock
) -> None:
    config = load_config(tmp_path, routing=MUTE_ONLY)
    add_posts(database, [blanket()], published=clock())
    add_posts(
        database,
        [tags(shutdown=True, district="建华区", sector="life_services")],
        published=clock(),
    )
    add_posts(database, [tags(shutdown=True)], published=clock())
    evaluate(config, database, clock())
    report_depts = {d for r, d, _ in notified(database) if r == "shutdown-report"}
    # the 建华区 report is not inhibited (other district); the 龙沙区 one is
    assert report_depts == {"jhq", "scjgj", "xfj"}
    with database.session() as s:
        blanket_id = s.execute(
            select(Incident.id).where(Incident.rule == "blanket-shutdown")
        ).scalar_one()
        actions.resolve(s, blanket_id, "li", now=clock.advance(minutes=1))
    evaluate(config, database, clock())
    lsq_reports = [
        (r, d, k) for r, d, k in notified(database) if r == "shutdown-report" and d == "lsq"
    ]
    assert lsq_reports == [("shutdown-report", "lsq", "firing")]
