"""Batches of the tagger bounded by posts and characters (tagger peak memory): every post once,
in order, and the same records whatever the batch size."""

from __future__ import annotations

import pytest

from yuqing.nlp import tagger as tagger_module
from yuqing.nlp.corpus import Corpus
from yuqing.nlp.tagger import BATCH, BATCH_CHARS, Tagger, _batches


def test_batches_keep_every_post_in_order_within_both_bounds() -> None:
    long = ("标题", "长" * 9000)
    short = ("", "短评")
    items = [long] * 12 + [short] * (BATCH + 5) + [("", "x" * 60_000)]
    batches = list(_batches(items))
    assert [it for b in batches for it in b] == items
    assert all(len(b) <= BATCH for b in batches)
    for b in batches:
        if len(b) > 1:
            assert sum(len(t) + min(len(x), 10_000) for t, x in b) <= BATCH_CHARS
    # long posts: 5 a batch (by characters); then up to BATCH posts; a post counts up to 10,000
    assert [len(b) for b in batches] == [5, 5, BATCH, 8]


def test_the_batch_size_changes_no_record(
    tagger: Tagger, corpus: Corpus, monkeypatch: pytest.MonkeyPatch
) -> None:
    items = [(e.title, e.text) for e in corpus.split("dev")[:60]]
    want = tagger.tag_many(items)
    monkeypatch.setattr(tagger_module, "BATCH", 7)
    monkeypatch.setattr(tagger_module, "BATCH_CHARS", 800)
    assert len(list(_batches(items))) > 8
    assert tagger.tag_many(items) == want
