"""Readings that keep real posts' false shutdown alerts down (issue 11, shutdown 4th pass), on
authored sentences: a private party that demolishes or closes is no authority's stop; premises
pulled down after the business closed on its own are no stop; an order the post says came to
nothing counts as no stop in its part."""

from __future__ import annotations

import numpy as np
import pytest

from yuqing.nlp.combine import combine
from yuqing.nlp.context import NO_EVENT_FACTOR, NO_STRONG_FACTOR, Context, read_context
from yuqing.nlp.cues import default_matcher
from yuqing.nlp.event import aftermath, defiance, doer
from yuqing.nlp.normalize import normalize_for_matching


def context_of(text: str) -> Context:
    original = f"\n{text}"
    norm = normalize_for_matching(original)
    return read_context(norm, default_matcher().find(original, norm), 0)


def probs(shutdown: float, rows: int = 1) -> dict[str, np.ndarray]:
    return {
        "shutdown": np.full(rows, shutdown),
        "blanket": np.full(rows, 0.01),
        "complaint": np.full(rows, 0.5),
        "licensed": np.full(rows, 0.1),
        "sector": np.ones((rows, 1)),
    }


@pytest.mark.parametrize(
    ("clause", "private"),
    [
        ("我们的仓库昨夜惨遭某某置业有限公司", True),  # a company in the passive
        ("那家加工厂被开发商", True),
        ("一伙涉黑人员深夜", True),
        ("环保局查处了该公司的", False),  # the company is the object
        ("某某公司擅自", True),
        ("该公司被责令", False),  # the company is the one stopped
        ("被拆迁公司", False),  # a firm acting for the government
        ("被开发商联合城管执法大队", False),  # an authority named after it
    ],
)
def test_a_private_doer_is_read_from_the_clause_before_the_stop(clause: str, private: bool) -> None:
    assert doer.private_doer(clause) is private


def test_a_business_demolished_by_a_company_is_no_stop_event() -> None:
    # issue 11: a plant pulled down by a company, not by an authority, raised a shutdown alert
    (t,) = context_of("我们的厂房昨夜惨遭某某置业有限公司强拆").triggers
    assert t.private and t.object == "business" and t.event
    assert not t.stop_event and not t.strong
    assert combine(probs(0.5), [0], [context_of("我们的厂房昨夜惨遭某某置业有限公司强拆")])[
        "shutdown"
    ] == pytest.approx(0.5 * NO_EVENT_FACTOR * NO_STRONG_FACTOR)
    (imposed,) = context_of("我们的厂房昨夜被城管局强拆").triggers
    assert not imposed.private and imposed.stop_event


def test_premises_pulled_down_after_a_business_closed_on_its_own_is_no_stop() -> None:
    # issue 11: a hotel closed by its own bankruptcy, its building then pulled down for
    # redevelopment, raised a shutdown alert
    text = "这家宾馆经营不善早已停业。宾馆拆除后土地将用于商业开发"
    ctx = context_of(text)
    assert [t.modality for t in ctx.triggers] == ["own", "neutral"]
    assert aftermath.closed_on_its_own(ctx.triggers) and aftermath.razed(ctx.triggers[1])
    assert ctx.triggers[1].stop_event  # alone it reads as a stop ...
    assert combine(probs(0.5), [0], [ctx])["shutdown"] == pytest.approx(  # ... not here
        0.5 * NO_EVENT_FACTOR * NO_STRONG_FACTOR
    )
    # without the closure, or when an authority demolishes, the stop counts
    alone = context_of("宾馆拆除后土地将用于商业开发")
    assert combine(probs(0.5), [0], [alone])["shutdown"] == pytest.approx(0.5 * NO_STRONG_FACTOR)
    by_authority = context_of("这家宾馆经营不善早已停业。宾馆被城管局拆除了")
    assert not aftermath.razed(by_authority.triggers[1])
    # a demolition the business refused is no closure of its own (不配合…拆除)
    refused = context_of("个别砂场自行转移设备，不配合整合工作进行拆除")
    assert not aftermath.closed_on_its_own(refused.triggers)


@pytest.mark.parametrize(
    "text",
    [
        "城管下了停工通知，但实际上他们一直在连夜施工",
        "环保局要求停产整顿，最后不了了之",
        "街道说要关停，后来也不管了",
        "教育局发了停止办学通知，这家机构依然我行我素",
    ],
)
def test_an_order_that_came_to_nothing_is_defiance(text: str) -> None:
    assert defiance.DEFIED.search(text)


def test_a_part_that_says_its_stop_came_to_nothing_tells_no_stop() -> None:
    # issue 11: an official answer quoted (执法部门已责令停止施工) that the writer says is false
    # (一直在施工) raised a shutdown alert
    text = "答复称执法部门已责令该工地停止施工。但实际上该工地一直在连夜施工"
    ctx = context_of(text)
    assert ctx.defied and any(t.strong for t in ctx.triggers)
    assert combine(probs(0.5), [0], [ctx])["shutdown"] == pytest.approx(
        0.5 * NO_EVENT_FACTOR * NO_STRONG_FACTOR
    )
    # a part that does not say so keeps its stop (the post's defiance still lifts nothing)
    told = context_of("答复称执法部门已责令该工地停止施工")
    assert combine(probs(0.5, 3), [0, 1, 2], [told, ctx])["shutdown"] == pytest.approx(
        0.5 * NO_STRONG_FACTOR
    )
