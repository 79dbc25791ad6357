"""Issue 11 item 5: triage instead of noise.

Scores >= a band's high push; scores in [low, high) send the post to the 待研判 queue instead
of opening an incident; scores < low raise nothing. Confirming opens and routes the incident as
if the post had scored high; rejecting records the answer; both are feedback and audit-logged.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.alerts.factories import add_posts, load_config, tags
from tests.conftest import FakeClock
from yuqing.alerts import triage
from yuqing.alerts.context import context_for
from yuqing.alerts.errors import InvalidTransition
from yuqing.alerts.evaluate import evaluate
from yuqing.config import Config
from yuqing.config.settings import TriageSettings
from yuqing.nlp.feedback import collect
from yuqing.store.models import (
    AuditLog,
    Feedback,
    Incident,
    IncidentDepartment,
    IncidentPost,
    TriageItem,
)
from yuqing.store.posts import TagRecord
from yuqing.store.session import Database

BANDS = "triage:\n  bands:\n    shutdown: [0.4, 0.7]\n    blanket: [0.3, 0.6]\n"


@pytest.fixture
def banded(tmp_path: Path) -> Config:
    return load_config(tmp_path, settings=BANDS)


def scored(shutdown: float, blanket: float = 0.0, **kw: object) -> TagRecord:
    base = tags(
        shutdown=shutdown >= 0.5,
        blanket=blanket >= 0.5,
        district="龙沙区",
        sector="life_services",
        **kw,  # type: ignore[arg-type]
    )
    return replace(base, shutdown_score=shutdown, blanket_score=blanket)


def items(db: Database) -> list[TriageItem]:
    with db.session() as s:
        return list(s.execute(select(TriageItem).order_by(TriageItem.id)).scalars())


def rules_opened(db: Database) -> list[str]:
    with db.session() as s:
        return sorted(s.execute(select(Incident.rule)).scalars())


# -- band decisions ---------------------------------------------------------------------------


def test_band_edges() -> None:
    band = (0.4, 0.7)
    assert triage.band_of(0.7, band) == "push"  # >= high
    assert triage.band_of(0.4, band) == "triage"  # [low, high)
    assert triage.band_of(0.6999, band) == "triage"
    assert triage.band_of(0.3999, band) == "none"  # < low


def test_decisions_per_tag() -> None:
    on = TriageSettings.model_validate({"bands": {"shutdown": [0.4, 0.7], "blanket": [0.3, 0.6]}})
    d = triage.decide(on, False, 0.5, False, 0.1)
    assert (d.pushed, d.uncertain) == ((False, False), ("shutdown",))
    assert d.confirmed(d.uncertain) == (True, False)
    d = triage.decide(on, True, 0.9, False, 0.45)  # shutdown pushed, blanket uncertain
    assert (d.pushed, d.uncertain) == ((True, False), ("blanket",))
    d = triage.decide(on, False, 0.1, False, 0.45)  # no shutdown: blanket is not asked about
    assert (d.pushed, d.uncertain) == ((False, False), ())
    d = triage.decide(on, True, 0.5, True, 0.9)  # uncertain shutdown, sure blanket
    assert d.confirmed(d.uncertain) == (True, True)
    off = TriageSettings(enabled=False)
    d = triage.decide(off, True, 0.1, True, 0.1)  # off: the tags decide, as before
    assert (d.pushed, d.uncertain) == ((True, True), ())


# -- evaluation ---------------------------------------------------------------------------


def test_uncertain_shutdown_goes_to_triage_not_to_an_incident(
    database: Database, banded: Config, clock: FakeClock
) -> None:
    [pid] = add_posts(database, [scored(0.55)], published=clock())
    result = evaluate(banded, database, clock())
    assert result.triaged == 1
    assert rules_opened(database) == []
    [item] = items(database)
    assert (item.post_id, item.fields, item.rules, item.status) == (
        pid,
        ["shutdown"],
        ["shutdown-report"],
        "pending",
    )
    assert item.locality == "本地：提及龙沙区的地名"
    with database.session() as s:
        assert "lsq" in triage.item_departments(s, item.id)  # scoped like the incident would be
    # re-reading the same tags queues nothing twice
    clock.advance(minutes=1)
    assert evaluate(banded, database, clock()).triaged == 0
    assert len(items(database)) == 1


def test_high_scores_push_and_low_scores_raise_nothing(
    database: Database, banded: Config, clock: FakeClock
) -> None:
    add_posts(database, [scored(0.75), scored(0.2)], published=clock())
    result = evaluate(banded, database, clock())
    assert result.triaged == 0 and items(database) == []
    assert rules_opened(database) == ["shutdown-report"]


def test_sure_shutdown_with_uncertain_blanket_pushes_and_asks(
    database: Database, banded: Config, clock: FakeClock
) -> None:
    add_posts(database, [scored(0.9, 0.45)], published=clock())
    evaluate(banded, database, clock())
    assert rules_opened(database) == ["shutdown-report"]
    [item] = items(database)
    assert (item.fields, item.rules) == (["blanket"], ["blanket-shutdown"])


def test_other_rules_still_fire_while_the_shutdown_waits(
    database: Database, banded: Config, clock: FakeClock
) -> None:
    add_posts(database, [scored(0.55, complaint=True)], published=clock())
    evaluate(banded, database, clock())
    assert rules_opened(database) == ["complaint"]
    assert [i.rules for i in items(database)] == [["shutdown-report"]]


def test_posts_about_other_places_are_not_queued(
    database: Database, banded: Config, clock: FakeClock
) -> None:
    record = replace(scored(0.55), district=None)
    add_posts(database, [record], published=clock(), source="demo-weibo")
    assert evaluate(banded, database, clock()).triaged == 0


# -- answers ------------------------------------------------------------------------------


def _queued(database: Database, config: Config, clock: FakeClock) -> TriageItem:
    add_posts(database, [scored(0.55)], published=clock())
    evaluate(config, database, clock())
    [item] = items(database)
    return item


def test_confirm_opens_and_routes_the_incident(
    database: Database, banded: Config, clock: FakeClock
) -> None:
    item = _queued(database, banded, clock)
    clock.advance(minutes=5)
    with database.session() as s:
        done, ids = triage.confirm(s, context_for(banded), item.id, "分析员甲", "确实关停", clock())
        assert done.status == "confirmed"
    [inc] = ids
    with database.session() as s:
        incident = s.get(Incident, inc)
        assert incident is not None and incident.rule == "shutdown-report"
        assert s.scalar(select(IncidentPost.post_id).where(IncidentPost.incident_id == inc)) == (
            item.post_id
        )
        routed = set(
            s.scalars(
                select(IncidentDepartment.department_code).where(
                    IncidentDepartment.incident_id == inc
                )
            )
        )
        assert "lsq" in routed
        [fb] = s.scalars(select(Feedback).where(Feedback.post_id == item.post_id))
        assert (fb.field, fb.old_value, fb.new_value, fb.actor) == (
            "shutdown",
            "1",
            "1",
            "分析员甲",
        )
        actions = [
            (a.action, a.object_type)
            for a in s.scalars(select(AuditLog).where(AuditLog.actor == "分析员甲"))
        ]
        assert ("triage.confirm", "triage") in actions
        assert ("triage.confirm", "incident") in actions
    assert items(database)[0].incident_ids == [inc]
    # the confirmation enters the next training run as a labeled example
    [example] = collect(database).examples
    assert example.labels["shutdown"] is True
    # answered once
    with database.session() as s, pytest.raises(InvalidTransition, match="already confirmed"):
        triage.confirm(s, context_for(banded), item.id, "分析员乙")


def test_reject_records_feedback_and_opens_nothing(
    database: Database, banded: Config, clock: FakeClock
) -> None:
    item = _queued(database, banded, clock)
    with database.session() as s:
        triage.reject(s, item.id, "分析员甲", "只是请求关停", clock())
    assert rules_opened(database) == []
    [done] = items(database)
    assert (done.status, done.decided_by, done.note) == ("rejected", "分析员甲", "只是请求关停")
    with database.session() as s:
        [fb] = s.scalars(select(Feedback).where(Feedback.post_id == item.post_id))
        assert (fb.field, fb.new_value) == ("shutdown", "0")
        assert (
            s.scalar(
                select(AuditLog.action).where(
                    AuditLog.object_type == "triage", AuditLog.actor == "分析员甲"
                )
            )
            == "triage.reject"
        )
    [example] = collect(database).examples
    assert example.labels["shutdown"] is False
    # the post is asked about once: later evaluations do not queue it again
    clock.advance(minutes=1)
    assert evaluate(banded, database, clock()).triaged == 0


def test_unknown_item_is_reported(database: Database, banded: Config) -> None:
    with database.session() as s, pytest.raises(triage.TriageNotFound, match="no triage item #9"):
        triage.reject(s, 9, "分析员甲")
