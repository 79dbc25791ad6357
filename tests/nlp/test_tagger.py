"""The tagger's interface (others code against it), its evidence, and bad input."""

from __future__ import annotations

import pytest

from yuqing.config import Config
from yuqing.nlp.corpus import SECTORS
from yuqing.nlp.loader import load_tagger
from yuqing.nlp.tagger import Tagger
from yuqing.store.posts import TagRecord

BLANKET_POST = (
    "关于我们这条街烧烤店被一刀切关停的反映",
    "尊敬的领导：我在龙沙区五龙街道开烧烤店，证照齐全，依法纳税。上周街道来人说督察组要来，"
    "让整条街的烧烤店全部关停，先停再说，连我们有证的也一起关了。请领导给个说法！",
)
NEWS_OF_THE_BAN = (
    "我市严禁环保整改“一刀切”",
    "记者从市生态环境局获悉，我市印发通知，严禁在生态环境问题整改中采取“一律关停”“先停再说”"
    "等敷衍做法，对手续合法的企业不得要求集中停产。",
)


def _check_record(rec: TagRecord, title: str, text: str) -> None:
    assert isinstance(rec, TagRecord)
    assert rec.sector in SECTORS
    for score in (
        rec.shutdown_score,
        rec.blanket_score,
        rec.complaint_score,
        rec.sector_score,
        rec.licensed_score,
    ):
        assert 0.0 <= score <= 1.0
    assert not rec.blanket or rec.shutdown  # blanket only with a shutdown
    ev = rec.evidence
    assert set(ev) == {
        "shutdown",
        "blanket",
        "complaint",
        "licensed",
        "sector",
        "district",
        "features",
        "city",  # issue 11: the city's own name, as spelled, or None
        "context",  # issue 11: "term:modality/object" per shutdown cue
    }
    post = f"{title}\n{text}"
    for finding in ev["context"]:
        term, _, rest = finding.partition(":")
        assert term in post and "/" in rest, finding
    assert rec.city_match == (None if rec.district else ev["city"])
    if ev["city"] is not None:
        assert ev["city"] in post
    for tag in ("shutdown", "blanket", "complaint", "licensed", "sector"):
        for term in ev[tag]:
            assert term in post, (tag, term)  # highlightable
        for term in ev["features"][tag]:
            assert term in post, (tag, term)
    assert ev["district"] == rec.district_match
    if rec.district_match is not None:
        assert rec.district_match in post


def test_a_blanket_shutdown_letter(tagger: Tagger) -> None:
    rec = tagger.tag(*BLANKET_POST)
    _check_record(rec, *BLANKET_POST)
    assert (rec.shutdown, rec.blanket, rec.complaint, rec.licensed) == (True, True, True, True)
    assert rec.sector == "life_services"
    assert (rec.district, rec.district_match) == ("龙沙区", "龙沙区")
    assert "一刀切" in rec.evidence["blanket"]
    assert "证照齐全" in rec.evidence["licensed"]
    assert "烧烤" in "".join(rec.evidence["sector"])
    assert rec.evidence["features"]["shutdown"]
    assert rec.model_version == tagger.model_version
    assert rec.custom == {}


def test_news_of_the_citys_own_ban_is_no_shutdown(tagger: Tagger) -> None:
    rec = tagger.tag(*NEWS_OF_THE_BAN)
    _check_record(rec, *NEWS_OF_THE_BAN)
    assert not rec.shutdown and not rec.blanket and not rec.complaint
    assert rec.evidence["shutdown"] == []  # no evidence for a tag that is off


def test_tag_many_matches_tag_and_keeps_order(tagger: Tagger) -> None:
    items = [BLANKET_POST, NEWS_OF_THE_BAN, ("", "")] * 3
    many = tagger.tag_many(items)
    assert [r.shutdown for r in many] == [tagger.tag(t, x).shutdown for t, x in items]
    assert many[0] == tagger.tag(*BLANKET_POST)


def test_two_worker_processes_give_the_same_tags(
    tagger: Tagger, monkeypatch: pytest.MonkeyPatch
) -> None:
    import yuqing.nlp.tagger as tagger_module

    monkeypatch.setattr(tagger_module, "MIN_PER_JOB", 2)  # parallelize even a small batch
    items = [(f"第{i}条", BLANKET_POST[1] if i % 2 else NEWS_OF_THE_BAN[1]) for i in range(20)]
    assert tagger.tag_many(items, n_jobs=2) == tagger.tag_many(items, n_jobs=1)


def test_load_tagger_is_cached_per_process(nlp_config: Config, tagger: Tagger) -> None:
    first = load_tagger(nlp_config)
    assert load_tagger(nlp_config) is first  # one model load per process
    assert first.featurizer.segmenter is tagger.featurizer.segmenter  # one jieba init
    assert first.model_version == tagger.model_version
    assert tagger.model_version.startswith("m-")


BAD_INPUT = {
    "empty": ("", ""),
    "whitespace": ("  \t", " \n\u3000 \n "),
    "200 KB": ("长文", ("我们这条街的饭店被关停了。" * 20000)[:200_000]),
    "emoji only": ("", "😡😡😡🔥🔥👍"),
    "mixed script": ("Factory closed 工厂", "Our факторий was shut down, 我们的工厂被关停了 123 ☆"),
    "traditional": (
        "龍沙區燒烤店被一刀切關停",
        "我們整條街的燒烤店全部被關停，證照齊全也不行，請領導給個說法",
    ),
    "control characters": ("\x00\x07", "关停\x00\ufeff\u200b\ud7ff"),
}


@pytest.mark.parametrize("case", list(BAD_INPUT))
def test_bad_input_tags_without_error(tagger: Tagger, case: str) -> None:
    title, text = BAD_INPUT[case]
    rec = tagger.tag(title, text)
    _check_record(rec, title, text)
    assert tagger.tag_many([(title, text)]) == [rec]


def test_empty_post_is_untagged(tagger: Tagger) -> None:
    rec = tagger.tag("", "")
    assert not (rec.shutdown or rec.blanket or rec.complaint or rec.licensed)
    assert rec.district is None


def test_traditional_chinese_is_tagged_like_simplified(tagger: Tagger) -> None:
    trad = tagger.tag(*BAD_INPUT["traditional"])
    simp = tagger.tag(
        "龙沙区烧烤店被一刀切关停", "我们整条街的烧烤店全部被关停，证照齐全也不行，请领导给个说法"
    )
    assert (trad.shutdown, trad.blanket, trad.complaint, trad.sector, trad.district) == (
        simp.shutdown,
        simp.blanket,
        simp.complaint,
        simp.sector,
        simp.district,
    )
    assert trad.shutdown and trad.district == "龙沙区"
    assert trad.evidence["district"] == "龍沙區"  # spelled as in the post


def test_the_city_named_without_a_district_is_flagged(tagger: Tagger) -> None:
    """issue 11: the locality gate needs "about our city" even when no district resolves."""
    rec = tagger.tag("", "齐市的烧烤店最近都被要求关门了，这是咋回事")
    _check_record(rec, "", "齐市的烧烤店最近都被要求关门了，这是咋回事")
    assert (rec.district, rec.evidence["city"], rec.city_match) == (None, "齐市", "齐市")
    rec = tagger.tag("", "龙沙区五龙街道的早市今天照常营业")
    assert (rec.district, rec.city_match) == ("龙沙区", None)
    rec = tagger.tag("", "哈尔滨道里区的烧烤店被要求关门")
    assert (rec.district, rec.evidence["city"], rec.city_match) == (None, None, None)


def test_a_shutdown_without_an_event_around_it_is_discounted(tagger: Tagger) -> None:
    """issue 11: a closure only demanded by the writer scores lower than one imposed."""
    imposed = tagger.tag("", "上周环保局来人，把我们村的砖厂给关停了，贴了封条，工人都回家了")
    demanded = tagger.tag("", "我们村的砖厂天天冒黑烟，强烈要求环保局把砖厂关停，请领导重视")
    assert any(
        "imposed/business" in c or "neutral/business" in c for c in imposed.evidence["context"]
    )
    assert all("/business" not in c or "demanded" in c for c in demanded.evidence["context"])
    assert imposed.shutdown and not demanded.shutdown
    assert demanded.shutdown_score < imposed.shutdown_score
