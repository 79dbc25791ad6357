"""Stops told in passing (issue 11, shutdown 4th pass: background stops): a policy closure, a
stop after a report, a stop that made a business move here, the stop losses of an
expropriation and a selective closure read as an authority's stop of a business
(``Trigger.background``, ``event/background.py``). Authored sentences only."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from yuqing.nlp.combine import combine
from yuqing.nlp.context import STRONG_EVENT_SCORE, Context, read_context
from yuqing.nlp.cues import default_matcher
from yuqing.nlp.event.background import reading
from yuqing.nlp.normalize import normalize_for_matching


def context_of(text: str, title: str = "") -> Context:
    original = f"{title}\n{text}"
    norm = normalize_for_matching(original)
    return read_context(norm, default_matcher().find(original, norm), len(title))


def kinds(text: str) -> list[str]:
    return [t.background for t in context_of(text).triggers if t.background]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("我们楼下原来有个棋牌会所，噪音很大。后经居民多次投诉，该会所停业。", "reported"),
        ("经电视台曝光后，这家黑作坊停产，十几个工人都回了老家。", "reported"),
        ("这个塑料颗粒厂去年因为污染问题从邻县拆除过来的，天天排放刺鼻气味。", "moved"),
        ("我家临街开了十几年小卖部，有营业执照。因征收造成的停产、停业损失一分钱没赔。", "losses"),
        ("这家民间借贷平台以政策性关停为由，至今不退还投资人的本金。", "policy"),
        (
            "去年夏天关闭了街口那家《老王烧烤店》。难道只关了这一家？其他夜宵摊凭什么开着？",
            "selective",
        ),
    ],
)
def test_a_stop_told_in_passing_is_a_strong_event(text: str, kind: str) -> None:
    """issue 11: each background reading marks its trigger, which then reads as strong."""
    ctx = context_of(text)
    assert kind in kinds(text), ctx.triggers
    marked = [t for t in ctx.triggers if t.background]
    assert all(t.strong for t in marked)
    # without the reading none of them was strong: the reading is what lifts the post
    assert not any(replace(t, background="").strong for t in marked), marked
    # a private doer read by event.doer outranks the reading (merge of the two 4th passes)
    assert not any(replace(t, private=True).strong for t in marked), marked


@pytest.mark.parametrize(
    "text",
    [
        "恳请有关部门依法取缔该会所，还小区安宁。",  # demanded
        "听说镇里因为征地要拆除我们的厂房，损失谁来赔？",  # feared
        "后经老板自己决定，该店停业转让。",  # own decision
        "经股东会投票，该公司停业清算。",  # no report: the owners' decision
        "第二十五条 征收房屋的，应当补偿因征收房屋造成的停产停业损失。",  # a rule's wording
        "这家厂因经营不善停产，后来搬到了邻县。",  # own decision, then a move
        "房东单方面关停了我们的门店，后来我们搬到了对面街上。",  # a private doer
        "小区因为修路从下个月开始停水，请大家提前储水。",  # no business
        "我们单位只关了一家分店，其余照常营业。",  # no stop word of a business told done
    ],
)
def test_no_background_stop_where_nobody_stopped_a_business(text: str) -> None:
    assert not kinds(text), context_of(text).triggers


def test_the_readings_look_at_the_words_around_the_stop() -> None:
    """The reading alone, on the characters before and after a stop."""
    assert reading("大股东借政策性", "之名") == "policy"
    assert reading("后经业主举报,该会所", "。") == "reported"
    assert reading("因为环保问题从邻县", "过来的") == "moved"
    assert reading("因拆迁造成的", "、停业损失却分文不赔") == "losses"
    assert reading("经营用房要额外补偿因征收房屋造成的停产", "损失") is None  # a rule's text
    assert reading("之前", "了《某烧烤店》。难道只关了此一家") == "selective"
    assert reading("后经业主同意,", "。") is None


def test_background_stops_are_not_model_features() -> None:
    """The reading moves the post's score only: the trigger's modality and object, which the
    model's features read, stay as they were (no retrain)."""
    text = "后经居民多次投诉，该会所停业。"
    ctx = context_of(text)
    plain = Context(
        triggers=[replace(t, background="") for t in ctx.triggers],
        collective=ctx.collective,
        timing=ctx.timing,
        mixed_licence=ctx.mixed_licence,
        title_event=ctx.title_event,
        length=ctx.length,
        defied=ctx.defied,
    )
    assert any(t.background for t in ctx.triggers)
    assert ctx.features() == plain.features()


def test_a_background_stop_lifts_the_post_score() -> None:
    """issue 11, shutdown 4th pass: a stop after a report lifts a low model score to the
    strong-event score; the same post without the reading stays below it."""
    ctx = context_of("楼上的私人会所天天扰民。后经业主举报，该会所停业，小区总算清静了一阵。")
    probs = {k: np.array([0.05]) for k in ("shutdown", "blanket", "complaint", "licensed")}
    probs["sector"] = np.array([[1.0]])
    assert combine(probs, [0], [ctx])["shutdown"] >= STRONG_EVENT_SCORE
    plain = replace(ctx, triggers=[replace(t, background="") for t in ctx.triggers])
    assert combine(probs, [0], [plain])["shutdown"] < STRONG_EVENT_SCORE
