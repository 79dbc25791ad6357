"""Issue 13: digests open with a 研判 paragraph generated from the figures, judge deadlines at
the time they are made, draw no empty or one-bar charts, and speak plain Chinese."""

from __future__ import annotations

import re

import lxml.html

from tests.alerts.test_digest import DAY, NOW, local, seeded  # noqa: F401 (fixture)
from yuqing.alerts.digest import render_digest
from yuqing.alerts.digest_judgement import (
    Metric,
    OpenCase,
    change,
    chart_plan,
    duration_zh,
    judgement,
)
from yuqing.config import Config
from yuqing.store.session import Database

CODES = re.compile(
    r"life_services|construction|blanket-shutdown|shutdown-report|\bhigh\b|\bmedium\b|"
    r"\bnormal\b|routes\[|email#|webhook#|HTTP 503"
)


def judgement_of(html: str) -> str:
    return lxml.html.document_fromstring(html).cssselect("#judgement p")[0].text_content()


def test_city_digest_opens_with_judgement(config: Config, seeded: Database) -> None:  # noqa: F811
    r = render_digest(config, seeded, "city", DAY, now=NOW)
    text = judgement_of(r.html)
    assert text.startswith("本期监测到本地帖文 6 条，较前一日增加 4 条（+200%）；")
    assert "一刀切式关停由 0 增至 1 条" in text and "群众投诉增加 2 条（+200%）" in text
    assert "关停类帖文均在龙沙区（2 条" in text
    assert "一刀切式关停事件 1 起尚未办结，其中已超时未签收 1 起：" in text
    assert "龙沙区 生活服务业 一刀切式关停（超时 11 小时）" in text
    # first in the text version too, before the figures
    lines = r.text.splitlines()
    assert lines.index("研判") < lines.index("一、舆情概况")
    assert text in r.text
    assert "研判：" + text in r.summary


def test_digest_made_early_calls_nothing_overdue_that_is_not(
    config: Config,
    seeded: Database,  # noqa: F811
) -> None:
    """Regression: a digest made at 11:00 called the 12:05 deadline 已超时 (judged at 24:00)."""
    early = render_digest(config, seeded, "city", DAY, now=local(27, 11))
    assert "已超时" not in early.text
    assert "超时未签收 0 起" in early.text
    assert "截至11月27日 11:00" in early.text
    assert (
        "均未超时（待签收 1 起，最早时限 11月27日 12:05）：龙沙区 生活服务业 一刀切式关停"
        in early.text
    )
    doc = lxml.html.document_fromstring(early.html)
    assert doc.cssselect('#incident-counts strong[data-state="overdue"]')[0].text == "0"
    late = render_digest(config, seeded, "city", DAY, now=NOW)
    assert "（已超时）" in late.text and "截至11月27日 24:00" in late.text


def test_digests_speak_plain_chinese(config: Config, seeded: Database) -> None:  # noqa: F811
    for code in ("city", "lsq"):
        r = render_digest(config, seeded, code, DAY, now=NOW)
        visible = lxml.html.document_fromstring(r.html).text_content()
        for body in (visible, r.text, r.summary):
            assert not CODES.search(body), CODES.search(body)
    city = render_digest(config, seeded, "city", DAY, now=NOW)
    assert "来源：演示·网上群众留言板；" in city.text  # the source's title, not demo-board


def test_one_bar_and_empty_charts_become_sentences(
    config: Config,
    seeded: Database,  # noqa: F811
) -> None:
    lsq = render_digest(config, seeded, "lsq", DAY, now=NOW)
    doc = lxml.html.document_fromstring(lsq.html)
    assert not [i for i in doc.cssselect("img") if i.get("alt") == "各地区帖文数"]
    assert "识别出区县的帖文均在龙沙区（4 条）" in doc.cssselect("#chart-notes")[0].text_content()


def test_chart_plan() -> None:
    empty = chart_plan({"trend": {"餐饮": [0, 0]}, "district": [], "status": []}, "11月27日")
    assert (empty["trend"], empty["district"], empty["status"]) == (False, False, False)
    assert empty["notes"] == ["近14日无相关帖文，不绘制趋势图。", "本期无需处置的事件。"]
    plan = chart_plan(
        {
            "trend": {"餐饮": [1, 2]},
            "district": [("龙沙区", 3), ("未识别", 5), ("建华区", 1), ("其他地区", 2)],
            "status": [("超时未签收", 0), ("新增", 2), ("待签收", 0)],
        },
        "11月27日",
    )
    assert plan["trend"] and plan["district"] and not plan["status"]
    assert plan["district_bars"] == [("龙沙区", 3), ("建华区", 1)]  # 未识别 is no district
    assert plan["notes"] == [
        "另有 7 条帖文未识别区县或属外地，未计入地区图。",
        "本期事件均为新增（2 起）。",
    ]


def test_judgement_sentences() -> None:
    assert change(3, 0) == "由 0 增至 3 条" and change(1, 4) == "减少 3 条（−75%）"
    assert (
        change(2, 2) == "持平"
        and duration_zh(90) == "1 分钟"
        and duration_zh(26 * 3600) == "1 天 2 小时"
    )
    out = judgement(
        "上周",
        [Metric("本地帖文", 10, 12), Metric("关停报告", 4, 2), Metric("群众投诉", 1, 3)],
        {"龙沙区": 3, "建华区": 1, "未识别": 2},
        {"建华区": 1},
        [
            OpenCase("建华区 餐饮 一刀切式关停", False, True, "11月27日 12:05", "3 小时"),
            OpenCase("龙沙区 餐饮 一刀切式关停", True, False, "11月28日 12:05", ""),
        ],
        2,
    )
    assert out == [
        "本期监测到本地帖文 10 条，较上周减少 2 条（−17%）；其中关停报告增加 2 条（+100%）；"
        "群众投诉减少 2 条（−67%）。",
        "关停类帖文主要集中在龙沙区（3 条）、建华区（1 条），龙沙区较上周增加最多（增加 3 条）；"
        "另有 2 条未能识别区县。",
        "一刀切式关停事件 2 起尚未办结，其中已超时未签收 1 起："
        "建华区 餐饮 一刀切式关停（超时 3 小时）；"
        "处置中 1 起（已签收 1 起，最早时限 11月28日 12:05）：龙沙区 餐饮 一刀切式关停。",
        "另有其他事件 2 起超时未签收，请督促相关单位尽快签收。",
    ]
    quiet = judgement("前一日", [Metric("本地帖文", 0, 0)], {}, {}, [], 0)
    assert quiet == ["本期未监测到相关帖文，与前一日相同。", "目前无未办结的一刀切式关停事件。"]
