"""Sector on real appeals (issue 11): the trades of the guide's sector definitions as cue terms,
the title's sector cues as features of their own, and the sector model's weight on its cues."""

from __future__ import annotations

import numpy as np
import pytest

from yuqing.nlp.cues import default_matcher
from yuqing.nlp.features import FeatureConfig, Vocabulary
from yuqing.nlp.model import cue_masks
from yuqing.nlp.normalize import normalize_for_matching
from yuqing.nlp.tagger import Tagger


def _categories(text: str) -> set[str]:
    norm = normalize_for_matching(text)
    return {c for h in default_matcher().find(text, norm) for c in h.categories}


@pytest.mark.parametrize(
    ("text", "sector"),
    [
        # everyday services (labels.md: catering, washing, repair and other everyday services)
        ("楼下开了个麻将馆", "life_services"),
        ("那家KTV天天唱到半夜", "life_services"),
        ("小区门口的足浴店", "life_services"),
        # illegal structures, urban sanitation, city appearance
        ("顶楼住户违章搭建了一间房", "urban_management"),
        ("垃圾站就建在楼底下", "urban_management"),
        ("这条街的路灯坏了", "urban_management"),
        # road and other engineering projects
        ("村里修路修了两年", "construction"),
        ("人行道被围挡占了", "construction"),
    ],
)
def test_the_trades_of_the_sector_definitions_are_cues(text: str, sector: str) -> None:
    assert f"sector.{sector}" in _categories(text)


def test_sector_cues_of_the_title_are_features_of_their_own(tagger: Tagger) -> None:
    a = tagger.featurizer.analyze("楼下麻将馆吵得睡不着", "我们这栋楼一楼的麻将馆每天开到凌晨。")
    assert a.features.count("k:t.sector.life_services") == 1  # the title's hit only
    assert a.features.count("k:sector.life_services") == 2  # title and text
    body_only = tagger.featurizer.analyze("", "我们这栋楼一楼的麻将馆每天开到凌晨。")
    assert "k:t.sector.life_services" not in body_only.features


def test_without_the_option_the_title_adds_no_feature(tagger: Tagger) -> None:
    from yuqing.nlp.features import Featurizer

    fz = Featurizer(
        FeatureConfig(title_sector_cues=False),
        tagger.featurizer.segmenter,
        tagger.featurizer.cue_matcher,
    )
    a = fz.analyze("楼下麻将馆吵得睡不着", "我们这栋楼一楼的麻将馆每天开到凌晨。")
    assert not any(f.startswith("k:t.") for f in a.features)


def test_the_sector_model_sees_its_cues_boosted_and_the_others_do_not() -> None:
    names = [
        "k:sector.construction",
        "k:t.sector.construction",
        "k:shutdown",
        "k:licensed",
        "w:工地",
    ]
    vocab = Vocabulary(np.array(names), np.ones(len(names)))
    masks = cue_masks(vocab, FeatureConfig(sector_cue_boost=2.0, licensed_cue_boost=2.0))
    sector, licensed = masks["sector"], masks["licensed"]
    assert sector is not None and licensed is not None
    assert sector.diagonal().tolist() == [2.0, 2.0, 1.0, 1.0, 1.0]
    assert licensed.diagonal().tolist() == [1.0, 1.0, 1.0, 2.0, 1.0]
    assert masks["shutdown"] is None
    plain = cue_masks(vocab, FeatureConfig(sector_cue_boost=1.0, licensed_cue_boost=1.0))
    assert plain["sector"] is None


def test_a_real_appeal_about_a_trade_gets_its_sector(tagger: Tagger) -> None:
    """issue 11: a long formal letter whose trade is named mostly in its subject line."""
    letter = (
        "尊敬的领导您好！我是本小区三栋的业主，家里有八十多岁的老人和上小学的孩子。"
        "去年年底开始，一楼的门面被人租下来，白天看不出什么，到了晚上十点以后就热闹起来，"
        "洗牌的声音、吵架的声音一直到凌晨两三点，老人心脏不好，整夜睡不着。"
        "我们找过物业，物业说管不了；打过热线，来人看了一眼就走了，过两天照旧。"
        "恳请有关部门依法查处，还居民一个安静的晚上。"
    )
    rec = tagger.tag("一楼麻将馆通宵营业扰民", letter)
    assert rec.sector == "life_services"
