"""Audit entries in readable Chinese (issue 13), never raw JSON."""

from __future__ import annotations

from yuqing.alerts.audit_text import describe
from yuqing.config import Config


def test_incident_actions_read_as_chinese(config: Config) -> None:
    assert describe({"assignee": "lsq2", "previous": None}, config) == "指派给：lsq2"
    assert describe({"rule": "blanket-shutdown"}, config) == "预警类型：一刀切式关停"
    resolved = describe(
        {"note": "已恢复营业", "verified": "partly", "production_restored": "yes",
         "public_response": "not_replied"},
        config,
    )  # fmt: skip
    assert resolved == (
        "说明：已恢复营业；是否属实：部分属实；是否已恢复生产经营：是；群众回应情况：未回应"
    )
    escalated = describe({"level": 1, "to": ["dcs", "lsq"], "overdue_minutes": 35}, config)
    assert escalated == "督办级别：1；通知单位：市政府督查室、龙沙区人民政府；超期（分钟）：35"


def test_feedback_exports_and_unknown_keys(config: Config) -> None:
    got = describe(
        {"incident": 3, "changes": {"sector": ["life_services", "construction"],
                                    "blanket": ["1", "0"]}, "note": ""}
    )  # fmt: skip
    assert got == "事件：#3；修改：行业 生活服务业 → 建筑施工；一刀切 是 → 否"
    assert describe({"format": "csv", "sector": "life_services", "codes": False, "rows": 2}) == (
        "格式：csv；行业：生活服务业；使用代码：否；行数：2"
    )
    assert (
        describe({"fields": ["shutdown", "blanket"], "post": 9})
        == "帖文：帖文 9；标签：关停、一刀切"
    )
    assert describe({"colour": "blue"}) == "colour：blue"
    assert describe(None) == "" and describe({}) == ""
