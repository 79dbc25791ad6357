"""Stops told without a stop word (issue 11, shutdown recall): revoked permits, an expropriated
shop, a lease ended by force, a fish farm's nets removed — read by the per-trigger event view."""

from __future__ import annotations

import numpy as np
import pytest

from yuqing.nlp.combine import combine
from yuqing.nlp.context import STRONG_EVENT_SCORE, Context, read_context
from yuqing.nlp.cues import default_matcher
from yuqing.nlp.normalize import normalize_for_matching


def context_of(text: str, title: str = "") -> Context:
    original = f"{title}\n{text}"
    norm = normalize_for_matching(original)
    return read_context(norm, default_matcher().find(original, norm), len(title))


def extra(text: str) -> list[tuple[str, str, bool]]:
    return [(t.modality, t.object, t.strong) for t in context_of(text).triggers if t.extra]


@pytest.mark.parametrize(
    "text",
    [
        "工程卡在半路，后来县政府回收了项目的五证，到现在也没复工",
        "今年春天我们的小超市被市场监管局吊销了营业执照，一家人没了收入",
        "去年开发区征收了我们村口的两间门面，补偿款至今没有到位",
        "水库上游的养殖户，拦网去年已被拆除，说是政府要收回水面",
        "管委会换了领导以后，强制要求我们公司解除合同，项目投入全打了水漂",
    ],
)
def test_a_stop_told_without_a_stop_word_is_a_strong_event(text: str) -> None:
    assert any(strong for _, _, strong in extra(text)), context_of(text).triggers


@pytest.mark.parametrize(
    ("text", "modality"),
    [
        ("这家网吧屡次接纳未成年人，恳请文旅局吊销其营业执照", "demanded"),
        ("情节严重的，由市场监管部门依照规定吊销营业执照", "legal"),
        ("听说镇里要征收街边那几间门面，大家都很担心", "feared"),
    ],
)
def test_an_extra_stop_keeps_the_modality_the_reader_gives_it(text: str, modality: str) -> None:
    found = extra(text)
    assert found and all(m == modality and not strong for m, _, strong in found), found


@pytest.mark.parametrize(
    "text",
    [
        "房东单方面解除合同，押金也不退",  # a private party's act
        "征收补偿标准太低，我家房屋被征收后住房困难",  # a home, not a shop; 征收补偿 is no act
        "向沿街商铺征收管理费是否合理",  # a levy, not an expropriation
        "今年又征收了水费和垃圾费",
        "我们自己把网箱拆了，改行做别的",  # own decision
        "他酒驾被交警当场查获，公安局吊销了他的驾驶执照",  # a person's licence
        "这名律师违规代理，司法局吊销了他的律师执照",
    ],
)
def test_no_strong_extra_stop_where_nobody_stops_a_business(text: str) -> None:
    assert not any(strong for _, _, strong in extra(text)), extra(text)


def test_extra_stops_are_not_model_features() -> None:
    """The extra triggers lift the post's score (combine.combine) but leave the model's context
    features as they were: a post whose only stop is an extra one has no k:ctx.* trigger
    feature."""
    ctx = context_of("县政府回收了项目的五证")
    assert ctx.triggers and all(t.extra for t in ctx.triggers)
    assert not [f for f in ctx.features() if f.startswith(("k:ctx.m.", "k:ctx.o.", "k:ctx.no"))]
    assert not ctx.title_event


def test_a_strong_extra_stop_lifts_the_post_score() -> None:
    """issue 11, shutdown recall: a revocation by an authority lifts a low model score."""
    ctx = context_of("后来县政府回收了项目的五证，工程一直没有动工")
    probs = {k: np.array([0.05]) for k in ("shutdown", "blanket", "complaint", "licensed")}
    probs["sector"] = np.array([[1.0]])
    assert combine(probs, [0], [ctx])["shutdown"] >= STRONG_EVENT_SCORE
