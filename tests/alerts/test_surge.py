"""The count rules: complaint surges above the baseline, and failing sources."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.alerts.factories import add_posts, load_config, tags
from tests.conftest import FakeClock
from yuqing.alerts import incidents as actions
from yuqing.alerts.evaluate import evaluate
from yuqing.config import Config
from yuqing.store.models import Incident, Notification, Source
from yuqing.store.posts import TagRecord
from yuqing.store.session import Database

SURGE = """
rules:
  - name: surge
    kind: surge
    severity: high
    description: 投诉激增
    surge: {window: 6h, baseline: 2d, k: 2, min_count: 3, by: [district, sector]}
"""


@pytest.fixture
def surge_config(tmp_path: Path) -> Config:
    return load_config(tmp_path, rules=SURGE)


def complaints(
    n: int, district: str = "龙沙区", sector: str = "urban_management"
) -> list[TagRecord]:
    return [tags(complaint=True, district=district, sector=sector)] * n


def surges(db: Database) -> list[Incident]:
    with db.session() as s:
        return list(
            s.execute(
                select(Incident).where(Incident.rule == "surge").order_by(Incident.id)
            ).scalars()
        )


def test_surge_above_the_baseline_opens_a_high_incident(
    database: Database, surge_config: Config, clock: FakeClock
) -> None:
    # baseline: 1 complaint per 6 hours for two days
    for hours in range(6, 54, 6):
        add_posts(database, complaints(1), published=clock() - timedelta(hours=hours, minutes=30))
    add_posts(database, complaints(4), published=clock(), cluster_ids=[1, 1, 2, 3])
    result = evaluate(surge_config, database, clock())
    assert result.surges == 1
    [inc] = surges(database)
    assert (inc.district, inc.sector, inc.severity, inc.post_count) == (
        "龙沙区",
        "urban_management",
        "high",
        3,  # reposts once
    )
    with database.session() as s:
        depts = set(
            s.execute(
                select(Notification.department_code).where(Notification.incident_id == inc.id)
            ).scalars()
        )
    assert depts == {"wxb", "lsq", "cgzf"}


def test_no_surge_below_min_count_or_within_the_usual_range(
    database: Database, surge_config: Config, clock: FakeClock
) -> None:
    add_posts(database, complaints(2), published=clock())
    assert evaluate(surge_config, database, clock()).surges == 0
    # a noisy baseline (0 or 6 per window) puts 3 within mean + 2σ
    for hours in range(6, 54, 12):
        add_posts(database, complaints(6), published=clock() - timedelta(hours=hours, minutes=30))
    add_posts(database, complaints(1), published=clock())
    assert evaluate(surge_config, database, clock()).surges == 0
    assert surges(database) == []


def test_a_resolved_surge_needs_a_new_surge_of_new_posts(
    database: Database, surge_config: Config, clock: FakeClock
) -> None:
    add_posts(database, complaints(3), published=clock())
    evaluate(surge_config, database, clock())
    [inc] = surges(database)
    with database.session() as s:
        actions.resolve(s, inc.id, "li", now=clock.advance(minutes=5))
    add_posts(database, complaints(1), published=clock())
    evaluate(surge_config, database, clock())
    assert [i.status for i in surges(database)] == ["resolved"]
    add_posts(database, complaints(2), published=clock.advance(minutes=1))
    evaluate(surge_config, database, clock())
    assert [(i.status, i.post_count) for i in surges(database)] == [("resolved", 3), ("open", 3)]


def test_failing_source_opens_an_ops_incident_and_recovery_resolves_it(
    database: Database, config: Config, clock: FakeClock
) -> None:
    with database.session() as s:
        s.add(Source(name="board", kind="jsonapi", health="failing", health_reason="HTTP 503 x3"))
        s.add(Source(name="news", kind="feed", health="failing"))
        s.add(Source(name="forum", kind="listing", health="ok"))
    result = evaluate(config, database, clock())
    assert (result.failing_sources, result.incidents_opened) == (2, 2)
    with database.session() as s:
        rows = s.execute(select(Incident.title, Incident.labels).order_by(Incident.id)).all()
        assert [t for t, _ in rows] == ["采集源失败：board（HTTP 503 x3）", "采集源失败：news"]
        assert rows[0][1] == {"rule": "source-failing", "severity": "medium", "source": "board"}
        depts = set(s.execute(select(Notification.department_code)).scalars())
    assert depts == {"ops"}
    assert evaluate(config, database, clock.advance(minutes=1)).incidents_opened == 0
    with database.session() as s:
        board = s.execute(select(Source).where(Source.name == "board")).scalar_one()
        board.health = "ok"
    result = evaluate(config, database, clock.advance(minutes=1))
    assert result.auto_resolved == 1
    with database.session() as s:
        statuses = dict(s.execute(select(Incident.title, Incident.status)).all())
        kinds = list(s.execute(select(Notification.kind).order_by(Notification.id)).scalars())
    assert statuses == {"采集源失败：board（HTTP 503 x3）": "resolved", "采集源失败：news": "open"}
    assert kinds == ["firing", "firing", "resolved"]
