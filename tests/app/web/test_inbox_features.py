"""The inbox's officer features (issue 13 item 6): snippet, countdown, search, rule filter,
page count, bulk 签收 (scoped, audit-logged) and the export of the filtered list."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

from sqlalchemy import select

from tests.app.web import factories as f
from tests.app.web.conftest import Clients, Seed, post_form, text_of
from tests.conftest import FakeClock
from yuqing.app.web.inbox import PAGE_SIZE
from yuqing.store.models import AuditLog, Incident, User
from yuqing.store.session import Database


def _ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'data-incident="(\d+)"', html)]


def test_rows_show_snippet_and_countdown(clients: Clients, seed: Seed) -> None:
    """issue 13: a snippet per row; 剩余 … before the deadline, 已超时 … after (server-side)."""
    html = clients.login("admin").get("/inbox").text
    found = re.search(rf'data-snippet="{seed.lsq}">(.*?)</div>', html, re.S)
    assert found is not None and "<mark>统一停业</mark>" in found.group(1)  # its key post's terms
    text = text_of(html)
    assert "2026-11-27 16:00 已超时 1 小时 0 分" in text  # lsq: due 1 h ago
    assert "2026-11-27 19:00 剩余 2 小时 0 分" in text  # escalated
    assert "2026-11-28 00:00 剩余 7 小时 0 分" in text  # jhq


def test_countdown_follows_the_clock(clients: Clients, seed: Seed, clock: FakeClock) -> None:
    clock.advance(hours=3)
    text = text_of(clients.login("admin").get("/inbox").text)
    assert "已超时 4 小时 0 分" in text and "已超时 1 小时 0 分" in text
    assert "剩余 4 小时 0 分" in text


def test_search_and_rule_filter(clients: Clients, seed: Seed) -> None:
    admin = clients.login("admin")
    assert _ids(admin.get("/inbox?q=工地").text) == [seed.jhq]  # the post text
    assert _ids(admin.get(f"/inbox?q=%23{seed.jhq}").text) == [seed.jhq]  # #number
    assert _ids(admin.get("/inbox?q=100%25").text) == []  # LIKE wildcards are text
    assert _ids(admin.get("/inbox?rule=shutdown-report").text) == [seed.escalated, seed.jhq]
    assert _ids(admin.get("/inbox?rule=no-such-rule").text) == [
        seed.lsq,
        seed.escalated,
        seed.jhq,
    ]
    # an officer's search stays within the department
    assert _ids(clients.login("jhq1").get("/inbox?q=烧烤").text) == []


def test_page_count(
    clients: Clients, seed: Seed, sqlite_database: Database, clock: FakeClock
) -> None:
    with sqlite_database.session() as s:
        for i in range(PAGE_SIZE + 5):
            f.incident(s, departments=["jhq"], opened_at=clock() - timedelta(minutes=i))
    jhq = clients.login("jhq1")
    assert "第 1 / 2 页" in text_of(jhq.get("/inbox").text)
    second = jhq.get("/inbox?page=2").text
    assert "第 2 / 2 页" in text_of(second) and len(_ids(second)) == 6


def test_bulk_acknowledge_only_what_the_officer_may(
    clients: Clients, seed: Seed, sqlite_database: Database
) -> None:
    """issue 13: one POST with CSRF; only open incidents of the officer's department are
    acknowledged; each is audit-logged, and the batch once."""
    lsq = clients.login("lsq1")
    form = {"incident": str(seed.lsq), "status": "open"}
    token_page = lsq.get("/account").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', token_page)
    assert csrf
    chosen = [seed.lsq, seed.jhq, seed.escalated, seed.resolved]  # jhq: not lsq's department
    r = lsq.post(
        "/inbox/acknowledge",
        data={**form, "incident": [str(i) for i in chosen], "csrf_token": csrf.group(1)},
    )
    assert r.status_code == 303
    assert r.headers["location"] == "/inbox?status=open&acked=1&skipped=3"
    assert "已签收 1 件，跳过 3 件" in text_of(lsq.get(r.headers["location"]).text)
    with sqlite_database.session() as s:
        status = {i.id: i.status for i in s.scalars(select(Incident))}
        assert status[seed.lsq] == "acknowledged" and status[seed.jhq] == "open"
        acks = s.scalars(select(AuditLog).where(AuditLog.action == "incident.acknowledge"))
        assert [(a.object_id, a.actor) for a in acks] == [(str(seed.lsq), "lsq1")]
        batch = s.scalar(select(AuditLog).where(AuditLog.action == "incident.bulk_acknowledge"))
        assert batch is not None and batch.actor == "lsq1"
        assert batch.detail["acknowledged"] == [seed.lsq]
        assert batch.detail["skipped"] == [seed.jhq, seed.escalated, seed.resolved]
    assert "批量签收" in text_of(clients.login("admin").get("/admin/audit").text)


def test_bulk_acknowledge_needs_csrf_and_an_acting_role(clients: Clients, seed: Seed) -> None:
    lsq = clients.login("lsq1")
    assert lsq.post("/inbox/acknowledge", data={"incident": str(seed.lsq)}).status_code == 403
    ana = clients.login("ana")
    assert post_form(ana, "/inbox/acknowledge", {"incident": str(seed.lsq)}).status_code == 403


def test_export_is_the_filtered_list_in_chinese(
    clients: Clients, seed: Seed, sqlite_database: Database
) -> None:
    lsq = clients.login("lsq1")
    r = lsq.get("/inbox/export.csv?status=all&severity=high")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][:6] == ["编号", "事件", "预警规则", "严重程度", "状态", "行业"]
    assert [row[0] for row in rows[1:]] == [str(seed.lsq)]  # jhq's is not lsq1's to see
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["严重程度"] == "紧急" and row["状态"] == "待签收" and row["行业"] == "生活服务业"
    assert row["剩余/超时"] == "已超时 1 小时 0 分"
    assert "龙沙区人民政府" in row["责任部门"] and row["最新帖文摘要"].startswith(
        "龙沙区多家洗车店"
    )
    assert not re.search(r"[a-z]+_[a-z]+|blanket|high", ",".join(rows[1]))
    # issue 13: the 一刀切 incident cites the city's notice and the clause its posts matched
    assert row["政策依据"].startswith("《齐齐哈尔市坚决禁止生态环境保护问题整改“一刀切”》")
    assert "生活服务业" in row["政策依据"] or "总体要求" in row["政策依据"]
    with sqlite_database.session() as s:
        entry = s.scalar(select(AuditLog).where(AuditLog.object_id == "inbox"))
        assert entry is not None and entry.actor == "lsq1"
        assert entry.detail == {"format": "csv", "status": "all", "severity": "high", "rows": 1}


def test_inbox_and_export_name_people_not_logins(
    clients: Clients, seed: Seed, sqlite_database: Database
) -> None:
    """issue 13: the 承办 column and the export's 签收人/承办人 name the person, never ``lsq1``."""
    with sqlite_database.session() as s:
        user = s.scalar(select(User).where(User.username == "lsq1"))
        assert user is not None
        user.display_name = "王芳"
    lsq = clients.login("lsq1")
    post_form(lsq, "/inbox/acknowledge", {"incident": str(seed.lsq)})
    html = lsq.get("/inbox?status=all").text
    row = re.search(rf'data-incident="{seed.lsq}".*?</tr>', html, re.S)
    assert row is not None
    cell = re.search(r'data-label="承办">(.*?)</td>', row.group(0), re.S)
    assert cell is not None and cell.group(1).startswith("王芳") and "lsq1" not in cell.group(1)
    r = lsq.get("/inbox/export.csv?status=all&severity=high")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["签收人"].startswith("王芳") and "lsq1" not in ",".join(rows[1])
    other = lsq.get("/inbox/export.csv?status=all&rule=shutdown-report").content
    cited = list(csv.DictReader(io.StringIO(other.decode("utf-8-sig"))))
    assert cited and {r["政策依据"] for r in cited} == {""}  # no notice for 关停报告


def test_timeline_names_the_assignee_not_the_login(
    clients: Clients, seed: Seed, sqlite_database: Database
) -> None:
    """issue 13: the incident's timeline reads 指派给 李明, not 指派给 lsq2."""
    with sqlite_database.session() as s:
        user = s.scalar(select(User).where(User.username == "lsq2"))
        assert user is not None
        user.display_name = "李明"
    lsq = clients.login("lsq1")
    url = f"/incidents/{seed.lsq}"
    assert post_form(lsq, f"{url}/assign", {"assignee": "lsq2"}).status_code == 303
    page = lsq.get(url).text
    timeline = text_of(page[page.index('id="timeline"') :])
    assert "指派给 李明" in timeline and "lsq2" not in timeline


def _count(html: str, status: str) -> int:
    found = re.search(rf'data-status="{status}">[^<]*<span class="count">(\d+)</span>', html)
    assert found is not None, status
    return int(found.group(1))


def test_merged_incidents_stay_out_of_the_inbox(
    clients: Clients, seed: Seed, sqlite_database: Database, clock: FakeClock
) -> None:
    """issue 13: an incident merged into another (已并入 #N) is one event, not one more 已办结:
    left out of the lists and counts unless asked for, still reachable from its own URL and
    from the incident it went into."""
    admin = clients.login("admin")
    before = admin.get("/inbox?status=all").text
    assert seed.resolved in _ids(before)
    assert (_count(before, "resolved"), _count(before, "all")) == (1, 4)
    with sqlite_database.session() as s:
        merged = s.get(Incident, seed.resolved)
        assert merged is not None
        merged.merged_into, merged.merged_at, merged.merge_reason = seed.lsq, clock(), "同一事件"
        merged.resolution = f"已并入 #{seed.lsq}：同一事件"
    html = admin.get("/inbox?status=all").text
    assert seed.resolved not in _ids(html)
    assert (_count(html, "resolved"), _count(html, "all")) == (0, 3)
    assert _ids(admin.get("/inbox?status=resolved").text) == []
    assert _ids(admin.get(f"/inbox?status=all&q=%23{seed.resolved}").text) == []
    exported = admin.get("/inbox/export.csv?status=all").content.decode("utf-8-sig")
    ids = sorted(int(row[0]) for row in list(csv.reader(io.StringIO(exported)))[1:])
    assert ids == sorted([seed.lsq, seed.jhq, seed.escalated])  # not exported either
    # asked for, they are listed and counted
    shown = admin.get("/inbox?status=resolved&merged=1").text
    assert _ids(shown) == [seed.resolved] and _count(shown, "resolved") == 1
    # reachable by its own URL, and from the incident it was merged into
    assert admin.get(f"/incidents/{seed.resolved}").status_code == 200
    assert f'href="/incidents/{seed.resolved}"' in admin.get(f"/incidents/{seed.lsq}").text
