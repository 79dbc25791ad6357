"""Sector on real appeals, 4th pass (issue 11): the longest cue term names the trade (违章建筑 is
urban_management, not construction for the 建筑 inside it), words that hold a sector term but name
no trade (a developer's brand, a product) name none, and sand washing, wholesale markets,
occupied roads and a restaurant's kitchen flue are sector cues (yuqing/nlp/cues.py,
lexicon/cues.yaml)."""

from __future__ import annotations

import pytest

from yuqing.nlp.cues import NO_TRADE, CueMatcher, default_matcher
from yuqing.nlp.normalize import normalize_for_matching


def _sectors(text: str) -> set[str]:
    norm = normalize_for_matching(text)
    return {
        c.removeprefix("sector.")
        for h in default_matcher().find(text, norm)
        for c in h.categories
        if c.startswith("sector.")
    }


@pytest.mark.parametrize(
    ("text", "sector"),
    [
        ("楼顶的违章建筑三年没人管", "urban_management"),  # not construction (建筑)
        ("村口开了一家小工厂", "scattered_pollution"),  # not industrial_park (工厂)
        ("那家建筑公司欠薪", "construction"),  # not industrial_park (公司)
        ("屋后又冒出个小化工", "scattered_pollution"),  # not industrial_park (化工)
    ],
)
def test_the_longest_term_names_the_sector(text: str, sector: str) -> None:
    """Issue 11: a term with a sector of its own does not also name the sectors of the
    shorter terms inside it."""
    assert _sectors(text) == {sector}


def test_a_term_without_a_sector_keeps_the_categories_inside_it() -> None:
    m = CueMatcher({"shutdown": ("关停",), "blanket": ("全部关停",), "sector.x": ("停",)})
    assert m.lookup["全部关停"] == ("blanket", "sector.x", "shutdown")
    assert m.lookup["关停"] == ("sector.x", "shutdown")


@pytest.mark.parametrize(
    "text",
    [
        "五矿万境的房子交房后渗水",  # a developer's brand
        "工地上只发了两瓶矿泉水",  # a product
    ],
)
def test_a_brand_or_product_holding_a_sector_word_names_no_trade(text: str) -> None:
    """Issue 11: 矿 in 五矿 (a developer) or 矿泉水 is no quarry."""
    assert "quarrying_mining" not in _sectors(text)


@pytest.mark.parametrize(
    ("text", "sector"),
    [
        ("这是国家政策规定的", "life_services"),  # 家政 inside 国家政策
        ("开发商拒不移交房屋维修基金", "life_services"),  # the housing fund, no repair shop
        ("工地夜里施工制造噪音", "industrial_park"),  # a verb, no manufacturer
    ],
)
def test_a_word_holding_a_trade_by_chance_names_none(text: str, sector: str) -> None:
    assert sector not in _sectors(text)


@pytest.mark.parametrize(
    ("text", "sector"),
    [
        ("家政公司收了钱不派人", "life_services"),
        ("楼下那家家电维修到半夜还在敲", "life_services"),
        ("本地的制造业不景气", "industrial_park"),
    ],
)
def test_the_trade_itself_still_counts(text: str, sector: str) -> None:
    assert sector in _sectors(text)


def test_the_sector_word_still_counts_on_its_own() -> None:
    assert "quarrying_mining" in _sectors("山上的矿一直在偷采")
    m = default_matcher()
    assert m.lookup["五矿"] == (NO_TRADE,)


@pytest.mark.parametrize(
    ("text", "sector"),
    [
        ("河边有人非法洗沙", "quarrying_mining"),
        ("家禽批发市场凌晨就开始吵", "urban_management"),
        ("门面占路经营", "urban_management"),
        ("楼下食府的抽风机吵得睡不着", "life_services"),
        ("商铺没有专用烟道，油烟直排", "life_services"),
    ],
)
def test_the_new_trades_are_cues(text: str, sector: str) -> None:
    assert sector in _sectors(text)


@pytest.mark.parametrize(
    "text",
    [
        "希望鹅羊山公园早日建好",  # a place named after a goose
        "考研第三十天，冲鸭",  # slang
        "新开的特色烧烤店",  # a speciality dish, no processing trade
    ],
)
def test_a_bare_animal_or_speciality_word_names_no_trade(text: str) -> None:
    """Issue 11: 鹅 / 鸭 / 特色 alone are places, slang and dishes in real posts; the farm and
    the speciality trade are named in full."""
    assert not {"aquaculture", "characteristic_industry"} & _sectors(text)


@pytest.mark.parametrize(
    ("text", "sector"),
    [
        ("村后的养鸭场臭气熏天", "aquaculture"),
        ("合作社的大鹅今年卖得好", "aquaculture"),
        ("县里扶持特色农业", "characteristic_industry"),
    ],
)
def test_the_farm_and_the_speciality_trade_named_in_full_are_cues(text: str, sector: str) -> None:
    assert sector in _sectors(text)
