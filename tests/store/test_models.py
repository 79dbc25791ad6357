"""Round-trip of every model on every backend: what is written is what is read back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import select

from yuqing.store import models as m
from yuqing.store.session import Database

T = datetime(2026, 11, 27, 9, 30, tzinfo=timezone(timedelta(hours=8)))


def build(db: Database) -> dict[type, Any]:
    with db.session() as s:
        src = m.Source(
            name="board", kind="jsonapi", config={"url": "x"}, health="ok", last_success_at=T
        )
        s.add(src)
        s.flush()
        post = m.Post(
            source_id=src.id,
            dedup_key="k" * 40,
            url="https://x/1",
            title="标题",
            text="正文 一刀切",
            published_at=T,
            content_hash="h" * 40,
            simhash=-5,
            likes=1,
            replies=2,
            reposts=3,
        )
        s.add(post)
        s.flush()
        inc = m.Incident(
            fingerprint="f" * 64,
            rule="blanket-shutdown",
            severity="high",
            labels={"district": "龙沙区"},
            district="龙沙区",
            sector="life_services",
            due_at=T + timedelta(hours=2),
        )
        s.add(inc)
        s.flush()
        digest = m.Digest(
            department_code="lsq", period="daily", day="2026-11-27", html="<p>", text="t"
        )
        s.add(digest)
        s.flush()
        note = m.Notification(
            idempotency_key="inc-1/lsq/firing/1/email#0",
            incident_id=inc.id,
            department_code="lsq",
            channel="email#0",
            kind="firing",
            payload={"kind": "firing"},
            next_attempt_at=T,
        )
        s.add(note)
        s.flush()
        item = m.TriageItem(  # issue 11: the 待研判 queue
            post_id=post.id,
            fields=["shutdown"],
            rules=["shutdown-report"],
            shutdown_score=0.6,
            blanket_score=0.1,
            district="龙沙区",
            locality="本地：提及龙沙区的地名",
        )
        s.add(item)
        user = m.User(
            username="li", password_hash="$argon2id$x", role="officer", department_code="lsq"
        )
        s.add(user)
        s.flush()
        rows: dict[type, Any] = {
            m.Source: src,
            m.Post: post,
            m.Incident: inc,
            m.Digest: digest,
            m.Notification: note,
            m.TriageItem: item,
            m.TriageDepartment: m.TriageDepartment(item_id=item.id, department_code="lsq"),
            m.CrawlRun: m.CrawlRun(
                source_id=src.id, drops={"missing_title": 2}, error_messages=["x"]
            ),
            m.PostTag: m.PostTag(
                post_id=post.id,
                model_version="v1",
                shutdown=True,
                shutdown_score=0.9,
                blanket=True,
                complaint=False,
                complaint_score=0.1,
                sector="other",
                sector_score=0.5,
                district=None,
                city_match="齐市",  # issue 11: the locality gate's signal
                licensed=False,
                evidence={"a": [1]},
            ),
            m.Department: m.Department(
                code="lsq", name="龙沙区人民政府", kind="district", contacts=["x"]
            ),
            m.IncidentPost: m.IncidentPost(incident_id=inc.id, post_id=post.id),
            m.IncidentDepartment: m.IncidentDepartment(
                incident_id=inc.id, department_code="lsq", route="routes[5]"
            ),
            m.DeliveryAttempt: m.DeliveryAttempt(
                notification_id=note.id, ok=False, error="timeout"
            ),
            m.Silence: m.Silence(
                matchers=['district="龙沙区"'],
                starts_at=T,
                ends_at=T + timedelta(days=1),
                author="admin",
                comment="维护",
            ),
            m.User: user,
            m.WebSession: m.WebSession(  # issue 14: sessions end at logout
                id="s" * 64, user_id=user.id, address="127.0.0.1", user_agent="test"
            ),
            m.LoginThrottle: m.LoginThrottle(  # issue 14: back-off, never a lockout
                username="li", address="127.0.0.1", failures=3, blocked_until=T
            ),
            m.AuditLog: m.AuditLog(
                actor="li", action="acknowledge", object_type="incident", object_id="1"
            ),
            m.Feedback: m.Feedback(post_id=post.id, actor="li", field="shutdown", new_value="0"),
            m.ProcessLock: m.ProcessLock(name="scheduler", holder="host:1"),
            m.AlertCursor: m.AlertCursor(name="posts", tagged_at=T, last_id=7),
            m.SchedulerJob: m.SchedulerJob(id="evaluate", next_run_time=1.5, job_state=b"\x00\x01"),
        }
        for row in rows.values():
            if row not in (src, post, inc, digest, note, item, user):
                s.add(row)
    return rows


def test_every_model_round_trips(database: Database) -> None:
    written = build(database)
    assert set(written) == {mapper.class_ for mapper in m.Base.registry.mappers}
    for model, row in written.items():
        cols = [c.key for c in model.__mapper__.column_attrs]
        expected = {c: getattr(row, c) for c in cols}
        pk = model.__mapper__.primary_key_from_instance(row)
        with database.session() as s:
            got = s.get(model, pk[0] if len(pk) == 1 else tuple(pk))
            assert got is not None, model
            assert {c: getattr(got, c) for c in cols} == expected, model


def test_datetimes_come_back_aware_utc(database: Database) -> None:
    build(database)
    with database.session() as s:
        post = s.execute(select(m.Post)).scalar_one()
    assert post.published_at.tzinfo is not None
    assert post.published_at.utcoffset() == timedelta(0)
    assert post.published_at == T


def test_naive_datetimes_are_refused(database: Database) -> None:
    with pytest.raises(Exception, match="naive datetime"), database.session() as s:
        s.add(
            m.Silence(
                matchers=[], starts_at=datetime(2026, 1, 1), ends_at=datetime.now(UTC), author="a"
            )
        )
        s.flush()


def test_one_open_incident_per_fingerprint(database: Database) -> None:
    with database.session() as s:
        s.add(m.Incident(fingerprint="x", rule="r", severity="high", status="resolved"))
        s.add(m.Incident(fingerprint="x", rule="r", severity="high", status="resolved"))
        s.add(m.Incident(fingerprint="x", rule="r", severity="high", status="open"))
    with pytest.raises(Exception, match=r"(?i)unique"), database.session() as s:
        s.add(m.Incident(fingerprint="x", rule="r", severity="high", status="acknowledged"))
