"""Admin pages: users and roles, silences (via yuqing.alerts.silences), sources and crawl
health, departments and routing as loaded, the audit log."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.app.web.conftest import Clients, Seed, post_form, text_of
from tests.conftest import FakeClock
from yuqing.config import Config
from yuqing.store import departments
from yuqing.store.models import AuditLog, Department, IncidentDepartment, Silence, Source, User
from yuqing.store.session import Database


def _user(db: Database, name: str) -> User | None:
    with db.session() as s:
        return s.scalar(select(User).where(User.username == name))


def test_create_and_change_users(clients: Clients, seed: Seed, sqlite_database: Database) -> None:
    admin = clients.login("admin")
    form = {
        "username": "zjj1",
        "display_name": "张三",
        "role": "officer",
        "department": "zjj",
        "password": "a-long-password",
    }
    assert (
        post_form(admin, "/admin/users", form).headers["location"]
        == "/admin/users?msg=user_created"
    )
    created = _user(sqlite_database, "zjj1")
    assert created is not None and created.department_code == "zjj" and created.role == "officer"
    assert created.password_hash.startswith("$argon2id$")
    clients.login("zjj1", "a-long-password")
    r = post_form(
        admin,
        f"/admin/users/{created.id}",
        {
            "role": "analyst",
            "department": "",
            "display_name": "张三",
            "active": "1",
            "password": "another-password",
        },
    )
    assert r.status_code == 303
    changed = _user(sqlite_database, "zjj1")
    assert changed is not None and changed.role == "analyst" and changed.department_code is None
    clients.login("zjj1", "another-password")
    with sqlite_database.session() as s:
        actions = list(s.scalars(select(AuditLog.action).where(AuditLog.object_id == "zjj1")))
    assert actions[:3] == ["user.create", "login", "user.update"] and "user.password" in actions
    assert "张三" in admin.get("/admin/users").text


def test_user_errors_are_shown_in_chinese(clients: Clients, seed: Seed) -> None:
    admin = clients.login("admin")
    cases = [
        (
            {"username": "x1", "role": "officer", "department": "", "password": "long-enough-1"},
            "承办人员必须指定部门",
        ),
        (
            {
                "username": "x2",
                "role": "officer",
                "department": "nope",
                "password": "long-enough-1",
            },
            "未知的部门代码",
        ),
        ({"username": "x3", "role": "boss", "password": "long-enough-1"}, "无效的角色"),
        ({"username": "x4", "role": "analyst", "password": "short"}, "密码至少 10 个字符"),
        ({"username": "lsq1", "role": "analyst", "password": "long-enough-1"}, "用户 lsq1 已存在"),
        ({"username": "a b", "role": "analyst", "password": "long-enough-1"}, "用户名须为"),
    ]
    for form, message in cases:
        r = post_form(admin, "/admin/users", form)
        assert r.status_code == 400 and message in r.text, message


def test_last_admin_cannot_be_removed(
    clients: Clients, seed: Seed, sqlite_database: Database
) -> None:
    admin = clients.login("admin")
    r = post_form(
        admin,
        f"/admin/users/{seed.users['admin']}",
        {"role": "analyst", "department": "", "display_name": "admin", "active": "1"},
    )
    assert r.status_code == 400 and "最后一名管理员" in r.text
    assert _user(sqlite_database, "admin").role == "admin"  # type: ignore[union-attr]


def test_silences_create_and_expire(
    clients: Clients, seed: Seed, sqlite_database: Database, clock: FakeClock
) -> None:
    admin = clients.login("admin")
    form = {
        "matchers": 'district="龙沙区"\nsector=~"life_services|construction"',
        "duration": "1d",
        "comment": "督察组进驻期间",
    }
    r = post_form(admin, "/admin/silences", form)
    assert r.headers["location"] == "/admin/silences?msg=silence_created"
    with sqlite_database.session() as s:
        row = s.scalar(select(Silence).where(Silence.comment == "督察组进驻期间"))
        assert row is not None
        assert row.matchers == ['district="龙沙区"', 'sector=~"life_services|construction"']
        assert row.author == "admin" and row.ends_at - row.starts_at == timedelta(days=1)
        new_id = row.id
    page = text_of(admin.get("/admin/silences").text)
    assert f'#{new_id} district="龙沙区"' in page
    clock.advance(minutes=10)
    assert post_form(admin, f"/admin/silences/{new_id}/expire").status_code == 303
    with sqlite_database.session() as s:
        row = s.get(Silence, new_id)
        assert row is not None and row.ends_at == clock()
        actions = list(s.scalars(select(AuditLog.action).where(AuditLog.object_type == "silence")))
    assert actions == ["silence.create", "silence.create", "silence.expire"]  # seed + ours
    again = post_form(admin, f"/admin/silences/{new_id}/expire")
    assert again.status_code == 409 and "无法结束静默" in again.text


def test_silence_form_errors(clients: Clients, seed: Seed) -> None:
    admin = clients.login("admin")
    cases = [
        ({"matchers": "", "duration": "4h", "comment": "x"}, "请至少填写一条匹配条件"),
        ({"matchers": "district=龙沙区", "duration": "4h", "comment": "x"}, "匹配条件格式错误"),
        ({"matchers": 'district="龙沙区"', "duration": "4h", "comment": " "}, "请填写静默原因"),
        ({"matchers": 'district="龙沙区"', "duration": "99y", "comment": "x"}, "请选择静默时长"),
        ({"matchers": 'district=~".*"', "duration": "4h", "comment": "x"}, "无法创建静默"),
        (
            {
                "matchers": 'district="龙沙区"',
                "starts_at": "2026-11-28T10:00",
                "ends_at": "2026-11-28T09:00",
                "comment": "x",
            },
            "无法创建静默",
        ),
        (
            {"matchers": 'district="龙沙区"', "ends_at": "not-a-time", "comment": "x"},
            "参数 ends_at 的值 'not-a-time' 无效：应为 2000-01-01 至 2100-12-31 之间的时间",
        ),
        (  # issue 14: was OverflowError, a 500
            {"matchers": 'district="龙沙区"', "starts_at": "0001-01-01T00:00", "comment": "x"},
            "参数 starts_at 的值 '0001-01-01T00:00' 无效",
        ),
    ]
    for form, message in cases:
        r = post_form(admin, "/admin/silences", form)
        assert r.status_code == 400 and message in text_of(r.text), message


def test_silence_with_local_start_and_end(
    clients: Clients, seed: Seed, sqlite_database: Database
) -> None:
    admin = clients.login("admin")
    form = {
        "matchers": 'rule="surge"',
        "starts_at": "2026-11-28T08:00",
        "ends_at": "2026-11-28T20:00",
        "comment": "演练",
    }
    assert post_form(admin, "/admin/silences", form).status_code == 303
    with sqlite_database.session() as s:
        row = s.scalar(select(Silence).where(Silence.comment == "演练"))
        assert row is not None
        assert (row.starts_at.hour, row.ends_at.hour) == (0, 12)  # Asia/Shanghai is UTC+8


def test_sources_pages(clients: Clients, seed: Seed) -> None:
    admin = clients.login("admin")
    page = text_of(admin.get("/admin/sources").text)
    row = page[page.index("weibo-search") :]
    assert "jsonapi 停用 故障 3 failed runs: HTTP 503" in row  # configured, disabled, failing
    assert "成功 · 抓取 12 · 新增 3" in page
    detail = text_of(admin.get(f"/admin/sources/{seed.source_failing}").text)
    assert "失败" in detail and "<b>HTTP 503</b> from https://weibo.example/api" in detail
    assert admin.get("/admin/sources/9999").status_code == 404


def test_confirm_a_new_source_ends_its_probation(
    clients: Clients, seed: Seed, sqlite_database: Database, clock: FakeClock
) -> None:
    """issue 12: a new source raises no department alerts until an admin confirms it."""
    with sqlite_database.session() as s:
        src = s.get(Source, seed.source_ok)
        assert src is not None
        src.first_seen_at, name = clock() - timedelta(hours=1), src.name
    admin = clients.login("admin")
    page = text_of(admin.get("/admin/sources").text)
    assert "试运行中" in page and "期间不触发部门告警" in page and "确认启用" in page
    r = post_form(admin, f"/admin/sources/{seed.source_ok}/confirm")
    assert r.headers["location"] == "/admin/sources?msg=source_confirmed"
    page = text_of(admin.get("/admin/sources?msg=source_confirmed").text)
    assert "采集源已确认，结束试运行" in page and "试运行中" not in page
    assert "admin 于" in page
    with sqlite_database.session() as s:
        entry = s.scalar(select(AuditLog).where(AuditLog.action == "source_confirm"))
        assert entry is not None and (entry.actor, entry.object_id) == ("admin", name)
    assert post_form(admin, "/admin/sources/9999/confirm").status_code == 404


def test_departments_and_routing_page(clients: Clients, seed: Seed) -> None:
    page = text_of(clients.login("admin").get("/admin/departments").text)
    assert "lsq 龙沙区人民政府 区县政府 龙沙区 市政府督查室 email#0" in page
    assert 'routes[0] rule="source-failing" yuqing 运维值班 否' in page
    assert "升级接收 市政府督查室" in page


def test_departments_removed_from_the_config_keep_their_names(
    clients: Clients, seed: Seed, sqlite_database: Database, config: Config
) -> None:
    """The departments table (synced from departments.yaml) names departments that have since
    been removed from the config: on old incidents and on the departments page."""
    with sqlite_database.session() as s:
        departments.sync(s, config.departments.departments)
        s.add(Department(code="hbj", name="市环境保护局", kind="bureau", active=False))
        s.add(IncidentDepartment(incident_id=seed.lsq, department_code="hbj", route="routes[9]"))
    admin = clients.login("admin")
    incident = text_of(admin.get(f"/incidents/{seed.lsq}").text)
    assert "市环境保护局" in incident and "龙沙区人民政府" in incident
    page = admin.get("/admin/departments").text
    removed = text_of(page.split('id="removed-departments">', 1)[1].split("</table>", 1)[0])
    assert removed == "代码 名称 类别 区县 hbj 市环境保护局 市直部门 —"
    assert "lsq" not in removed  # configured departments are listed above, not here


def test_audit_log_filters(clients: Clients, seed: Seed) -> None:
    admin = clients.login("admin")
    post_form(clients.login("lsq1"), f"/incidents/{seed.lsq}/note", {"note": "已核实"})
    everything = text_of(admin.get("/admin/audit").text)
    # issue 13: the action and its detail read as Chinese, no codes or raw JSON
    assert f"lsq1 备注 事件 #{seed.lsq} 说明：已核实" in everything
    assert "incident.note" not in everything and '{"note"' not in everything
    only = admin.get(f"/admin/audit?action=incident.&object_id={seed.lsq}").text
    assert only.count("<tr data-action=") == 1
    none = admin.get("/admin/audit?actor=nobody").text
    assert "没有记录" in none
