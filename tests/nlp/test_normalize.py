"""Text normalization shared by the crawler and the tagger."""

from __future__ import annotations

import pytest

from yuqing.nlp.normalize import (
    author_hash,
    clean_text,
    mask_pii,
    normalize_for_matching,
    protect_words,
    to_simplified,
)


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("电话13912345678", "电话139****5678"),
        ("手机 +86 139-1234-5678 联系", "手机 139****5678 联系"),
        ("身份证230202198001011234", "身份证230202************"),
        ("身份证23020219800101123X。", "身份证230202************。"),
        ("座机0452-2712345", "座机0452-****45"),
        ("邮箱 a.b@qq.com", "邮箱 ***@***"),
        ("编号20261127001不是电话", "编号20261127001不是电话"),
    ],
)
def test_mask_pii(raw: str, masked: str) -> None:
    assert mask_pii(raw) == masked


def test_clean_text_strips_markup_and_folds_whitespace() -> None:
    html = "<div>第一段&nbsp;&amp;<script>alert(1)</script></div><p>第二段\u3000 完</p>_x000D_"
    assert clean_text(html) == "第一段 &\n第二段 完"
    assert clean_text(None) == ""


def test_to_simplified() -> None:
    assert to_simplified("齊齊哈爾市環保督察期間一律停產") == "齐齐哈尔市环保督察期间一律停产"
    assert to_simplified("全部是简体，不动") == "全部是简体，不动"
    assert to_simplified("") == ""


def test_place_names_survive_t2s() -> None:
    # Regression (issue 3, crawler report): t2s turned 克东县乾丰镇 into 干丰镇.
    assert to_simplified("克东县乾丰镇的养殖场被关停") == "克东县乾丰镇的养殖场被关停"
    assert to_simplified("克東縣乾豐鎮") == "克东县乾丰镇"


def test_protect_words_for_user_gazetteers() -> None:
    assert to_simplified("乾安村") == "干安村"
    protect_words(["乾安村"])
    assert to_simplified("乾安村") == "乾安村"


def test_author_hash_is_keyed_and_stable() -> None:
    a = author_hash(b"k1", "张三")
    assert a == author_hash(b"k1", " 张三 ") and a != author_hash(b"k2", "张三")
    assert a is not None and len(a) == 16 and "张三" not in a
    assert author_hash(b"k1", "") is None and author_hash(b"k1", None) is None


def test_normalize_for_matching_folds_width_and_case() -> None:
    assert normalize_for_matching("ＡＢＣ　齊市") == "abc 齐市"
