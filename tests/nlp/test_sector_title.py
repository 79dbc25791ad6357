"""Sector on real appeals, 3rd pass (issue 11): factories, backyard workshops and markets as
sector cues, sector terms inside a village or town name dropped, and the trade the title names
weighed up (yuqing/nlp/sector_title.py)."""

from __future__ import annotations

import numpy as np
import pytest

from yuqing.nlp.cues import default_matcher
from yuqing.nlp.normalize import normalize_for_matching
from yuqing.nlp.sector_title import GENERIC_TERMS, TITLE_FACTOR, title_sectors, weigh_title
from yuqing.nlp.tagger import Tagger


def _categories(text: str) -> set[str]:
    norm = normalize_for_matching(text)
    return {c for h in default_matcher().find(text, norm) for c in h.categories}


@pytest.mark.parametrize(
    ("text", "sector"),
    [
        # a factory named as such (labels.md lists 工厂 under industrial_park)
        ("农机厂的老职工至今没有社保", "industrial_park"),
        ("厂方一直拖欠工资", "industrial_park"),
        ("那家电气公司不签劳动合同", "industrial_park"),
        # an unlicensed backyard workshop or slaughter point
        ("村里的私宰点血水横流", "scattered_pollution"),
        ("城郊有个地下工厂", "scattered_pollution"),
        # markets, encroached green space
        ("农贸市场没人管", "urban_management"),
        ("一楼住户圈占公共绿地种菜", "urban_management"),
    ],
)
def test_the_new_trades_are_cues(text: str, sector: str) -> None:
    assert f"sector.{sector}" in _categories(text)


@pytest.mark.parametrize(
    ("text", "sector"),
    [
        ("鲜鱼塘村的自来水三年没通", "aquaculture"),
        ("大桥乡的老屋复垦", "construction"),
        ("石场镇政府门口", "quarrying_mining"),
    ],
)
def test_a_sector_term_inside_a_village_or_town_name_is_no_cue(text: str, sector: str) -> None:
    assert f"sector.{sector}" not in _categories(text)


def test_the_term_still_counts_outside_a_place_name() -> None:
    assert "sector.aquaculture" in _categories("承包的鱼塘被污水污染")
    # a shutdown term in front of 村 keeps its own reading
    assert "shutdown" in _categories("关停村里的加工点")


def _title_sectors(title: str, text: str = "正文") -> set[str]:
    full = f"{title}\n{text}"
    hits = default_matcher().find(full, normalize_for_matching(full))
    return title_sectors(hits, len(title))


def test_the_title_names_its_trade_and_the_text_does_not_count() -> None:
    assert _title_sectors("古阳镇福利厂噪音扰民", "楼下烧烤店") == {"industrial_park"}
    assert _title_sectors("反映小区问题", "楼下烧烤店油烟大") == set()


def test_generic_words_name_no_trade() -> None:
    assert {"公司", "企业", "项目"} <= GENERIC_TERMS
    assert _title_sectors("某投资有限公司涉嫌诈骗") == set()
    assert _title_sectors("某电气有限公司拖欠工资") == {"industrial_park"}
    # a zone named as the address, 制造 as a verb
    assert _title_sectors("高新区某公寓每天停水") == set()
    assert _title_sectors("空调外机制造噪音") == set()


def test_weigh_title_multiplies_and_renormalizes() -> None:
    classes = ["other", "industrial_park", "construction"]
    p = np.array([0.6, 0.3, 0.1])
    q = weigh_title(p, classes, {"industrial_park"})
    assert q.sum() == pytest.approx(1.0)
    assert q[1] / q[0] == pytest.approx(TITLE_FACTOR * 0.3 / 0.6)
    assert weigh_title(p, classes, set()) is p


def test_a_factory_letter_about_wages_is_industrial_park(tagger: Tagger) -> None:
    """issue 11: the subject line names the factory, the letter tells a labor story."""
    letter = (
        "尊敬的领导：我们是这家厂的一线工人，从今年春天起每月只发几百块生活费，"
        "说等货款回来再结，到现在已经拖了半年。我们多次找负责人，每次都说再等等。"
        "家里老人看病、孩子上学都要用钱，恳请劳动监察部门督促尽快结清欠薪，补缴社保。"
    )
    rec = tagger.tag("龙沙区一机械厂拖欠工人工资半年", letter)
    assert rec.sector == "industrial_park"


def test_the_tagger_weighs_the_trade_of_the_title(
    tagger: Tagger, monkeypatch: pytest.MonkeyPatch
) -> None:
    import yuqing.nlp.tagger as tagger_module

    seen: list[set[str]] = []

    def spy(p: np.ndarray, classes: list[str], sectors: set[str]) -> np.ndarray:
        seen.append(sectors)
        return weigh_title(p, classes, sectors)

    monkeypatch.setattr(tagger_module, "weigh_title", spy)
    rec = tagger.tag("投诉某电气有限公司违反劳动法", "单位不签劳动合同，不缴社保，加班不给加班费。")
    assert seen == [{"industrial_park"}]
    assert rec.sector == "industrial_park"
