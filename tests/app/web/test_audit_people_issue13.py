"""The audit log page names people and actions in Chinese (issue 13): a display name for a
login, 命令行 for the CLI, 系统 for the service, and every action the code records."""

from __future__ import annotations

import re

from sqlalchemy import select

from tests.app.web.conftest import Clients, Seed, text_of
from yuqing.alerts.audit import SYSTEM_ACTOR
from yuqing.app.web.labels import ACTION_ZH
from yuqing.store.models import AuditLog, User
from yuqing.store.session import Database


def test_audit_page_names_people_and_actions(
    clients: Clients, seed: Seed, sqlite_database: Database
) -> None:
    with sqlite_database.session() as s:
        user = s.scalar(select(User).where(User.username == "lsq1"))
        assert user is not None
        user.display_name = "王芳"
        for actor, action in (
            ("cli", "login.unlock"),
            (SYSTEM_ACTOR, "triage.queue"),
            ("lsq1", "triage.confirm"),
            ("cli", "source_confirm"),
        ):
            s.add(AuditLog(actor=actor, action=action, object_type="user", object_id="x"))
    page = clients.login("admin").get("/admin/audit").text
    rows = {
        r.group(1): text_of(r.group(2))
        for r in re.finditer(r'<tr data-action="([^"]+)">(.*?)</tr>', page, re.S)
    }
    assert rows["login.unlock"].split()[2:4] == ["命令行", "解除登录限制"]
    assert rows["triage.queue"].split()[2:4] == ["系统", "转入待研判"]
    assert rows["triage.confirm"].split()[2:4] == ["王芳", "研判确认"]
    assert rows["source_confirm"].split()[2:4] == ["命令行", "确认采集源"]


def test_every_recorded_action_has_a_chinese_name() -> None:
    """The actions the code writes to the audit log (as of issue 13) all read in Chinese."""
    recorded = {
        "login", "login.failed", "login.blocked", "login.unlock", "login.address_limit",
        "logout", "user.create", "user.update", "user.password", "sql.query", "export",
        "incident.open", "incident.acknowledge", "incident.bulk_acknowledge", "incident.assign",
        "incident.note", "incident.resolve", "incident.escalate", "incident.suppress",
        "incident.merge", "incident.absorb", "incident.feedback", "incident.part_done",
        "triage.queue", "triage.confirm", "triage.reject", "silence.create", "silence.expire",
        "source_confirm",
    }  # fmt: skip
    missing = {a for a in recorded if a not in ACTION_ZH and a.rsplit(".", 1)[-1] not in ACTION_ZH}
    assert missing == set()
