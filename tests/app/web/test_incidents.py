"""The inbox (filters, order, overdue, counts) and the incident page (posts, evidence, tags,
timeline) and its actions, each of which is audit-logged."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from tests.app.web.conftest import Clients, Seed, post_form, text_of
from tests.conftest import FakeClock
from yuqing.store.models import AuditLog, Feedback, Incident
from yuqing.store.session import Database


def _rows(html: str) -> list[tuple[int, bool]]:
    """(incident id, overdue) for each inbox row, in page order."""
    return [
        (int(i), "overdue" in cls)
        for cls, i in re.findall(r'<tr class="([^"]*)" data-incident="(\d+)"', html)
    ]


def test_inbox_sorted_by_due_time_with_overdue_marked(clients: Clients, seed: Seed) -> None:
    html = clients.login("admin").get("/inbox").text
    # due: escalated 09:00-6h+8h=11:00 (ok), lsq 08:00 (overdue by 1h), jhq 16:00
    assert _rows(html) == [(seed.lsq, True), (seed.escalated, False), (seed.jhq, False)]
    assert "已超时 1 小时 0 分" in html and 'id="overdue-count">已超时 1 件' in html


def test_overdue_follows_the_clock(clients: Clients, seed: Seed, clock: FakeClock) -> None:
    clock.advance(hours=3)
    html = clients.login("admin").get("/inbox").text
    assert _rows(html) == [(seed.lsq, True), (seed.escalated, True), (seed.jhq, False)]


def test_inbox_filters(clients: Clients, seed: Seed) -> None:
    admin = clients.login("admin")
    ids = lambda q: [i for i, _ in _rows(admin.get("/inbox" + q).text)]  # noqa: E731
    assert ids("?severity=medium") == [seed.escalated, seed.jhq]
    assert ids("?sector=construction") == [seed.jhq]
    assert ids("?district=建华区") == [seed.jhq]
    assert ids("?status=resolved") == [seed.resolved]
    assert ids("?status=open") == [seed.lsq, seed.jhq]
    assert ids("?status=acknowledged") == [seed.escalated]
    # unknown values are ignored, not passed on
    assert ids("?status=evil&severity=x'--&district=<b>") == [seed.lsq, seed.escalated, seed.jhq]
    assert admin.get("/inbox?page=abc").status_code == 400  # issue 14: said, not defaulted
    assert ids("?page=2") == []


def test_incident_page_shows_posts_evidence_tags_and_timeline(clients: Clients, seed: Seed) -> None:
    html = clients.login("lsq1").get(f"/incidents/{seed.lsq}").text
    assert "<mark>一刀切全部关停</mark>" in html and "<mark>龙沙区烧烤</mark>" in html
    assert "<mark>统一停业</mark>" in html and "<mark>谁来管</mark>" in html
    assert '关停 是<span class="sc">0.97</span>' in html
    assert "行业 生活服务业" in html
    assert 'href="https://bbs.example.cn/thread/' in html
    assert 'rel="noopener noreferrer nofollow"' in html
    assert "一刀切式关停（集中、突然或波及证照齐全的企业）" in html or "blanket-shutdown" in html
    timeline = text_of(html[html.index('id="timeline"') :])
    assert "事件开立" in timeline
    assert "预警通知 → 龙沙区人民政府" in timeline and "已送达" in timeline
    assert "预警通知 → 市生态环境局督察整改办" in timeline and "发送失败" in timeline
    assert "已超时 1 小时 0 分" in html


def test_escalation_appears_in_the_timeline(
    clients: Clients, seed: Seed, sqlite_database: Database, clock: FakeClock
) -> None:
    with sqlite_database.session() as s:  # as yuqing.alerts.escalation and notify write them
        for action, detail in (
            ("incident.escalate", {"level": 1, "to": ["dcs"], "overdue_minutes": 35}),
            ("incident.suppress", {"department": "lsq", "reason": "silence #3 by admin"}),
        ):
            s.add(
                AuditLog(
                    at=clock(),
                    actor="yuqing",
                    action=action,
                    object_type="incident",
                    object_id=str(seed.escalated),
                    detail=detail,
                )
            )
    html = clients.login("dcs1").get(f"/incidents/{seed.escalated}").text
    text = text_of(html)
    assert "系统 升级督办 第 1 级，超时 35 分钟，通知 市政府督查室" in text
    assert "系统 通知被抑制 龙沙区人民政府：静默期内暂停通知（静默规则 #3，admin 设置）" in text
    assert "升级督办（第 1 级） → 市政府督查室 邮件 · 已送达" in text_of(html)


def test_acknowledge_assign_note_resolve(
    clients: Clients, seed: Seed, sqlite_database: Database, clock: FakeClock
) -> None:
    c = clients.login("lsq1")
    url = f"/incidents/{seed.lsq}"
    r = post_form(c, f"{url}/acknowledge", {"note": "已联系属地街道"})
    assert r.headers["location"] == f"{url}?msg=acknowledged"
    again = post_form(c, f"{url}/acknowledge")
    assert again.status_code == 409 and "该事件已签收，不能签收" in again.text
    clock.advance(minutes=5)
    assert post_form(c, f"{url}/assign", {"assignee": "lsq2"}).status_code == 303
    assert post_form(c, f"{url}/note", {"note": "  "}).status_code == 409
    assert post_form(c, f"{url}/note", {"note": "现场核查中"}).status_code == 303
    missing = post_form(c, f"{url}/resolve", {"resolution": " "})
    assert missing.status_code == 409 and "必须填写办理结果" in missing.text
    clock.advance(minutes=30)
    fields = {  # issue 13: a 一刀切 incident resolves with the structured fields
        "verification": "属实",
        "verified": "true",
        "production_restored": "yes",
        "public_response": "replied",
    }
    assert post_form(c, f"{url}/resolve", {"resolution": "已恢复营业", **fields}).status_code == 303
    with sqlite_database.session() as s:
        inc = s.get(Incident, seed.lsq)
        assert inc is not None
        assert (inc.status, inc.acknowledged_by, inc.ack_note) == (
            "resolved",
            "lsq1",
            "已联系属地街道",
        )
        assert (inc.assigned_to, inc.resolved_by, inc.resolution) == ("lsq2", "lsq1", "已恢复营业")
        assert inc.resolved_at == clock()
        actions = list(
            s.scalars(
                select(AuditLog.action)
                .where(AuditLog.object_type == "incident", AuditLog.object_id == str(seed.lsq))
                .order_by(AuditLog.id)
            )
        )
    assert actions == [
        "incident.acknowledge",
        "incident.assign",
        "incident.note",
        "incident.resolve",
    ]
    page = c.get(url).text
    assert 'id="form-resolve"' not in page and 'id="form-acknowledge"' not in page
    timeline = text_of(page[page.index('id="timeline"') :])
    assert "lsq1 签收 已联系属地街道" in timeline and "lsq1 指派 指派给 lsq2" in timeline
    assert "lsq1 备注 现场核查中" in timeline and "lsq1 办结 已恢复营业" in timeline
    done = post_form(c, f"{url}/resolve", {"resolution": "again"})
    assert done.status_code == 409 and "已办结" in done.text


def test_feedback_is_stored_for_retraining(
    clients: Clients, seed: Seed, sqlite_database: Database
) -> None:
    c = clients.login("lsq1")
    base = f"/incidents/{seed.lsq}/posts/{seed.plain_post}"
    assert post_form(c, f"{base}/false-positive", {"note": "正常整改"}).status_code == 303
    r = post_form(
        c,
        f"{base}/tags",
        {
            "shutdown": "0",
            "blanket": "__keep__",
            "sector": "urban_management",
            "district": "",
            "complaint": "1",
            "note": "是洗车行业",
        },
    )
    assert r.status_code == 303
    unchanged = post_form(c, f"{base}/tags", {"complaint": "1"})
    assert unchanged.status_code == 400 and "未修改任何标签" in unchanged.text
    bad = post_form(c, f"{base}/tags", {"sector": "casino"})
    assert bad.status_code == 400 and "取值无效" in bad.text
    with sqlite_database.session() as s:
        rows = s.execute(
            select(Feedback.field, Feedback.old_value, Feedback.new_value, Feedback.actor).order_by(
                Feedback.id
            )
        ).all()
        audit = list(s.scalars(select(AuditLog.action).where(AuditLog.object_type == "post")))
    assert [tuple(r) for r in rows] == [
        ("false_positive", None, "1", "lsq1"),
        ("shutdown", "1", "0", "lsq1"),
        ("sector", "life_services", "urban_management", "lsq1"),
        ("district", "龙沙区", "", "lsq1"),
    ]
    assert audit == ["feedback.false_positive", "feedback.correct"]
    page = text_of(c.get(f"/incidents/{seed.lsq}").text)
    assert "lsq1：误报 — → 是（正常整改）" in page


def test_admin_can_act_and_assign_within_incident_departments(clients: Clients, seed: Seed) -> None:
    admin = clients.login("admin")
    page = admin.get(f"/incidents/{seed.jhq}").text
    assert 'value="jhq1"' in page and 'value="lsq1"' not in page
    r = post_form(admin, f"/incidents/{seed.jhq}/assign", {"assignee": "jhq1"})
    assert r.status_code == 303


def test_unknown_incident_is_404(clients: Clients, seed: Seed) -> None:
    assert clients.login("admin").get("/incidents/99999").status_code == 404
    bad = clients.login("admin").get("/incidents/abc")
    assert bad.status_code == 400 and "请求无效" in bad.text


def test_due_time_shown_in_local_time(clients: Clients, seed: Seed, clock: FakeClock) -> None:
    html = clients.login("lsq1").get(f"/incidents/{seed.lsq}").text
    due = clock() - timedelta(hours=1)  # 08:00 UTC = 16:00 Asia/Shanghai
    assert due.hour == 8 and "办理期限</dt><dd>2026-11-27 16:00" in html
