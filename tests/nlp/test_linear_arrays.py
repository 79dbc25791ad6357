"""The model archive's plain arrays (nlp/linear.py): a saved model tags without scikit-learn or
skops imported, exactly as the estimators it was built with (peak memory, README)."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from yuqing.config import Config
from yuqing.nlp import persist
from yuqing.nlp.build import (
    Trained,
    open_tagger,
    read_tagger_model,
    save_tagger,
    tagger_path,
    train,
)
from yuqing.nlp.corpus import Corpus
from yuqing.nlp.errors import ModelCorruptError
from yuqing.nlp.linear import CalibratedLinear
from yuqing.nlp.model import ModelOptions

from .conftest import make_config

POSTS = [
    ("", "我们整条街的饭店全部被关停了，请领导给个说法"),
    ("通知", "各企业：严禁一刀切，不得集中停产"),
    ("烧烤店被取缔", "城管说督察组要来，全县烧烤店一律关停，我们有营业执照，手续齐全。"),
    ("", ""),
]


@pytest.fixture(scope="module")
def small_model(
    tmp_path_factory: pytest.TempPathFactory, nlp_config: Config, small_corpus: Corpus
) -> tuple[Config, Trained]:
    """A model trained on ~300 posts (scikit-learn's estimators in memory) and saved."""
    cfg = make_config(tmp_path_factory.mktemp("linear") / "var")
    trained = train(cfg, corpus=small_corpus)
    save_tagger(cfg, trained)
    return cfg, trained


def test_arrays_give_scikit_learns_probabilities_to_the_last_bit(
    small_model: tuple[Config, Trained], small_corpus: Corpus
) -> None:
    cfg, trained = small_model
    loaded, _meta = read_tagger_model(tagger_path(cfg))
    assert all(isinstance(e, CalibratedLinear) for e in loaded.estimators.values())
    assert not any(
        isinstance(e, CalibratedLinear) for e in trained.tagger.model.estimators.values()
    )
    featurizer = trained.tagger.featurizer
    docs = [featurizer.analyze(e.title, e.text).features for e in small_corpus.examples]
    docs += [featurizer.analyze(t, x).features for t, x in POSTS]
    x = trained.tagger.model.vocab.transform(docs)
    want = trained.tagger.model.probabilities(x)  # scikit-learn's predict_proba
    got = loaded.probabilities(x)
    assert want.keys() == got.keys()
    for tag in want:
        assert np.array_equal(want[tag], got[tag]), tag
    for tag, weights in trained.tagger.model.weights.items():  # the evidence's weights
        assert np.array_equal(weights, loaded.weights[tag]), tag
    assert loaded.sector_classes == trained.tagger.model.sector_classes


def test_a_saved_model_tags_like_the_trained_one(
    small_model: tuple[Config, Trained], small_corpus: Corpus
) -> None:
    cfg, trained = small_model
    items = [(e.title, e.text) for e in small_corpus.examples] + POSTS
    assert open_tagger(cfg, build_if_missing=False).tag_many(items) == trained.tagger.tag_many(
        items
    )


def test_tagging_from_the_archive_imports_neither_scikit_learn_nor_skops(
    nlp_config: Config,
) -> None:
    code = (
        "import sys\n"
        "from yuqing.config import load\n"
        "from yuqing.nlp.loader import load_tagger\n"
        f"cfg = load(overrides={{'data_dir': {str(nlp_config.settings.data_dir)!r}}}, env={{}})\n"
        "record = load_tagger(cfg, build_if_missing=False).tag('', '饭店被关停了')\n"
        "print(sorted(m for m in ('sklearn', 'skops') if m in sys.modules), record.shutdown)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split()[0] == "[]", out.stdout


def test_another_kind_of_estimator_is_saved_and_read_through_skops(
    tmp_path: Path, small_corpus: Corpus
) -> None:
    cfg = make_config(tmp_path / "var")
    trained = train(cfg, corpus=small_corpus, options=ModelOptions(classifier="lr"))
    save_tagger(cfg, trained)
    with zipfile.ZipFile(tagger_path(cfg)) as zf:
        assert not [n for n in zf.namelist() if n.startswith(persist.ARRAYS)]
    loaded = open_tagger(cfg, build_if_missing=False)
    assert not any(isinstance(e, CalibratedLinear) for e in loaded.model.estimators.values())
    assert loaded.tag_many(POSTS) == trained.tagger.tag_many(POSTS)


def _rewrite_without(path: Path, member: str) -> None:
    """The archive without ``member``, its metadata's hash updated (so only the content is
    wrong)."""
    with zipfile.ZipFile(path) as zf:
        members = {n: zf.read(n) for n in zf.namelist() if n != member}
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    meta_file = persist.meta_path(path)
    meta = json.loads(meta_file.read_text(encoding="utf-8"))
    meta["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    meta_file.write_text(json.dumps(meta), encoding="utf-8")


def test_incomplete_arrays_with_a_matching_hash_are_refused(
    tmp_path: Path, small_model: tuple[Config, Trained]
) -> None:
    src, _trained = small_model
    cfg = make_config(tmp_path / "var")
    path = tagger_path(cfg)
    path.parent.mkdir(parents=True)
    path.write_bytes(tagger_path(src).read_bytes())
    persist.meta_path(path).write_bytes(persist.meta_path(tagger_path(src)).read_bytes())
    _rewrite_without(path, f"{persist.ARRAYS}estimators.sector.coef.npy")
    with pytest.raises(
        ModelCorruptError,
        match=r"tagger\.skops is incomplete \(.*no array sector\.coef.*rebuild it with `yuqing nlp",
    ):
        open_tagger(cfg, build_if_missing=False)
