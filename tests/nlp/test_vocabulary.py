"""Vocabulary keeps one index by prefix and gives the names back from it (tagger peak memory):
names, the whole-name index, cue names and readable texts must be those of the array given."""

from __future__ import annotations

import numpy as np

from yuqing.nlp.features import Vocabulary

NAMES = [
    "k:blanket",
    "k:shutdown&blanket",
    "b:关停|整改",
    "c:关停",
    "plain",
    "k",
    "t:饭店",
    "w:关停",
]


def _vocab(names: list[str]) -> Vocabulary:
    return Vocabulary(np.array(names, dtype=np.str_), np.ones(len(names)))


def test_names_and_index_are_given_back_from_the_prefix_index() -> None:
    given = np.array(NAMES, dtype=np.str_)
    vocab = _vocab(NAMES)
    assert vocab._names is None  # not held: rebuilt on demand
    assert vocab.names.dtype == given.dtype
    assert vocab.names.tolist() == NAMES
    assert vocab.index == {n: j for j, n in enumerate(NAMES)}
    assert len(vocab) == len(NAMES)
    assert vocab.n_cues == 2
    assert vocab.cue_names() == NAMES[:2]


def test_columns_readable_texts_and_groups() -> None:
    vocab = _vocab(NAMES)
    assert [vocab.column(n) for n in NAMES] == list(range(len(NAMES)))
    assert vocab.column("w:饭店") is None
    assert vocab.column("x:关停") is None
    assert vocab.readable_values() == [Vocabulary.readable(n) for n in NAMES]
    groups = [("w:", ["关停", "饭店"]), ("c:", ["关停"]), ("", ["k:blanket", "plain", "k:x"])]
    assert vocab.group_columns(groups).tolist() == [7, 3, 0, 4]
    assert (
        vocab.group_columns(groups).tolist()
        == vocab.columns(["w:关停", "w:饭店", "c:关停", "k:blanket", "plain", "k:x"]).tolist()
    )


def test_a_repeated_name_keeps_the_array_given() -> None:
    names = ["k:a", "w:x", "w:x"]
    vocab = _vocab(names)
    assert vocab.names.tolist() == names
    assert vocab.readable_values() == [None, "x", "x"]
    assert vocab.cue_names() == ["k:a"]
    assert vocab.index == {"k:a": 0, "w:x": 2}
