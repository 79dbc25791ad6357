"""Policy citations (issue 13): every 一刀切 alert cites the city's notice, the clause matched
(which trigger phrase in which post) and the 处置指引, on every channel's rendering."""

from __future__ import annotations

from typing import Any

import pytest

from tests.alerts.delivery_support import payload
from yuqing.alerts.messages import Rendered
from yuqing.alerts.policy import PostText, cite, payload_citation
from yuqing.config import Config

TITLE = "齐齐哈尔市坚决禁止生态环境保护问题整改“一刀切”"


def test_the_general_clause_is_cited_with_the_phrase_and_the_post(config: Config) -> None:
    posts = [
        PostText(1, "夜市通知", "今天照常营业"),
        PostText(2, "龙沙区烧烤街", "上面说先停再说，我们也不知道什么时候能开"),
    ]
    c = cite(config.policy, "blanket-shutdown", "urban_management", posts)
    assert c is not None and c.clause is not None
    assert (c.clause.code, c.phrase, c.post_id) == ("no-blanket", "先停再说", 2)
    assert c.reference == f"《{TITLE}》 总体要求：严禁“一刀切”"
    assert c.match_text == "帖文“龙沙区烧烤街”中出现“先停再说”"
    assert c.guidance[0].startswith("核实情况")


def test_a_clause_about_the_incidents_sector_wins_over_the_general_one(config: Config) -> None:
    posts = [PostText(7, "", "工地全部停工，一刀切，先停再说")]
    c = cite(config.policy, "blanket-shutdown", "construction", posts)
    assert c is not None and c.clause is not None
    assert (c.clause.code, c.phrase) == ("construction", "全部停工")
    # the same post in another sector: the sector clause does not apply, the general one does
    other = cite(config.policy, "blanket-shutdown", "aquaculture", posts)
    assert other is not None and other.clause is not None
    # within a clause, the phrase listed first in the file wins
    assert (other.clause.code, other.phrase) == ("no-blanket", "先停再说")


def test_without_a_phrase_the_sector_clause_else_the_default_is_cited(config: Config) -> None:
    quiet = [PostText(1, "通知", "烧烤店关门了")]
    by_sector = cite(config.policy, "blanket-shutdown", "life_services", quiet)
    assert by_sector is not None and by_sector.clause is not None
    assert (by_sector.clause.code, by_sector.phrase) == ("life-services", None)
    assert by_sector.match_text.startswith("帖文中未出现条款所列的具体表述")
    default = cite(config.policy, "blanket-shutdown", None, quiet)
    assert default is not None and default.clause is not None
    assert default.clause.code == "no-blanket"


def test_rules_the_notice_does_not_name_cite_nothing(config: Config) -> None:
    assert cite(config.policy, "complaint", "life_services", [PostText(1, "", "先停再说")]) is None
    assert payload_citation(config, "shutdown-report", None, []) is None


def test_number_and_date_are_cited_when_configured(config: Config) -> None:
    import datetime as dt

    notice = config.policy.notices[0].model_copy(
        update={"number": "齐环发〔2099〕1号", "date": dt.date(2099, 1, 2)}
    )
    policy = config.policy.model_copy(update={"notices": [notice]})
    c = cite(policy, "blanket-shutdown", None, [])
    assert c is not None
    assert c.notice_ref == f"《{TITLE}》（齐环发〔2099〕1号，2099年1月2日）"


def cited_payload(config: Config) -> dict[str, Any]:
    data = payload("firing")
    data["posts"][0]["policy_hits"] = ["先停再说"]
    data["posts"][0]["source_title"] = "齐齐哈尔本地论坛"
    data["policy"] = payload_citation(config, "blanket-shutdown", "life_services", data["posts"])
    return data


@pytest.mark.parametrize("rendering", ["text", "html", "markdown", "webhook"])
def test_every_channel_rendering_cites_the_notice_clause_and_guidance(
    config: Config, rendering: str
) -> None:
    r = Rendered(cited_payload(config))
    out = {
        "text": lambda: r.text,
        "html": lambda: r.html,
        # DingTalk, WeCom and Feishu send this, cut to their size limits
        "markdown": lambda: r.markdown(max_bytes=4000),
        "webhook": lambda: r.data["message"]["text"],
    }[rendering]()
    assert TITLE in out
    assert "总体要求：严禁“一刀切”" in out
    assert "中出现“先停再说”" in out
    for step in ("核实情况", "立即停止“一刀切”措施", "回应群众", "按时上报"):
        assert step in out
    assert "处置指引" in out


def test_messages_name_the_source_by_its_title_not_its_code(config: Config) -> None:
    r = Rendered(cited_payload(config))
    assert "来源：齐齐哈尔本地论坛" in r.text
    assert "demo-board" not in r.text and "demo-board" not in r.markdown()


def test_resolved_messages_carry_no_guidance(config: Config) -> None:
    data = cited_payload(config)
    data["kind"] = "resolved"
    assert "处置指引" not in Rendered(data).text


def test_resolved_messages_state_the_structured_resolution(config: Config) -> None:
    data = payload("resolved", resolution="已恢复营业")
    data["incident"]["outcome"] = {
        "verified": "partly",
        "production_restored": "yes",
        "public_response": "replied",
        "verification": "现场核实",
    }
    text = Rendered(data).text
    assert "是否属实：部分属实" in text and "是否已恢复生产经营：是" in text
    assert "群众回应情况：已回应" in text and "核实结果：现场核实" in text
