"""A stop word whose object is plainly no business (issue 11, shutdown 5th pass): a household's
water cut, a tender or a benefit stopped, a road closed, a door shut, people or papers seized, a
home pulled down. Such a trigger is never strong nor a stop event, on authored sentences; the
contrasts keep the business stops of the spec."""

from __future__ import annotations

import numpy as np
import pytest

from yuqing.nlp.combine import combine
from yuqing.nlp.context import STRONG_EVENT_SCORE, Context, Trigger, read_context
from yuqing.nlp.cues import default_matcher
from yuqing.nlp.normalize import normalize_for_matching


def context_of(text: str) -> Context:
    original = f"\n{text}"
    norm = normalize_for_matching(original)
    return read_context(norm, default_matcher().find(original, norm), 0)


def trigger(text: str, term: str) -> Trigger:
    return next(t for t in context_of(text).triggers if t.term == term)


@pytest.mark.parametrize(
    ("text", "term", "thing"),
    [
        ("我们小区的住户上周突然被停水，打电话问供水公司也说不清楚", "被停", "utility"),
        ("开发商擅自关停电梯，老人上下楼十分困难", "关停", "utility"),
        ("那家建筑公司因为一次质量事故，被停止参与本市项目投标", "被停", "procedure"),
        ("老人去年被停了医保，至今没有恢复", "被停", "procedure"),
        ("工地堆放材料，门前那条路被封了三个月，城管管不了", "封了", "road"),
        ("执法队来了以后，叫超市把这道门关了", "关了", "door"),
        ("去砖厂讨说法的村民被派出所强行扣押", "扣押", "captive"),
        ("城管来检查那天，小区门口的监控被关了", "被关", "appliance"),
        ("他家的违建别墅被镇政府强拆", "强拆", "home"),
        ("村里搞强征强拆，补偿款一分没给", "强拆", "home"),
        ("县里搞工程强征强拆，补偿款一分没给", "强拆", "home"),  # 强征 takes homes
        ("街道同意后，几户居民请工人加固外墙，没过几天就被强制叫停了", "叫停", "home"),
    ],
)
def test_a_stop_of_no_business_is_never_strong(text: str, term: str, thing: str) -> None:
    t = trigger(text, term)
    assert t.thing == thing
    assert not t.strong
    assert not t.stop_event


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("环保局去年冬天给我们养殖场断了电，让停产", "断了电"),
        ("镇里说手续不全，养鸡场被停水停电，一直没让开工", "被停"),
        ("环保局查了以后，该厂被停止生产", "被停"),  # a business's production, not a procedure
        ("上周城管把路边那家饭店关了", "关了"),
        ("镇政府上个月把我们养殖场的房子全部强拆了", "强拆"),  # a farm's buildings
        ("城管来了，街口那个路边摊被封了", "封了"),  # a stall, not a road
        ("环保督察组来了以后，镇上那家电梯厂被关停了", "被关"),  # a factory, not a lift
        ("村民在村口开了一家加工厂，改造厂房时被镇里叫停", "叫停"),
        ("环保局来了以后，厂里的生产设备全停了", "全停了"),
        ("执法人员依法扣押了加工厂的设备，责令该厂停产", "扣押"),
    ],
)
def test_a_stop_of_a_business_stays_one(text: str, term: str) -> None:
    t = trigger(text, term)
    assert t.thing == ""
    assert t.strong or t.term == "扣押"  # a seizure is never strong alone (terms.WEAK)


def test_a_post_whose_only_strong_stop_is_a_water_cut_is_not_lifted() -> None:
    ctx = context_of("住建局说我家欠费，之后我家就被停了水，供水公司也不来人")
    probs = {
        "shutdown": np.full(1, 0.1),
        "blanket": np.full(1, 0.01),
        "complaint": np.full(1, 0.5),
        "licensed": np.full(1, 0.1),
        "sector": np.ones((1, 1)),
    }
    assert [t.thing for t in ctx.triggers] == ["utility"]
    assert not any(t.strong for t in ctx.triggers)
    assert combine(probs, [0], [ctx])["shutdown"] < STRONG_EVENT_SCORE
