"""The tagger's fast paths give what the plain ones give (issue 11: the speed target, and no
tag may change): FastCut jieba's own no-HMM tokens, Vocabulary.group_columns the columns of
the spelled-out features."""

from __future__ import annotations

import numpy as np

from yuqing.nlp.corpus import Corpus
from yuqing.nlp.fastcut import FastCut
from yuqing.nlp.normalize import normalize_for_matching
from yuqing.nlp.segment import get_segmenter
from yuqing.nlp.tagger import Tagger

EDGE_CASES = [
    "",
    " ",
    "\r\n\r\n",
    "\n标题\n\n  正文  ",
    "abc123 DEF x",
    "a1b2 c 3D打印厂 ABC公司 5G基站",
    "x-y_z.%#&+ 1.5万元 100% C++",
    "３Ｄ打印 ＡＢＣ",  # full-width: not block characters for jieba
    "🙂工厂🙂关停😡！！！",
    "ㄅㄆ 〇 々 乂",
    "齐齐哈尔市龙沙区的养殖场被一刀切关停了，全县所有砖厂一律停产整顿。",
    "研究生命起源",  # a tie-breaking route
    "结婚的和尚未结婚的",
]


def _jieba(seg_tok: object, text: str) -> list[str]:
    return list(seg_tok.cut(text, HMM=False))  # type: ignore[attr-defined]


def test_fastcut_matches_jieba_on_the_corpus_and_edge_cases(corpus: Corpus) -> None:
    seg = get_segmenter(["龙沙区", "梅里斯达斡尔族区"], hmm=False)
    tok = seg._tok
    fast = FastCut(tok)
    texts = EDGE_CASES + [f"{e.title}\n{e.text}" for e in corpus.examples]
    differ = []
    for text in texts:
        for t in (text, normalize_for_matching(text)):
            if fast.cut(t) != _jieba(tok, t):
                differ.append(t[:40])
    assert differ == [], f"{len(differ)} texts cut otherwise than jieba: {differ[:3]}"
    assert seg.tokens("研究生命起源") == _jieba(tok, "研究生命起源")


def test_words_added_after_construction_are_seen() -> None:
    import jieba

    tok = jieba.Tokenizer()
    fast = FastCut(tok)
    text = "一种很新的词语组合出现了"
    before = fast.cut(text)
    tok.add_word("很新的词语组合", freq=50000)
    assert "很新的词语组合" not in before
    assert fast.cut(text) == _jieba(tok, text)
    assert "很新的词语组合" in fast.cut(text)


def test_group_columns_are_the_columns_of_the_spelled_out_features(
    tagger: Tagger, corpus: Corpus
) -> None:
    vocab, featurizer = tagger.model.vocab, tagger.featurizer
    posts = [(e.title, e.text) for e in corpus.examples[::4]]
    posts += [("", ""), ("标题：一刀切", "c::) 全县砖厂一律关停！"), ("", "好吃 :) 量大")]
    checked = 0
    for title, text in posts:
        for part in featurizer.analyze_parts(title, text):
            assert part.features == [p + v for p, vs in part.groups for v in vs]
            want = np.sort(vocab.columns(part.features))
            assert np.array_equal(np.sort(vocab.group_columns(part.groups)), want)
            checked += len(want)
    assert checked > 10_000


def _last_literals(pattern: str) -> set[str]:
    """The characters the last item of each top-level alternative of ``pattern`` can match
    (a literal or a class of literals; anything else fails the test)."""
    import re

    (op, (_, branches)), *rest = list(re._parser.parse(pattern))  # type: ignore[attr-defined]
    assert str(op) == "BRANCH" and not rest
    out: set[str] = set()
    for branch in branches:
        kind, value = list(branch)[-1]
        items = value if str(kind) == "IN" else [(kind, value)]
        for k, code in items:
            assert str(k) == "LITERAL", f"MANY ends in {k}: update cues.MANY_NOUNS' test"
            out.add(chr(code))
    return out


def test_the_cheap_test_before_many_admits_every_match() -> None:
    """CueMatcher.find runs MANY only on texts holding one of MANY_NOUNS: every match of MANY
    ends in one of them."""
    from yuqing.nlp.cues import MANY, MANY_NOUNS, default_matcher

    assert _last_literals(MANY.pattern) <= set(MANY_NOUNS)
    hits = default_matcher().find(
        "关停了二十多家，另有43户、十几个", "关停了二十多家，另有43户、十几个"
    )
    assert [h.term for h in hits if "many" in h.categories] == ["二十多家", "43户", "十几个"]
