"""Issue 13 on the incident page: 主办 / 协办 (only the lead resolves; co-handlers give
feedback and mark their part done; everyone sees who holds it), merged incidents (已并入 #N,
with the reason in Chinese) and people by display name."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from tests.app.web.conftest import Clients, Seed, post_form, text_of
from tests.conftest import FakeClock
from yuqing.alerts.merge import merge
from yuqing.config import Config
from yuqing.store.models import Incident, IncidentDepartment, IncidentPost, User
from yuqing.store.session import Database

# a 一刀切 incident cites the city's notice: resolving it takes the structured fields too
OUTCOME = {
    "verification": "现场核实属实",
    "verified": "true",
    "production_restored": "yes",
    "public_response": "replied",
}


def _lead(db: Database, incident_id: int, code: str) -> None:
    with db.session() as s:
        s.execute(update(Incident).where(Incident.id == incident_id).values(lead_department=code))


def test_issue_13_a_co_handler_cannot_close_it_for_everyone(
    clients: Clients, seed: Seed, sqlite_database: Database, clock: FakeClock
) -> None:
    _lead(sqlite_database, seed.lsq, "dczg")  # lsq co-handles; dczg leads
    with sqlite_database.session() as s:
        s.execute(update(User).where(User.username == "lsq1").values(display_name="王芳"))
    c = clients.login("lsq1")
    url = f"/incidents/{seed.lsq}"
    page = c.get(url).text
    card = text_of(page[page.index('id="handlers"') : page.index('id="form-part-feedback"')])
    # everyone on it sees who else holds it, and each one's state
    assert (
        "承办单位 市生态环境局督察整改办 主办 待签收 龙沙区人民政府 协办 协办中 "
        "市信访局 协办 协办中 本事件由市生态环境局督察整改办主办并办结；"
        "协办单位请反馈办理情况并标记协办完成。"
    ) in card
    assert 'id="form-resolve"' not in page and 'id="form-part-done"' in page
    refused = post_form(c, f"{url}/resolve", {"resolution": "已恢复营业"})
    assert refused.status_code == 409
    assert "只有主办单位或管理员可以办结" in text_of(refused.text)
    with sqlite_database.session() as s:
        assert s.get(Incident, seed.lsq).status == "open"  # type: ignore[union-attr]
    clock.advance(minutes=5)
    assert post_form(c, f"{url}/feedback", {"note": "属地已核实"}).status_code == 303
    done = post_form(c, f"{url}/part-done", {"note": "本单位部分已完成"})
    assert done.headers["location"] == f"{url}?msg=part_done"
    page = c.get(url).text
    card = text_of(page[page.index('id="handlers"') :])
    assert "龙沙区人民政府 协办 协办完成" in card
    assert "王芳" in card and "标记协办完成：本单位部分已完成" in card
    timeline = text_of(page[page.index('id="timeline"') :])
    assert "王芳" in timeline and "协办反馈" in timeline and "属地已核实" in timeline
    assert "lsq1 协办" not in timeline  # the person, not the login
    with sqlite_database.session() as s:
        row = s.get(IncidentDepartment, (seed.lsq, "lsq"))
        assert row is not None and (row.done_by, row.done_at) == ("lsq1", clock())
    # an admin resolves for everyone
    admin = clients.login("admin")
    assert (
        post_form(admin, f"{url}/resolve", {"resolution": "已纠正", **OUTCOME}).status_code == 303
    )


def test_issue_13_the_lead_resolves_and_cannot_mark_a_part_done(
    clients: Clients, seed: Seed, sqlite_database: Database
) -> None:
    _lead(sqlite_database, seed.lsq, "lsq")
    c = clients.login("lsq1")
    url = f"/incidents/{seed.lsq}"
    page = c.get(url).text
    assert 'id="form-resolve"' in page and 'id="form-part-done"' not in page
    no = post_form(c, f"{url}/part-done")
    assert no.status_code == 409 and "贵单位负责办结本事件" in text_of(no.text)
    assert (
        post_form(c, f"{url}/resolve", {"resolution": "已恢复营业", **OUTCOME}).status_code == 303
    )


def test_issue_13_merged_incident_says_why_in_chinese(
    clients: Clients, seed: Seed, sqlite_database: Database, config: Config, clock: FakeClock
) -> None:
    from yuqing.alerts.context import context_for

    reason = "「一刀切式关停」优先于「关停报告」：同一区县、同一行业已有「一刀切式关停」事件"
    with sqlite_database.session() as s:
        merge(s, context_for(config), seed.escalated, seed.lsq, reason, clock() + timedelta(0))
        moved = (
            s.execute(
                select(IncidentPost.post_id).where(
                    IncidentPost.incident_id == seed.lsq, IncidentPost.moved_from == seed.escalated
                )
            )
            .scalars()
            .all()
        )
    admin = clients.login("admin")
    low = text_of(admin.get(f"/incidents/{seed.escalated}").text)
    assert f"已并入 #{seed.lsq}" in low and reason in low
    assert "inhibited by" not in low and "inhibit_rules" not in low
    high_html = admin.get(f"/incidents/{seed.lsq}").text
    high = text_of(high_html)
    assert f"已并入本事件（1） #{seed.escalated}" in high
    for post_id in moved:
        why = high_html[high_html.index(f'data-why="{post_id}"') :]
        assert f"由事件 #{seed.escalated}" in text_of(why[: why.index("</p>")])
    timeline = text_of(high_html[high_html.index('id="timeline"') :])
    assert f"（原 #{seed.escalated}）" in timeline and "并入下级事件" in timeline
