"""Issue 11: the 待研判 page (scoped like incidents, CSRF like the other forms) and the reasons
the incident page gives for each alerted post."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.app.web import factories as f
from tests.app.web.conftest import Clients, Seed, post_form, text_of
from tests.conftest import FakeClock
from yuqing.store.models import AuditLog, Feedback, Incident, IncidentPost, Source, TriageItem
from yuqing.store.session import Database


def _item(db: Database, item_id: int) -> TriageItem:
    with db.session() as s:
        item = s.get(TriageItem, item_id)
        assert item is not None
        s.expunge(item)
        return item


def test_queue_page_is_scoped_like_incidents(clients: Clients, seed: Seed) -> None:
    jhq = clients.login("jhq1").get("/triage")
    assert jhq.status_code == 200
    assert f'data-triage="{seed.triage}"' in jhq.text
    page = text_of(jhq.text)
    assert "待研判" in page and "建华区工地停工" in page and "确认（开立事件）" in page
    for name in ("ana", "admin"):
        assert f'data-triage="{seed.triage}"' in clients.login(name).get("/triage").text
    other = clients.login("lsq1").get("/triage")
    assert other.status_code == 200 and f'data-triage="{seed.triage}"' not in other.text
    assert "没有待研判的帖文" in text_of(other.text)


def test_other_department_cannot_answer(
    clients: Clients, seed: Seed, sqlite_database: Database
) -> None:
    r = post_form(clients.login("lsq1"), f"/triage/{seed.triage}/confirm")
    assert r.status_code == 404
    assert _item(sqlite_database, seed.triage).status == "pending"


def test_answer_needs_the_csrf_token(
    clients: Clients, seed: Seed, sqlite_database: Database
) -> None:
    c = clients.login("jhq1")
    for token in (None, "forged"):
        data = {"note": "x"} if token is None else {"note": "x", "csrf_token": token}
        assert c.post(f"/triage/{seed.triage}/reject", data=data).status_code == 403
    assert _item(sqlite_database, seed.triage).status == "pending"


def test_confirm_in_the_web_opens_and_routes_the_incident(
    clients: Clients, seed: Seed, sqlite_database: Database
) -> None:
    c = clients.login("ana")
    r = post_form(c, f"/triage/{seed.triage}/confirm", {"note": "确有其事"})
    assert r.status_code == 303 and r.headers["location"] == "/triage?msg=triage_confirmed"
    item = _item(sqlite_database, seed.triage)
    assert (item.status, item.decided_by, item.note) == ("confirmed", "ana", "确有其事")
    assert item.incident_ids
    with sqlite_database.session() as s:
        rules = set(s.scalars(select(Incident.rule).where(Incident.id.in_(item.incident_ids))))
        assert "blanket-shutdown" in rules
        listed = set(
            s.scalars(
                select(IncidentPost.post_id).where(IncidentPost.incident_id.in_(item.incident_ids))
            )
        )
        assert listed == {seed.jhq_post}
        fields = {
            (fb.field, fb.new_value)
            for fb in s.scalars(select(Feedback).where(Feedback.post_id == seed.jhq_post))
        }
        assert fields == {("shutdown", "1"), ("blanket", "1")}
        assert (
            s.scalar(
                select(AuditLog.actor).where(
                    AuditLog.action == "triage.confirm", AuditLog.object_type == "triage"
                )
            )
            == "ana"
        )
    # the incident page says why the post was alerted
    page = text_of(c.get(f"/incidents/{item.incident_ids[0]}").text)
    assert (
        "预警依据：本地：提及建华区的地名；"
        "评分处于待研判区间（关停、一刀切），经 ana 研判确认后预警：确有其事" in page
    )
    done = text_of(c.get("/triage?status=confirmed&msg=triage_confirmed").text)
    assert "已确认：事件已开立并分派" in done and f"事件 #{item.incident_ids[0]}" in done


def test_reject_in_the_web_records_feedback(
    clients: Clients, seed: Seed, sqlite_database: Database
) -> None:
    c = clients.login("jhq1")
    r = post_form(c, f"/triage/{seed.triage}/reject", {"note": "只是停工检修"})
    assert r.status_code == 303
    item = _item(sqlite_database, seed.triage)
    assert (item.status, item.incident_ids) == ("rejected", [])
    with sqlite_database.session() as s:
        values = {
            fb.new_value
            for fb in s.scalars(select(Feedback).where(Feedback.post_id == seed.jhq_post))
        }
        assert values == {"0"}
    # answered: a second answer is refused with the reason, in Chinese
    again = post_form(c, f"/triage/{seed.triage}/confirm")
    assert again.status_code == 409 and "操作未执行" in text_of(again.text)


def test_incident_page_says_why_each_post_was_alerted(clients: Clients, seed: Seed) -> None:
    page = text_of(clients.login("lsq1").get(f"/incidents/{seed.lsq}").text)
    assert "预警依据：本地：提及龙沙区的地名" in page


def test_posts_about_other_places_are_listed_and_marked(
    clients: Clients, seed: Seed, sqlite_database: Database, clock: FakeClock
) -> None:
    """Issue 11: posts about other places stay searchable, marked as never alerted."""
    with sqlite_database.session() as s:
        src = s.get(Source, seed.source_failing)  # weibo-search: not a local source
        assert src is not None
        far = f.post(
            s,
            src,
            title="外省某县烧烤店被关停",
            text="某县烧烤店被一刀切关停。",
            published_at=clock() - timedelta(hours=1),
            tags={"district": None, "district_match": None},
        ).id
    page = clients.login("ana").get("/posts").text
    assert f'data-other-region="{far}"' in page
    assert f'data-other-region="{seed.plain_post}"' not in page
    assert "其他地区·不预警" in text_of(page)
