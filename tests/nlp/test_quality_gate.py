"""The quality gate: the tagger trained on the corpus's train split must reach these floors on
its frozen dev split (issue 4). Lower a floor only with the lead's agreement; if the corpus's
dev split changes on purpose, refresh the freeze with
``.venv/bin/python -m tests.nlp.test_quality_gate --freeze``."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pytest

from yuqing.nlp.build import score
from yuqing.nlp.corpus import Corpus, Example, load_corpus
from yuqing.nlp.tagger import Tagger

# ---- The floors (issue 4: Quality) --------------------------------------------------------
FLOORS = {
    "shutdown_f1": 0.90,
    "blanket_f1": 0.85,
    "complaint_f1": 0.90,
    "sector_macro_f1": 0.85,
    "district_accuracy": 0.95,
}
# --------------------------------------------------------------------------------------------

FROZEN = Path(__file__).with_name("frozen_dev.json")


def fingerprint(examples: list[Example]) -> str:
    h = hashlib.sha256()
    for e in sorted(examples, key=lambda e: e.id):
        row = [e.id, e.title, e.text, sorted((k, str(v)) for k, v in e.labels.items())]
        h.update(json.dumps(row, ensure_ascii=False).encode("utf-8"))
    return h.hexdigest()


def test_dev_split_is_the_frozen_one(corpus: Corpus) -> None:
    frozen = json.loads(FROZEN.read_text(encoding="utf-8"))
    dev = corpus.split("dev")
    assert (len(dev), fingerprint(dev)) == (frozen["posts"], frozen["sha256"]), (
        "the corpus dev split changed; if that was deliberate, refresh tests/nlp/frozen_dev.json "
        "with `.venv/bin/python -m tests.nlp.test_quality_gate --freeze`"
    )


# The dev split of the first corpus (c0001…c1842), as frozen before posts were appended
# (issue 11): appending must leave these posts, their ids, texts, labels and split as they were,
# so that figures on it stay comparable across corpus versions.
FIRST_CORPUS_DEV = (460, "e8b0d25f527912cc1898203a6fcb5509b10fac66e44907ecf64e41b6ab505e5b")
FIRST_CORPUS_LAST_ID = 1842


def first_corpus(examples: list[Example]) -> list[Example]:
    return [e for e in examples if int(e.id[1:]) <= FIRST_CORPUS_LAST_ID]


def test_the_first_corpus_dev_split_is_unchanged(corpus: Corpus) -> None:
    dev = first_corpus(corpus.split("dev"))
    assert (len(dev), fingerprint(dev)) == FIRST_CORPUS_DEV


def test_no_dev_post_is_also_a_training_post(corpus: Corpus) -> None:
    train = {(e.title, e.text) for e in corpus.split("train")}
    leaked = [e.id for e in corpus.split("dev") if (e.title, e.text) in train]
    assert leaked == []


@pytest.mark.parametrize("metric", list(FLOORS))
def test_dev_split_meets_the_floor(
    tagger: Tagger, corpus: Corpus, metric: str, request: pytest.FixtureRequest
) -> None:
    cache = request.config.stash.setdefault(_KEY, {})  # score once for all metrics
    if "dev" not in cache:
        cache["dev"] = score(tagger, corpus.split("dev")).headline()
    assert cache["dev"][metric] >= FLOORS[metric], cache["dev"]


_KEY = pytest.StashKey[dict[str, dict[str, float]]]()


if __name__ == "__main__" and "--freeze" in sys.argv:
    dev = load_corpus().split("dev")
    FROZEN.write_text(
        json.dumps({"posts": len(dev), "sha256": fingerprint(dev)}, indent=2) + "\n",
        encoding="utf-8",
    )
    print(f"froze {len(dev)} dev posts -> {FROZEN}")
