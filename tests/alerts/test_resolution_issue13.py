"""Structured resolution (issue 13): 核实结果, 是否属实, 是否已恢复生产经营, 群众回应情况 —
validated (messages name the field and the value), stored, audited and counted."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from tests.alerts.delivery_support import add_incident
from tests.conftest import FakeClock
from yuqing.alerts import incidents
from yuqing.alerts.errors import ResolutionError
from yuqing.alerts.resolution import Outcome, counts, display, parse, required_for
from yuqing.store.models import AuditLog, Incident
from yuqing.store.session import Database


def test_codes_and_chinese_words_are_both_accepted() -> None:
    got = parse(
        {
            "verification": "  现场核实：整条街被要求停业  ",
            "verified": "部分属实",
            "production_restored": "yes",
            "public_response": "已回应",
            "public_response_note": "",
        }
    )
    assert got == Outcome("现场核实：整条街被要求停业", "partly", "yes", "replied", None)


@pytest.mark.parametrize(
    ("field", "value", "message", "zh"),
    [
        (
            "verified",
            "maybe",
            "verified: invalid value 'maybe' (expected one of: true (属实), partly (部分属实), "
            "false (不属实))",
            "是否属实：无效的取值“maybe”（可选：属实、部分属实、不属实）",
        ),
        (
            "production_restored",
            "恢复了",
            "production_restored: invalid value '恢复了' (expected one of: yes (是), no (否), "
            "na (不适用))",
            "是否已恢复生产经营：无效的取值“恢复了”（可选：是、否、不适用）",
        ),
        (
            "public_response",
            "done",
            "public_response: invalid value 'done' (expected one of: replied (已回应), "
            "not_replied (未回应))",
            "群众回应情况：无效的取值“done”（可选：已回应、未回应）",
        ),
    ],
)
def test_a_bad_choice_names_the_field_and_the_value(
    field: str, value: str, message: str, zh: str
) -> None:
    with pytest.raises(ResolutionError) as info:
        parse({field: value})
    assert str(info.value) == message
    assert info.value.zh == zh
    assert (info.value.field, info.value.value) == (field, value)


def test_required_fields_for_a_cited_incident() -> None:
    assert required_for(False) == ()
    with pytest.raises(ResolutionError) as info:
        parse({"verification": "已核实", "verified": "true"}, required_for(True))
    assert str(info.value) == "production_restored: required (got an empty value)"
    assert info.value.zh == "是否已恢复生产经营：必填，不能为空"


def test_too_long_text_is_refused_with_the_field() -> None:
    with pytest.raises(ResolutionError) as info:
        parse({"verification": "核" * 2001})
    assert info.value.zh == "核实结果：内容过长（2001 字，最多 2000 字）"


def test_resolve_stores_and_audits_the_fields(database: Database, clock: FakeClock) -> None:
    inc_id = add_incident(database, clock())
    outcome = parse(
        {
            "verification": "已核实",
            "verified": "true",
            "production_restored": "no",
            "public_response": "replied",
            "public_response_note": "电话回复反映人",
        }
    )
    with database.session() as s:
        incidents.resolve(s, inc_id, "lsq1", "已责令恢复营业", now=clock(), outcome=outcome)
    with database.session() as s:
        inc = s.get(Incident, inc_id)
        assert inc is not None
        assert (inc.verified, inc.production_restored, inc.public_response) == (
            "true",
            "no",
            "replied",
        )
        assert display(inc) == [
            ("核实结果", "已核实"),
            ("是否属实", "属实"),
            ("是否已恢复生产经营", "否"),
            ("群众回应情况", "已回应"),
            ("回应说明", "电话回复反映人"),
        ]
        detail = s.execute(
            select(AuditLog.detail).where(AuditLog.action == "incident.resolve")
        ).scalar_one()
    assert detail["verified"] == "true" and detail["note"] == "已责令恢复营业"


def test_counts_give_the_digest_line() -> None:
    rows = [
        SimpleNamespace(status="resolved", verified="true", production_restored="yes",
                        public_response="replied"),
        SimpleNamespace(status="resolved", verified="true", production_restored="no",
                        public_response="not_replied"),
        SimpleNamespace(status="resolved", verified="false", production_restored="na",
                        public_response="replied"),
        SimpleNamespace(status="resolved", verified=None, production_restored=None,
                        public_response=None),
        SimpleNamespace(status="open", verified="true", production_restored="yes",
                        public_response="replied"),
    ]  # fmt: skip
    c = counts(rows)
    assert c.resolved == 4 and c.unrecorded == 1
    assert c.verified == {"true": 2, "partly": 0, "false": 1}
    assert c.line() == (
        "办结 4 起：属实 2、部分属实 0、不属实 1；已恢复生产经营 1 起，未恢复 1 起；"
        "已回应群众 2 起，未回应 1 起；1 起未填写核实情况。"
    )
