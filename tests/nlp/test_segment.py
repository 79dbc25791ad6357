"""Segmentation keeps domain words and place names whole; the user dictionary is honoured."""

from __future__ import annotations

from pathlib import Path

import pytest

from yuqing.config import Config
from yuqing.config.errors import ConfigError
from yuqing.nlp.build import gazetteer_words
from yuqing.nlp.segment import Segmenter, domain_words, get_segmenter


def test_domain_words_and_place_names_stay_whole() -> None:
    seg = get_segmenter(["梅里斯达斡尔族区", "卧牛吐达斡尔族镇"], hmm=False)
    words = seg.words("梅里斯达斡尔族区的养殖场被先停再说，卧牛吐达斡尔族镇也搞一刀切，说是散乱污")
    for w in ("梅里斯达斡尔族区", "先停再说", "卧牛吐达斡尔族镇", "一刀切", "散乱污"):
        assert w in words
    assert "一刀切" in domain_words()


def test_the_segmenter_is_built_once_per_process() -> None:
    a = get_segmenter(["讷河市", "拉哈镇"])
    assert get_segmenter(["拉哈镇", "讷河市"]) is a  # order does not matter


def test_the_global_jieba_dictionary_is_left_alone() -> None:
    import jieba

    get_segmenter(["一种不存在的词语组合"], hmm=False)
    assert "一种不存在的词语组合" not in jieba.lcut("一种不存在的词语组合", HMM=False)


def test_user_dictionary_words_are_added(tmp_path: Path) -> None:
    path = tmp_path / "words.txt"
    path.write_text("鹤城夜经济示范街 100 n\n", encoding="utf-8")
    assert "鹤城夜经济示范街" in Segmenter(user_dict=path, hmm=False).words(
        "鹤城夜经济示范街的摊位"
    )


def test_unreadable_user_dictionary_names_the_setting(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"nlp\.user_dict: cannot read .*missing\.txt"):
        Segmenter(user_dict=tmp_path / "missing.txt")


def test_start_up_check_names_missing_nlp_files(tmp_path: Path) -> None:
    from yuqing.nlp.checks import check_nlp

    from .conftest import make_config

    cfg = make_config(tmp_path / "var", user_dict=tmp_path / "words.txt")
    assert [str(e) for e in check_nlp(cfg)] == [
        f"settings: nlp.user_dict: user dictionary {str(tmp_path / 'words.txt')!r} does not exist"
    ]
    (tmp_path / "words.txt").write_text("词 1\n", encoding="utf-8")
    assert check_nlp(make_config(tmp_path / "var", user_dict=tmp_path / "words.txt")) == []


def test_words_keep_gazetteer_names_whole(nlp_config: Config) -> None:
    seg = get_segmenter(gazetteer_words(nlp_config), hmm=False)
    assert seg.words("齐齐哈尔市的烧烤") == ["齐齐哈尔市", "的", "烧烤"]


def test_hmm_segmentation_is_jiebas_own() -> None:
    seg = Segmenter(hmm=True)
    text = "龙沙区的王小二烧烤被叫停"
    assert seg.tokens(text) == list(seg._tok.cut(text, HMM=True))
