"""The tagger hands the store its words for the full-text index (so the store does not segment
each post a second time), and its probabilities take a fast path that gives the same numbers."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from yuqing.nlp.calibrated import fast_probabilities
from yuqing.nlp.corpus import Corpus
from yuqing.nlp.segment import MAX_SUBWORD, get_segmenter
from yuqing.nlp.tagger import Tagger
from yuqing.store import fts

TEXTS = (
    "齐齐哈尔市龙沙区烧烤一条街昨天被一刀切全部关停，证照齐全也不行",
    "梅里斯达斡尔族区的养殖场被先停再说，PM2.5超标的说法没有依据",
    "中华人民共和国大气污染防治法规定，环保整改严禁一刀切",
    "龙江县城的餐馆反映：手续齐全却被要求集中停产",
)


def _jieba_search_mode_part(words: list[str], tokens: list[str]) -> list[str]:
    """``words`` without the sub-words longer than jieba's search mode looks for (3)."""
    whole = set(tokens)
    return [w for w in words if len(w) <= 3 or w in whole]


@pytest.mark.parametrize("text", TEXTS)
def test_search_words_are_jieba_search_mode_over_the_same_tokens(text: str) -> None:
    seg = get_segmenter(["齐齐哈尔市", "梅里斯达斡尔族区", "龙沙区", "龙江县"], hmm=False)
    norm = fts.normalize(text)
    tokens = seg.tokens(norm)
    words = seg.search_words(tokens)
    # jieba's own search mode, on the same dictionary: what it yields, in its order
    assert _jieba_search_mode_part(words, tokens) == list(seg._tok.cut_for_search(norm, HMM=False))
    # and, beyond it, the longer dictionary words inside a token
    extra = [w for w in words if len(w) > 3 and w not in set(tokens)]
    assert all(seg._tok.FREQ.get(w) and 3 < len(w) <= MAX_SUBWORD for w in extra)


def test_a_name_kept_whole_still_yields_the_words_inside_it() -> None:
    seg = get_segmenter(["齐齐哈尔市", "梅里斯达斡尔族区"], hmm=False)
    words = seg.search_words(seg.tokens("齐齐哈尔市梅里斯达斡尔族区"))
    for w in ("齐齐哈尔市", "齐齐哈尔", "梅里斯达斡尔族区", "达斡尔族"):
        assert w in words


def _expected(tagger: Tagger, title: str, text: str) -> list[str]:
    """What the store would index: the segmentation of the stored title and text."""
    seg = tagger.featurizer.segmenter
    doc = fts.document(title, text)[: fts.MAX_INDEXED_CHARS]
    return seg.search_words(seg.tokens(fts.normalize(doc)))


def test_tagger_words_are_those_of_the_stored_text(tagger: Tagger) -> None:
    long_text = "龙沙区烧烤店被一刀切关停。" * (tagger.featurizer.config.max_chars // 10)
    posts = [
        ("烧烤街被一刀切", TEXTS[0]),
        ("", TEXTS[1]),  # no title: the document is the text alone
        ("长帖", long_text),  # over the tagger's limit: segmented whole, as stored
        ("這裡的餐館", "被一刀切關停了"),  # Traditional: the tagger sees it simplified
        ("", ""),
        # over part_chars: scored in parts (issue 11), indexed as one text
        ("长信", "尊敬的领导：我们在龙沙区开烧烤店。街道说督察组要来，让整条街全部关停！" * 25),
    ]
    records, words = tagger.tag_many_with_words(posts)
    assert records == tagger.tag_many(posts)  # the same tags as ever
    indexed = [fts.index_words(w) for w in words]  # what reaches the index
    assert indexed == [fts.index_words(_expected(tagger, t, x)) for t, x in posts]
    assert "一刀切" in indexed[2] and "齐齐哈尔" in indexed[0] and indexed[4] == []


def test_fast_probabilities_equal_scikit_learns(tagger: Tagger, corpus: Corpus) -> None:
    """Regression guard for the fast path (nlp/calibrated.py): to the last bit, on real posts,
    so no tag can change."""
    model = tagger.model
    fast = fast_probabilities(model)
    assert fast is not None, "the default model should take the fast path"
    dev = corpus.split("dev")
    for start in range(0, len(dev), 97):
        batch = dev[start : start + 97]
        x = model.vocab.transform(
            [tagger.featurizer.analyze(e.title, e.text).features for e in batch]
        )
        want, got = model.probabilities(x), fast(x)
        assert want.keys() == got.keys()
        for tag in want:
            assert np.array_equal(want[tag], got[tag]), tag


def test_fast_path_is_refused_for_another_kind_of_estimator(tagger: Tagger) -> None:
    odd = copy.copy(tagger.model)
    odd.estimators = {**odd.estimators, "shutdown": object()}
    assert fast_probabilities(odd) is None
    assert fast_probabilities(tagger.model) is not None


def test_reindexing_with_the_tagger_segmentation_gives_the_crawls_words(tagger: Tagger) -> None:
    """fts.rebuild(conn, segmenter.index_pieces) (yuqing search --rebuild-index) must index
    what the crawl indexed (tag_many_with_words), or re-indexing would change the words."""
    posts = [("烧烤街被一刀切", TEXTS[0]), ("", TEXTS[1]), ("", TEXTS[3])]
    _records, words = tagger.tag_many_with_words(posts)
    segment = tagger.featurizer.segmenter.index_pieces
    for (title, text), given in zip(posts, words, strict=True):
        doc = fts.document(title, text)
        assert fts.entry(1, doc, segment=segment) == fts.entry(1, doc, pieces=given)
