"""Long texts are scored in parts of about the corpus's length (issue 11: real petitions run
to thousands of characters, the posts the models learn from to a few hundred)."""

from __future__ import annotations

from yuqing.nlp.features import merge, split_parts
from yuqing.nlp.tagger import Tagger


def test_parts_are_cut_after_sentence_ends_and_join_to_the_text() -> None:
    text = "第一句话说了一件事。" * 40 + "最后一句没有句号"
    parts = split_parts(text, 100)
    assert "".join(parts) == text
    assert all(len(p) <= 100 for p in parts[:-1])
    assert all(p.endswith("。") for p in parts[:-1])
    assert split_parts("短文本。", 100) == ["短文本。"]
    assert split_parts("", 100) == [""]
    assert split_parts("长" * 500, 0) == ["长" * 500]  # 0: never cut


def test_a_sentence_without_an_end_is_cut_where_it_must() -> None:
    text = "没有标点的一长串字" * 50
    parts = split_parts(text, 100)
    assert "".join(parts) == text and max(map(len, parts)) <= 150


def test_merged_analysis_reads_as_the_whole_post(tagger: Tagger) -> None:
    text = "我们屯子的砖厂被镇里关停了。" * 30
    parts = tagger.featurizer.analyze_parts("砖厂的事", text)
    assert len(parts) > 1
    whole = merge(parts)
    assert whole.original == "砖厂的事\n" + text
    assert whole.context is not None
    assert len(whole.context.triggers) == sum(len(p.context.triggers) for p in parts if p.context)


def test_a_shutdown_told_deep_in_a_long_letter_is_found(tagger: Tagger) -> None:
    """issue 11: the shutdown is background in a long letter about something else."""
    filler = "我家的情况是这样的，孩子上学需要用钱，老人身体也不好，每个月都要去医院看病拿药。"
    stop = (
        "去年九月县里搞环保整治，镇上九家砖厂全部被责令停产，我家的砖厂也被贴了封条，至今没让开工。"
    )
    rec = tagger.tag("关于贷款展期的请求", filler * 12 + stop + filler * 6)
    without = tagger.tag("关于贷款展期的请求", filler * 18)
    assert rec.complaint and not without.shutdown
    assert "停产:imposed/business" in rec.evidence["context"]
    # scored in its own part, the stop is not drowned by the rest of the letter (whether it
    # crosses the threshold is what realdev measures: background stops remain the hard case)
    assert rec.shutdown_score > 5 * without.shutdown_score
