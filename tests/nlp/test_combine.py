"""A post's scores from its parts' (combine.combine), with the per-trigger event view (issue 11)."""

from __future__ import annotations

import numpy as np
import pytest

from yuqing.nlp.combine import combine
from yuqing.nlp.context import (
    DEMANDED_ONLY_FACTOR,
    NO_EVENT_FACTOR,
    NO_STRONG_FACTOR,
    STRONG_BLANKET_SCORE,
    STRONG_EVENT_SCORE,
    Context,
    read_context,
)
from yuqing.nlp.cues import default_matcher
from yuqing.nlp.event.scope import UNSWEPT_FACTOR
from yuqing.nlp.normalize import normalize_for_matching


def context_of(text: str) -> Context:
    original = f"\n{text}"
    norm = normalize_for_matching(original)
    return read_context(norm, default_matcher().find(original, norm), 0)


def probs(shutdown: float, blanket: float = 0.01) -> dict[str, np.ndarray]:
    return {
        "shutdown": np.array([shutdown]),
        "blanket": np.array([blanket]),
        "complaint": np.array([0.5]),
        "licensed": np.array([0.0]),
        "sector": np.array([[1.0]]),
    }


def test_a_strong_trigger_lifts_a_doubtful_post_above_the_threshold() -> None:
    ctx = context_of("去年市场监管局把这家饭店查封了，我们的货款到现在也没结")
    assert any(t.strong for t in ctx.triggers)
    assert combine(probs(0.1), [0], [ctx])["shutdown"] == STRONG_EVENT_SCORE
    assert combine(probs(0.9), [0], [ctx])["shutdown"] == pytest.approx(0.9)  # never lowered


def test_triggers_of_which_none_is_strong_discount_the_score() -> None:
    demanded = context_of("我们强烈要求环保局关停这家化工厂")  # no event, every stop asked for
    assert combine(probs(0.9), [0], [demanded])["shutdown"] == pytest.approx(
        0.9 * NO_EVENT_FACTOR * NO_STRONG_FACTOR * DEMANDED_ONLY_FACTOR
    )
    reported = context_of("那家化工厂上个月停产了")  # an event nobody is named to have imposed
    assert reported.events and not any(t.strong for t in reported.triggers)
    assert combine(probs(0.9), [0], [reported])["shutdown"] == pytest.approx(0.9 * NO_STRONG_FACTOR)
    # a post without any trigger has no event either, and no further discount
    assert combine(probs(0.9), [0], [context_of("今天天气不错")])["shutdown"] == pytest.approx(
        0.9 * NO_EVENT_FACTOR
    )


def test_a_sweeping_event_lifts_blanket() -> None:
    ctx = context_of("县里一夜之间把二十几家砖厂都关停了")
    assert combine(probs(0.9), [0], [ctx])["blanket"] == STRONG_BLANKET_SCORE
    one = context_of("县里把这家砖厂关停了")
    # no reading tells it as blanket: the model's probability is discounted (issue 11)
    assert combine(probs(0.9), [0], [one])["blanket"] == pytest.approx(0.01 * UNSWEPT_FACTOR)


def test_an_order_the_post_says_was_defied_does_not_lift() -> None:
    """issue 11, shutdown 2nd pass: 被取缔的厂…照样生产 is an order not enforced."""
    ctx = context_of(
        "这家水泥厂前年就被环保局取缔了。我们向乡里反映过好几次，乡里的干部每次都说会去看看。"
        "到了今年夏天，厂里还是照样非法生产"
    )
    assert ctx.defied and any(t.strong for t in ctx.triggers)
    # shutdown 4th pass: nor do its events count as stops (the part's NO_EVENT_FACTOR)
    assert combine(probs(0.1), [0], [ctx])["shutdown"] == pytest.approx(
        0.1 * NO_EVENT_FACTOR * NO_STRONG_FACTOR
    )


def test_a_seizure_of_goods_or_unnamed_things_is_no_stop_event() -> None:
    """issue 11, shutdown 3rd pass: 查封了一批冻肉 takes goods, not a business; a seizure with no
    business named is no event for the score (the model feature ``event`` is unchanged)."""
    goods = context_of("区食药监局上个月查封了我仓库里的一批冻肉，到现在也不解封")
    assert not any(t.strong or t.stop_event for t in goods.triggers)
    assert combine(probs(0.5), [0], [goods])["shutdown"] == pytest.approx(
        0.5 * NO_EVENT_FACTOR * NO_STRONG_FACTOR
    )
    seized = context_of("城管执法队员当场没收了")
    assert seized.events and not any(t.stop_event for t in seized.triggers)
    shop = context_of("区食药监局上个月查封了这家卖冻肉的店")
    assert any(t.strong and t.stop_event for t in shop.triggers)


def test_a_post_that_only_asks_for_stops_is_discounted_further() -> None:
    """issue 11, shutdown 3rd pass: every trigger demanded; a stop told besides is not."""
    asked = context_of("恳请有关部门取缔这家黑加工厂。请求尽快关停")
    assert {t.modality for t in asked.triggers} == {"demanded"}
    assert combine(probs(0.9), [0], [asked])["shutdown"] == pytest.approx(
        0.9 * NO_EVENT_FACTOR * NO_STRONG_FACTOR * DEMANDED_ONLY_FACTOR
    )
    told = context_of("恳请有关部门取缔这家黑加工厂。隔壁那家砖厂去年停产了")
    assert combine(probs(0.9), [0], [told])["shutdown"] == pytest.approx(0.9 * NO_STRONG_FACTOR)
