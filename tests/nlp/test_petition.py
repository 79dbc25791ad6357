"""Petition cues (issue 11): a flat real appeal's demand and grievances raise the complaint
probability; a neutral consultation or a thanks letter lowers it. Sentences written for
these tests."""

from __future__ import annotations

import pytest

from yuqing.nlp.normalize import normalize_for_matching
from yuqing.nlp.petition import adjust, read_petition


def petition(title: str, text: str):  # type: ignore[no-untyped-def]
    norm = normalize_for_matching(f"{title}\n{text}")
    return read_petition(norm, len(title))


@pytest.mark.parametrize(
    ("title", "text", "groups"),
    [
        (
            "小区门口的烧烤店油烟太大",
            "楼下烧烤店每天开到半夜，油烟顺着窗户往屋里灌，严重影响休息。望有关部门尽快处理。",
            {"demand", "harm"},
        ),
        (
            "旧厂房改建工程偷工减料",
            "这个改建工程偷工减料，钢筋都没按图纸放，向街道反映了三次至今没有回音。恳请上级彻查。",
            {"demand", "wrong", "unresolved"},
        ),
        (
            "地下车库被占",
            "车库被人擅自改成仓库，我们多次向物业反映，物业说管不了。",
            {"repeated", "wrong"},
        ),
    ],
)
def test_a_flat_appeal_shows_its_demand_and_grievances(
    title: str, text: str, groups: set[str]
) -> None:
    p = petition(title, text)
    assert groups <= set(p.found), p.found
    assert p.offset() > 0
    assert adjust(0.05, p) > 0.25  # a flat appeal the model doubts becomes a complaint


def test_a_question_is_no_demand() -> None:
    """请问 asks, it does not demand; a consultation title with no grievance lowers the score
    (issue 11)."""
    p = petition("咨询公积金提取需要哪些材料", "请问在外地买房提取公积金需要带哪些材料？谢谢。")
    assert "demand" not in p.found
    assert p.consultation
    assert p.offset() < 0
    assert adjust(0.3, p) < 0.1


def test_a_consultation_with_a_grievance_keeps_it() -> None:
    p = petition(
        "咨询拆迁补偿什么时候发放", "房子去年就拆了，补偿款至今没有发下来，找了几次都说等通知。"
    )
    assert p.consultation
    assert "unresolved" in p.found
    assert p.offset() > 0


def test_a_consultation_about_a_loss_carries_a_grievance() -> None:
    """The guide's example: a consultation that asks for compensation is a complaint."""
    p = petition("养鸡场被关停了能否补偿？", "我家养鸡场上个月被镇里关停了，请问能否补偿？")
    assert p.consultation
    assert "loss" in p.found
    assert p.offset() > 0


def test_a_thanks_letter_is_lowered() -> None:
    p = petition("感谢社区帮我们修好了路灯", "路灯坏了很久，社区主任跑了几趟，现在终于亮了。")
    assert p.thanks
    assert adjust(0.5, p) < 0.25


def test_news_the_model_is_sure_of_stays_below_the_threshold() -> None:
    """An offset, not a vote: a notice quoting a demand keeps a low probability."""
    p = petition(
        "关于清理占道经营的通知",
        "各街道办事处：请各单位于本月底前完成占道经营清理整治，确保整改到位。",
    )
    assert "demand" in p.found
    assert adjust(0.001, p) < 0.05


def test_a_post_with_no_petition_shape_is_lowered_a_little() -> None:
    """Chatter has no demand and no grievance: slightly less likely a complaint (issue 11)."""
    p = petition("周末去江边看日落", "天气很好，江边人不多，拍了几张照片。")
    assert p.found == {}
    assert 0.1 < adjust(0.25, p) < 0.25
    assert adjust(0.9, p) > 0.8  # the model's confident reading stands


def test_the_tagger_shows_the_demand_as_evidence(tagger) -> None:  # type: ignore[no-untyped-def]
    rec = tagger.tag(
        "工地夜间施工扰民",
        "我家楼后的工地天天晚上十一点以后还在打桩，孩子根本睡不着。望有关部门尽快处理。",
    )
    assert rec.complaint
    assert any("望有关部门" in t for t in rec.evidence["complaint"]), rec.evidence["complaint"]
