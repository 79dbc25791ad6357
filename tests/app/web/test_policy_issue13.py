"""The incident page cites the city's notice and takes a structured resolution (issue 13)."""

from __future__ import annotations

from tests.app.web.conftest import Clients, Seed, post_form, text_of
from yuqing.store.models import Incident
from yuqing.store.session import Database

FIELDS = {
    "resolution": "已责令恢复营业",
    "verification": "现场核实：多家洗车店被要求统一停业",
    "verified": "true",
    "production_restored": "yes",
    "public_response": "replied",
    "public_response_note": "电话回复反映人",
}


def test_blanket_incident_page_cites_the_notice_clause_post_and_guidance(
    clients: Clients, seed: Seed
) -> None:
    html = clients.login("lsq1").get(f"/incidents/{seed.lsq}").text
    assert 'id="incident-policy"' in html
    section = text_of(html[html.index('id="incident-policy"') :].split("</section>", 1)[0])
    assert "《齐齐哈尔市坚决禁止生态环境保护问题整改“一刀切”》" in section
    assert "生活服务业：生活服务业不得集中停业" in section
    assert "帖文“龙沙区洗车店统一停业”中出现“手续齐全”" in section
    assert "处置指引" in section and "立即停止“一刀切”措施" in section
    # the resolve form asks for the structured fields, required for a 一刀切 incident
    assert 'name="verified" value="partly" required' in html


def test_other_rules_cite_nothing_and_resolve_without_the_fields(
    clients: Clients, seed: Seed, sqlite_database: Database
) -> None:
    c = clients.login("jhq1")
    html = c.get(f"/incidents/{seed.jhq}").text
    assert 'id="incident-policy"' not in html
    r = post_form(c, f"/incidents/{seed.jhq}/resolve", {"resolution": "已核实，非一刀切"})
    assert r.status_code == 303


def test_resolving_a_blanket_incident_needs_the_fields_named_when_bad(
    clients: Clients, seed: Seed, sqlite_database: Database
) -> None:
    c = clients.login("lsq1")
    url = f"/incidents/{seed.lsq}/resolve"
    missing = post_form(c, url, {"resolution": "已处理"})
    assert missing.status_code == 409
    assert "核实结果：必填，不能为空" in text_of(missing.text)
    bad = post_form(c, url, {**FIELDS, "verified": "maybe"})
    assert bad.status_code == 409
    assert "是否属实：无效的取值“maybe”（可选：属实、部分属实、不属实）" in text_of(bad.text)
    with sqlite_database.session() as s:
        inc = s.get(Incident, seed.lsq)
        assert inc is not None and inc.status != "resolved"
    assert post_form(c, url, FIELDS).status_code == 303
    with sqlite_database.session() as s:
        inc = s.get(Incident, seed.lsq)
        assert inc is not None
        assert (inc.status, inc.verified, inc.production_restored, inc.public_response) == (
            "resolved",
            "true",
            "yes",
            "replied",
        )
    page = text_of(c.get(f"/incidents/{seed.lsq}").text)
    assert "是否属实 属实" in page and "是否已恢复生产经营 是" in page
    assert "群众回应情况 已回应" in page and "回应说明 电话回复反映人" in page
