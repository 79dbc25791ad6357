"""Lawfulness statements (issue 11): how real writers say a business holds its permits raises
the licensed probability; a negated, supposed, asked, required or fraudulent one does not.
Sentences written for these tests."""

from __future__ import annotations

import pytest

from yuqing.nlp.normalize import normalize_for_matching
from yuqing.nlp.permits import MAX_OFFSET, OFFSETS, Permits, adjust, read_permits


def kinds(text: str) -> set[str]:
    return set(read_permits(normalize_for_matching(text)).found)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a permit obtained or held
        ("这家洗车店前年就办理了营业执照和排污许可证，一直在原址经营。", {"obtained"}),
        ("我们厂依法取得了《食品生产许可证》，每年都通过年检。", {"obtained"}),
        ("老板说他们有危险品运输证，车队每天进出。", {"obtained"}),
        ("合作社去年领到了动物防疫条件合格证。", {"obtained"}),
        # the papers are complete
        ("我们养鸡场手续齐全，环评也做过。", {"complete"}),
        ("小区开发商五证齐全，去年开始预售。", {"complete"}),
        ("这家公司的资质合法合规，中标没有问题。", {"complete"}),
        ("我的修车铺证照都有，从来没被罚过。", {"complete"}),
        # the business operates or pays taxes lawfully
        ("我们一直合法正规经营，从没拖欠过工人工资。", {"lawful"}),
        ("小店开了八年，按章纳税，邻里关系也好。", {"lawful"}),
    ],
)
def test_a_lawful_business_is_read(text: str, expected: set[str]) -> None:
    assert kinds(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        # negated before the statement
        "这个小加工点没有办理营业执照，也没有环评。",
        "那家网吧至今未取得文化经营许可证。",
        "这几个砂场手续不齐全就开工了。",
        # denied inside the statement
        "据说他们拿到了过期的卫生许可证，早就不能用了。",
        # supposed, asked or required in the clause
        "如果这家饭店证照齐全，为何油烟还是直排？",
        "请问他们是否办理了排污许可证？",
        "这家店的手续齐全吗？",
        "招标文件要求投标人具有一级施工资质。",
        "开饭店必须取得食品经营许可证。",
        # got by fraud, in the same sentence
        "该店伪造业主签名，骗取了餐饮经营许可证。",
        # a person's papers, not a business's
        "我去年办理了居住证和驾驶证。",
        # no statement at all
        "楼下烧烤店每天开到半夜，油烟太大，望有关部门处理。",
    ],
)
def test_a_denied_or_hypothetical_permit_is_not_read(text: str) -> None:
    assert kinds(text) == set()


def test_the_offset_adds_per_kind_up_to_the_cap() -> None:
    assert Permits().offset() == 0.0
    one = Permits(found={"obtained": ["办理了营业执照"]})
    assert one.offset() == OFFSETS["obtained"]
    every = Permits(found={k: ["x"] for k in OFFSETS})
    assert every.offset() == min(MAX_OFFSET, sum(OFFSETS.values()))


def test_adjust_moves_the_probability_by_the_log_odds_offset() -> None:
    assert adjust(0.3, Permits()) == 0.3
    moved = adjust(0.3, Permits(found={"complete": ["手续齐全"]}))
    assert 0.5 < moved < 1.0  # 0.3 with +2 log-odds is about 0.76
    assert adjust(0.0, Permits(found={"complete": ["手续齐全"]})) < 0.01  # an offset, not a vote


def test_terms_are_short_and_spelled_as_written() -> None:
    text = "我们厂手续齐全，办理了营业执照，手续齐全。"
    p = read_permits(normalize_for_matching(text), text)
    assert sorted(p.terms()) == sorted(["手续齐全", "办理了营业执照"])


def test_the_tagger_shows_the_statement_as_evidence(tagger) -> None:  # type: ignore[no-untyped-def]
    rec = tagger.tag(
        "石料厂被要求停产",
        "我们石料厂办理了采矿许可证和营业执照，手续齐全，这次检查也被要求停产了。",
    )
    assert rec.licensed, rec.licensed_score
    assert any("手续齐全" in t or "许可证" in t for t in rec.evidence["licensed"]), rec.evidence


# issue 11, licensed 2nd pass: more general wording of holding a permit, and statements that
# do not say the affected business holds its permits (sentences written for these tests)
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # lawful papers named as such, papers issued by an office, lawful teaching
        ("这所民办学校有合法的办学手续，办了十几年。", {"obtained"}),
        ("工商所给这家烧烤店下发了手续，社区也管不了。", {"obtained"}),
        ("我们学校三十年来一直合法办学，从没出过事故。", {"lawful"}),
        # a law named as broken is no quoted article
        ("区工商局违反大气污染防治法第八十一条，给楼下餐馆核发了餐饮经营许可证。", {"obtained"}),
        # a home on a homestead used as a shop is a business
        ("我在宅基地上盖的门面房开了超市，持有营业执照。", {"obtained"}),
        # a leave of absence is no fraud
        ("店员办理了请假手续。这家店早就办理了营业执照。", {"obtained"}),
    ],
)
def test_more_wordings_of_a_held_permit_are_read(text: str, expected: set[str]) -> None:
    assert kinds(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        # the writer says elsewhere in the post that the permits were got by fraud
        "楼下新开的棋牌室办理了营业执照。邻居们都知道那是伪造房东签名骗取的执照。",
        "这几家培训班都取得了办学许可证。可它们用的是假的消防验收意见书。",
        # an article of a law quoted in the post
        "该办法第二十条规定，已取得许可证的单位每年年检一次。",
        # a household's permit for its own home, not a business's
        "我家去年翻建老房子，办理了规划许可证，手续都齐全。",
        # asked, or only a purpose
        "请问这栋安置房手续齐全为什么不给过户？",
        "为了合法经营，我去年就开始准备材料。",
        # a person's errand, not a business permit
        "我上个月办理了退房手续，押金还没退。",
    ],
)
def test_a_permit_the_writer_does_not_grant_is_not_read(text: str) -> None:
    assert kinds(text) == set()
