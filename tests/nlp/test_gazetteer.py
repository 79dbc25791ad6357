"""District matching: longest match, false friends, the city's own names, title weighting."""

from __future__ import annotations

import pytest

from yuqing.config import Config
from yuqing.config.gazetteer import District, Gazetteer
from yuqing.nlp.gazetteer import GazetteerMatcher
from yuqing.nlp.trie import compile_terms


@pytest.fixture(scope="module")
def matcher(nlp_config: Config) -> GazetteerMatcher:
    return GazetteerMatcher(nlp_config.gazetteer)


@pytest.mark.parametrize(
    ("text", "district", "name"),
    [
        ("讷河市拉哈镇的砖厂", "讷河市", "讷河市"),
        ("我们在拉哈镇开砖厂", "讷河市", "拉哈镇"),
        ("齐齐哈尔大学门口的烧烤摊", "建华区", "齐齐哈尔大学"),  # longest match beats 齐齐哈尔
        ("黑龙江省齐齐哈尔市龙江县", "龙江县", "龙江县"),
        ("富拉尔基区红岸街道", "富拉尔基区", "富拉尔基区"),
        ("扎龙湿地边上的鱼塘", "铁锋区", "扎龙湿地"),
        ("克山县的粉条厂", "克山县", "克山县"),
        ("龍沙區的飯店", "龙沙区", "龍沙區"),  # Traditional text, name spelled as written
    ],
)
def test_finds_the_district_and_the_name(
    matcher: GazetteerMatcher, text: str, district: str, name: str
) -> None:
    m = matcher.match("", text)
    assert m is not None
    assert (m.district, m.name) == (district, name)
    assert name in text  # the matched name can be highlighted in the post


@pytest.mark.parametrize(
    "text",
    [
        "黑龙江省出台新规",  # 龙江 inside 黑龙江 (龙江 is not an alias anyway)
        "克山病防治工作会议",  # 克山 inside 克山病
        "否极泰来",  # 泰来 inside an idiom
        "依安全生产法规定责令停产",  # 依安 inside 依《安全生产法》
        "推动发展乡村振兴",  # 发展乡 inside 发展乡村
        "齐齐哈尔市政府发布通知",  # the city itself is no district
        "让老百姓富裕起来",  # 富裕 is not an alias
        "",
    ],
)
def test_false_friends_and_city_names_give_no_district(
    matcher: GazetteerMatcher, text: str
) -> None:
    assert matcher.match("", text) is None


def test_the_title_counts_double_and_ties_go_to_the_first_mention(
    matcher: GazetteerMatcher,
) -> None:
    m = matcher.match("讷河市砖厂被关", "我从龙沙区来，也去过铁锋区")
    assert m is not None and m.district == "讷河市"
    m = matcher.match("", "我从龙沙区来，也去过铁锋区")
    assert m is not None and m.district == "龙沙区"
    m = matcher.match("", "龙沙区来人，铁锋区的厂，铁锋区的工人")
    assert m is not None and m.district == "铁锋区"


def test_a_custom_gazetteer_works_the_same_way() -> None:
    g = Gazetteer(
        city="测试市",
        districts=[District(name="东区", aliases=["东城"], places=["东门街道"])],
    )
    m = GazetteerMatcher(g).match("", "东门街道的小吃店")
    assert m is not None and (m.district, m.name) == ("东区", "东门街道")


def test_trie_pattern_is_leftmost_longest() -> None:
    pattern = compile_terms(["齐齐哈尔", "齐齐哈尔大学", "哈尔", "大学"])
    assert pattern is not None
    found = [m.group() for m in pattern.finditer("齐齐哈尔大学和哈尔滨大学")]
    assert found == ["齐齐哈尔大学", "哈尔", "大学"]
    assert compile_terms([]) is None
