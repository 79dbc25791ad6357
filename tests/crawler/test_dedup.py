"""Content hashes, simhash and the near-duplicate index (nlp/dedup.py) on demo-style posts."""

from __future__ import annotations

import pytest

from yuqing.config import Config
from yuqing.crawler.demo_site.content import load_posts
from yuqing.nlp.dedup import (
    NearDuplicateIndex,
    content_hash,
    hamming,
    matching_form,
    overlap,
    simhash,
    simhash_form,
)

ORIGINAL = (
    "建华这边的烧烤店是不是全都不让开了？今天下午来了一帮人，说是环保检查，让我们文化街道这一条街的"
    "烧烤店统一停业，连装了油烟净化器的也不行。"
)


def places(config: Config) -> dict[str, str]:
    return {n: d.name for d in config.gazetteer.districts for n in d.names()}


def test_content_hash_ignores_punctuation_space_width_and_script() -> None:
    a = content_hash("齐齐哈尔供暖", "今天家里只有十五度，太冷了！")
    assert a == content_hash("齐齐哈尔供暖", "今天家里只有十五度 太冷了!")
    assert a == content_hash("齊齊哈爾供暖", "今天家裡只有十五度，太冷了！")
    assert a != content_hash("齐齐哈尔供暖", "今天家里只有十六度，太冷了！")


def test_simhash_is_stable_and_64_bit() -> None:
    h = simhash(ORIGINAL)
    assert h is not None and 0 <= h < 1 << 64
    assert simhash(ORIGINAL) == h  # no per-process salt (the value is stored)


def test_simhash_of_short_text_is_none() -> None:
    assert simhash("顶一下") is None


def test_repost_is_close_and_unrelated_text_is_far() -> None:
    repost = "转发微博 //@鹤城路人甲: " + ORIGINAL + " 求扩散！"
    other = "克东昨晚下了一夜的雪，早上出门白茫茫一片，树挂特别好看，大家出门注意安全。"
    h, r, o = simhash(ORIGINAL), simhash(repost), simhash(other)
    assert h is not None and r is not None and o is not None
    assert hamming(h, r) < hamming(h, o)
    assert overlap(matching_form(ORIGINAL), matching_form(repost)) > 0.9


def test_index_finds_a_repost_with_the_first_posts_ref(config: Config) -> None:
    index: NearDuplicateIndex[int] = NearDuplicateIndex(places(config))
    form = matching_form(ORIGINAL)
    index.add(form, simhash_form(form) or 0, 1)
    repost = matching_form("再次反映：" + ORIGINAL.replace("，", ",") + "，至今没有解决！")
    assert index.find(repost, simhash_form(repost) or 0) == 1


def test_index_keeps_template_posts_about_different_districts_apart(config: Config) -> None:
    index: NearDuplicateIndex[int] = NearDuplicateIndex(places(config))
    a = matching_form(
        "克山县开展餐饮食品安全检查 本网讯 克山县市场监管部门近日对辖区餐饮单位开展食品安全检查。"
    )
    b = matching_form(
        "克东县开展餐饮食品安全检查 本网讯 克东县市场监管部门近日对辖区餐饮单位开展食品安全检查。"
    )
    index.add(a, simhash_form(a) or 0, 1)
    assert overlap(a, b) > 0.85  # the texts alone look like copies...
    assert index.find(b, simhash_form(b) or 0) is None  # ...but name different counties


def test_index_without_places_would_merge_them() -> None:
    index: NearDuplicateIndex[int] = NearDuplicateIndex()
    a = matching_form(
        "克山县开展餐饮食品安全检查 本网讯 克山县市场监管部门近日对辖区餐饮单位开展食品安全检查。"
    )
    b = matching_form(
        "克东县开展餐饮食品安全检查 本网讯 克东县市场监管部门近日对辖区餐饮单位开展食品安全检查。"
    )
    index.add(a, simhash_form(a) or 0, 1)
    assert index.find(b, simhash_form(b) or 0) == 1


def test_index_clusters_every_demo_repost_with_its_original(config: Config) -> None:
    """Ground truth: the demo posts flagged dup_of must join their original's cluster."""
    posts = load_posts()
    index: NearDuplicateIndex[int] = NearDuplicateIndex(places(config))
    cluster: dict[int, int] = {}
    for p in posts:
        form = matching_form(p["title"] + "\n" + p["text"])
        h = simhash_form(form)
        found = index.find(form, h) if h is not None else None
        cluster[p["id"]] = found if found is not None else p["id"]
        if h is not None and found is None:
            index.add(form, h, p["id"])
    dups = [p for p in posts if p["dup_of"]]
    assert dups, "the demo content should contain reposts"
    missed = [p["id"] for p in dups if cluster[p["id"]] != cluster[p["dup_of"] or 0]]
    assert missed == []
    # and it does not collapse the corpus: almost every other post is its own cluster
    assert len(set(cluster.values())) >= len(posts) - len(dups) - 5


@pytest.mark.parametrize(("distance", "overlap_"), [(-1, 0.8), (65, 0.8), (10, 0.0), (10, 1.5)])
def test_index_rejects_bad_parameters(distance: int, overlap_: float) -> None:
    with pytest.raises(ValueError):
        NearDuplicateIndex(candidate_distance=distance, min_overlap=overlap_)


def test_index_grows_past_its_initial_capacity() -> None:
    index: NearDuplicateIndex[int] = NearDuplicateIndex()
    for i in range(3000):
        form = matching_form(f"第{i}号通知：关于{i}号楼停水的说明，请居民提前储水")
        index.add(form, simhash_form(form) or 0, i)
    assert len(index) == 3000
    probe = matching_form("第2999号通知：关于2999号楼停水的说明，请居民提前储水")
    assert index.find(probe, simhash_form(probe) or 0) is not None
