"""Blanket on real posts, 2nd pass (issue 11): a sweeping word counts inside the stop's own
clause, a sudden raid on a business and the licensed stopped with the rest lift blanket, and a
post no reading tells as blanket keeps only part of the model's probability. Sentences written
by us."""

from __future__ import annotations

import numpy as np
import pytest

from yuqing.nlp.combine import combine, read_blanket
from yuqing.nlp.context import STRONG_BLANKET_SCORE, Context, read_context
from yuqing.nlp.cues import default_matcher
from yuqing.nlp.event import scope, sudden
from yuqing.nlp.features import Analysis
from yuqing.nlp.normalize import normalize_for_matching
from yuqing.nlp.permits import read_permits
from yuqing.nlp.tagger import Tagger


def norm_of(text: str) -> str:
    return normalize_for_matching(f"\n{text}")


def context_of(text: str) -> Context:
    original = f"\n{text}"
    norm = normalize_for_matching(original)
    return read_context(norm, default_matcher().find(original, norm), 0)


def blanket_of(text: str, model: float = 0.2) -> float:
    p = {
        "shutdown": np.array([0.9]),
        "blanket": np.array([model]),
        "complaint": np.array([0.5]),
        "licensed": np.array([0.0]),
        "sector": np.array([[1.0]]),
    }
    ctx = context_of(text)
    read_blanket(Analysis(f"\n{text}", norm_of(text), 0, context=ctx))  # as Tagger.tag_many does
    return float(combine(p, [0], [ctx])["blanket"])


def test_issue_11_a_sweeping_word_of_the_next_clause_does_not_sweep_the_stop() -> None:
    after = context_of("镇里责令这家洗车店停业，所有村民代表都到场开了会")
    assert not any(t.sweeping for t in after.triggers)
    # before the stop, or after it in its own clause, it still does
    assert context_of("全县所有砖厂，一律停产整顿").triggers[-1].sweeping
    assert context_of("去年市里关闭了境内的几十家采石场，群众拍手叫好").triggers[0].sweeping
    assert scope.sweeping("", "停工", ",所有人员参加会议") is False
    assert scope.sweeping("", "关停", "了十几家砖厂,") is True


@pytest.mark.parametrize(
    ("text", "raid"),
    [
        ("拆迁办连夜突击拆毁了我们的厂房", True),
        ("几百人突然袭击，把合作社的养鸡场推平了", True),
        ("一夜之间，街上的店铺都被执法局查封", True),
        ("城管凌晨突击检查烧烤店", False),  # a surprise inspection is no raid
        ("半夜强拆了我家老屋", False),  # a home, not a business
        ("工地深夜施工，噪音扰民", False),  # no stop
        ("他突然决定不干了，去年就把饭店转让了", False),
        ("老板突然关闭了饭店，工资也没发", False),  # the owner's own stop
        ("某地产公司深夜强拆了我们的厂房", False),  # a private doer
        ("镇政府突然通知，所有饭店停业", True),
    ],
)
def test_issue_11_a_sudden_raid_razes_or_closes_a_business(text: str, raid: bool) -> None:
    assert sudden.raided(norm_of(text)) is raid


@pytest.mark.parametrize(
    ("text", "swept"),
    [
        ("区里全面取缔非法洗沙场，拆除现有手续齐全的洗沙场及厂房", True),
        ("这次整治不分青红皂白，证照齐全的也被关停了", True),
        ("合法经营的商户一并取缔，谁来给个说法", True),
        ("城管拆除了我手续齐全的门面", False),  # one business: the licensed tag, not blanket
        ("如果手续齐全的也被关停，谁还敢投资", False),  # only supposed
        ("违法的关停了，手续齐全的照常营业", False),  # the licensed go on
        ("开发商取得了预售许可证(我们也是在停工后才知道的)", False),  # not what is stopped
    ],
)
def test_issue_11_licensed_businesses_stopped_with_the_rest(text: str, swept: bool) -> None:
    assert scope.licensed_swept(norm_of(text), read_permits) is swept


def test_issue_11_a_raid_or_the_licensed_swept_lift_blanket_others_are_discounted() -> None:
    text = "拆迁办连夜突击拆毁了这家酒厂的厂房，酒厂至今停产"
    assert blanket_of(text, 0.02) == STRONG_BLANKET_SCORE
    assert blanket_of("全面取缔非法砂场，拆除现有手续齐全的砂场", 0.02) == STRONG_BLANKET_SCORE
    # one station stopped pending a decision: no reading, the model's word alone is discounted
    text = "在调查结果出来之前，街道责令加油站停工，所有代表都同意"
    assert blanket_of(text, 0.3) == pytest.approx(0.3 * scope.UNSWEPT_FACTOR)
    assert blanket_of(text, 0.3) < 0.25  # below the shipped blanket threshold


@pytest.mark.parametrize(
    "text",
    [
        "镇政府组织拆迁办连夜突击拆毁了我们酒厂的厂房，酒厂被责令停产，损失惨重",
        "区政府开展整治，全面取缔非法砂场，拆除现有手续齐全的砂场，我们被责令停产",
    ],
)
def test_issue_11_the_tagger_reads_a_raid_and_the_licensed_swept(tagger: Tagger, text: str) -> None:
    rec = tagger.tag_many([("", text)])[0]
    assert rec.shutdown
    assert rec.blanket and rec.blanket_score >= STRONG_BLANKET_SCORE
