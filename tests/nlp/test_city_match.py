"""Issue 11: the tagger records the city's own name (齐齐哈尔, 齐市, 鹤城) in a post that names no
district, so the locality gate can tell the city's posts from other places'."""

from __future__ import annotations

from yuqing.nlp.tagger import Tagger


def test_city_name_without_a_district(tagger: Tagger) -> None:
    rec = tagger.tag("齐市烧烤店被关停", "昨天齐市好多烧烤店都被要求停业。")
    assert (rec.district, rec.city_match) == (None, "齐市")


def test_district_wins_and_other_cities_match_nothing(tagger: Tagger) -> None:
    rec = tagger.tag("龙沙区烧烤店被关停", "齐齐哈尔龙沙区的烧烤店都被要求停业。")
    assert (rec.district, rec.city_match) == ("龙沙区", None)
    rec = tagger.tag("烧烤店被关停", "哈尔滨道里区的烧烤店都被要求停业。")
    assert (rec.district, rec.city_match) == (None, None)
