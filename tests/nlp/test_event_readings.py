"""The readings of yuqing.nlp.event, each on its own (issue 11): the examples their docstrings
give. tests/nlp/test_context.py reads the same rules through read_context."""

from __future__ import annotations

from dataclasses import replace

import pytest

from yuqing.nlp.context import Context, Trigger, read_context
from yuqing.nlp.cues import default_matcher
from yuqing.nlp.event import defiance, doer, modality, objects, scope, terms
from yuqing.nlp.normalize import normalize_for_matching


def context_of(text: str) -> Context:
    original = f"\n{text}"
    norm = normalize_for_matching(original)
    return read_context(norm, default_matcher().find(original, norm), 0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("环保局责令砖厂停产", "imposed"),
        ("恳请有关部门依法取缔这个黑作坊", "demanded"),
        ("听说要把饭店全关了", "feared"),
    ],
)
def test_modality_examples(text: str, expected: str) -> None:
    assert context_of(text).triggers[0].modality == expected


def test_read_modality_alone() -> None:
    # before, after, window, a demanded-cue or not
    assert modality.read_modality("停产", "环保局责令砖厂", "", "环保局责令砖厂停产", False) == (
        "imposed"
    )
    assert modality.read_modality("停产", "砖厂没有", "", "砖厂没有停产", False) == "negated"
    assert modality.read_modality("停产", "砖厂", "", "砖厂停产", False) == "neutral"


def test_passes_across_triggers_return_modalities() -> None:
    t = context_of("请求关停并取缔这家砖厂").triggers
    assert [x.modality for x in t] == ["demanded", "demanded"]  # 并 joins the second
    norm = "请求关停并取缔"
    first = Trigger("关停", 2, 4, "demanded", "none", False, False, False)
    joined = Trigger("取缔", 5, 7, "neutral", "none", False, False, False)
    assert modality.joined(norm, [first, joined]) == ["demanded", "demanded"]
    far = replace(joined, start=30, end=32)
    assert modality.joined(norm + "，" * 30, [first, far]) == ["demanded", "neutral"]
    assert modality.echoes_of_demands([first, replace(far, term="依法取缔")]) == [
        "demanded",
        "neutral",
    ]
    assert modality.echoes_of_demands([first, replace(far, term="全部关停")]) == [
        "demanded",
        "demanded",
    ]


def test_object_examples() -> None:
    window = "我家的砖厂被责令停产"
    assert objects.read_object(window, window.index("停产")) == "business"
    assert objects.read_object("拆除我家的房屋", 0) == "household"
    assert objects.read_object("拆除了", 0) == "none"
    assert objects.GOODS.search("查封一批货物")


def test_doer_examples() -> None:
    assert doer.by_authority("环保局责令该砖厂", "停产", "business")
    assert not doer.by_authority("物业强行把店", "关停", "business")
    assert doer.by_authority("该机构因无证办学", "被关停", "business")  # a business, passive
    assert not doer.by_authority("该机构因无证办学", "关停", "business")
    norm = "城管局多次上门检查。十月中旬，查封了这家作坊"
    s0 = norm.index("十")
    at = norm.index("查封")
    assert doer.dropped_subject(norm, s0, at, "查封", "了这家作坊", "business")
    assert not doer.dropped_subject(norm, s0, at, "查封", "这家作坊", "business")  # not told done


def test_scope_examples() -> None:
    (t,) = context_of("督察期间全县所有砖厂一律停产").triggers
    assert (t.collective, t.timing, t.sweeping) == (True, True, True)
    assert scope.COLLECTIVE.search("全部") and not scope.SWEEPING.search("全部")
    assert scope.MIXED.search("有证的无证的一律关停")


def test_defiance_example() -> None:
    assert context_of("砖厂被关停了。到今年还照样在生产").defied
    assert not context_of("砖厂被关停了。到今年也没开").defied
    assert defiance.DEFIED.search("根本没有停工")


def test_terms_examples() -> None:
    (seal,) = context_of("上个月城管局查封了").triggers
    assert seal.strong and seal.object == "none"
    (stopped,) = context_of("城管来了以后店就停了").triggers
    assert stopped.term in terms.WEAK and not stopped.strong
    assert terms.FORMAL.search("取缔") and not terms.FORMAL.search("停了")
    assert terms.STOP.search("关停") and not terms.STOP.search("处理")
