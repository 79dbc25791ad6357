"""A grievance stated in the title (issue 11): real appeals that put their grievance in the
headline and tell the story flatly, with no demand word, are complaints; news, notices,
replies, campaigns and thanks letters that name the same problem are not. Sentences written
for these tests."""

from __future__ import annotations

import pytest

from yuqing.nlp.grievance import _TERM, TERMS, _alternatives, title_grievance
from yuqing.nlp.normalize import normalize_for_matching
from yuqing.nlp.petition import adjust, read_petition


def petition(title: str, text: str):  # type: ignore[no-untyped-def]
    norm = normalize_for_matching(f"{title}\n{text}")
    return read_petition(norm, len(title))


def title_term(title: str, text: str = "") -> str | None:
    norm = normalize_for_matching(f"{title}\n{text}")
    return title_grievance(norm[: len(title)], norm[len(title) :])


@pytest.mark.parametrize(
    ("title", "text", "term"),
    [
        ("某中学强制学生周末补课并收费", "每个学生每月交六百元，不交的就不让进教室。", "强制"),
        ("职工食堂的饭菜经常变质", "上周吃了两次都是酸的，好几个同事拉肚子。", "变质"),
        ("步行街一家酒吧通宵营业", "每天晚上音乐开得很大，一直到早上四五点。", "通宵"),
        ("8路公交车经常不按时发车", "早上在站台等了四十分钟，上班又迟到了。", "不按时"),
        ("装修公司拖欠农民工工资", "干完活三个月了，老板一直说下个月给。", "拖欠"),
        ("物业违规收取装修押金", "交房时每户收了三千元押金，说是规定。", "违规"),
    ],
)
def test_a_grievance_in_the_title_makes_a_flat_appeal_a_complaint(
    title: str, text: str, term: str
) -> None:
    p = petition(title, text)
    assert p.title == term
    assert "demand" not in p.found  # no demand word: the title alone carries it
    assert adjust(0.05, p) >= 0.25  # a flat appeal the model doubts becomes a complaint
    assert term in p.terms()  # shown as evidence


@pytest.mark.parametrize(
    ("title", "text"),
    [
        ("小区周边终于没有噪音了", "搬走了那家加工厂以后安静多了。"),  # negated
        ("我区开展违建专项整治", "各街道要在月底前摸清底数。"),  # a campaign
        ("市场监管局严查乱收费", "重点检查停车场和景区。"),  # an authority acts on it
        ("某餐馆使用地沟油被查封", "执法人员在后厨发现来源不明的散装油。"),  # an outcome
        ("关于某小区停水问题的答复", "网友您好：您反映的问题已转供水公司处理。"),  # a reply
        ("城区计划停电通知", "因线路检修，周六八时至十二时部分区域停电。"),  # a notice
        ("烧烤摊油烟扰民问题反复", "本报记者 夏天一到，小街上的烧烤摊又摆了出来。"),  # news
        ("", "外卖送到的时候饭菜都馊了，再也不点了。"),  # no title: a review
    ],
)
def test_news_notices_campaigns_and_reviews_state_no_title_grievance(title: str, text: str) -> None:
    assert title_term(title, text) is None


def test_a_complaint_that_no_one_replied_keeps_its_grievance() -> None:
    """答复 / 回复 names an official reply, not when the writer says there was none."""
    assert title_term("投诉热线一直打不通，至今无回复") == "打不通"


def test_a_thanks_title_has_no_grievance() -> None:
    """The grievance a thanks letter tells of was resolved."""
    p = petition("感谢城管解决了困扰我们多年的噪音扰民问题", "现在晚上终于能睡个好觉了。")
    assert p.thanks
    assert p.title == ""
    assert adjust(0.3, p) < 0.25


def test_a_consultation_with_a_grievance_in_its_title_is_not_lowered() -> None:
    """The guide: a consultation that carries a grievance is a complaint."""
    p = petition("物业乱收费合理吗？", "物业每月多收每户五十元电梯费，没有任何说明。")
    assert p.consultation
    assert p.title == "乱收费"
    assert p.offset() > 0


def test_the_tagger_shows_the_title_grievance_as_evidence(tagger) -> None:  # type: ignore[no-untyped-def]
    rec = tagger.tag(
        "幼儿园强制家长购买校服",
        "开学第一天老师说每人必须买三套，一套两百八，不买不让参加活动。",
    )
    assert rec.complaint
    assert "强制" in rec.evidence["complaint"], rec.evidence["complaint"]


def test_every_literal_term_passes_the_first_character_look_ahead() -> None:
    """The look-ahead on first characters must not hide a term (its set is derived)."""
    literals = [
        alt for rx in TERMS.values() for alt in _alternatives(rx) if not set(alt) & set("()[]?!\\|")
    ]
    assert len(literals) > 150
    missed = [t for t in literals if not _TERM.search(t)]
    assert missed == []
    assert _TERM.search("看病难") and _TERM.search("强制补课")
    assert not _TERM.search("强制执行")  # the guarded spelling stays out
