"""Model files: skops + metadata, deterministic builds, clear errors for broken files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from yuqing.config import Config
from yuqing.nlp import persist
from yuqing.nlp.build import Trained, open_tagger, save_tagger, tagger_path, train
from yuqing.nlp.corpus import COLUMNS, Corpus
from yuqing.nlp.errors import ModelCorruptError, ModelMissingError, ModelVersionError
from yuqing.nlp.loader import clear_cache, load_tagger

from .conftest import make_config

PROBES = [
    ("", "我们整条街的饭店全部被关停了，请领导给个说法"),
    ("通知", "各企业：严禁一刀切，不得集中停产"),
    ("", "开发商跑路了，工地停工两年"),
]


@pytest.fixture
def copy_of_model(tmp_path: Path, nlp_config: Config, trained: Trained) -> Config:
    """A config whose data dir holds a copy of the session's model files."""
    cfg = make_config(tmp_path / "var")
    src = tagger_path(nlp_config)
    dst = tagger_path(cfg)
    dst.parent.mkdir(parents=True)
    shutil.copy(src, dst)
    shutil.copy(persist.meta_path(src), persist.meta_path(dst))
    return cfg


def test_saved_files_and_metadata(nlp_config: Config, trained: Trained) -> None:
    path = tagger_path(nlp_config)
    assert path == nlp_config.settings.data_dir / "models" / "tagger.skops"
    meta = json.loads(persist.meta_path(path).read_text(encoding="utf-8"))
    assert meta["model_version"] == trained.tagger.model_version
    assert meta["corpus"]["sha256"] == trained.corpus.sha256
    assert set(meta["versions"]) >= {"scikit-learn", "skops", "numpy", "scipy", "jieba", "python"}
    assert set(meta["dev_metrics"]) >= {
        "shutdown_f1",
        "blanket_f1",
        "complaint_f1",
        "sector_macro_f1",
        "district_accuracy",
    }
    assert meta["built_at"] and meta["sha256"]
    assert path.read_bytes()[:2] == b"PK"  # a skops (zip) archive, not a pickle


def test_loaded_model_tags_like_the_trained_one(copy_of_model: Config, trained: Trained) -> None:
    loaded = open_tagger(copy_of_model, build_if_missing=False)
    assert loaded.model_version == trained.tagger.model_version
    assert loaded.tag_many(PROBES) == trained.tagger.tag_many(PROBES)


def test_training_is_deterministic(nlp_config: Config, small_corpus: Corpus) -> None:
    a = train(nlp_config, corpus=small_corpus)
    b = train(nlp_config, corpus=small_corpus)
    assert a.tagger.model_version == b.tagger.model_version
    assert a.tagger.tag_many(PROBES) == b.tagger.tag_many(PROBES)
    assert a.dev.headline() == b.dev.headline()


def test_missing_model_without_build_says_how_to_build(tmp_path: Path) -> None:
    cfg = make_config(tmp_path / "var")
    clear_cache()
    with pytest.raises(
        ModelMissingError,
        match=r"no tagger model at .*tagger\.skops; build it "
        r"with `yuqing nlp train`",
    ):
        load_tagger(cfg, build_if_missing=False)


def test_missing_model_is_built_on_first_use(
    tmp_path: Path, nlp_config: Config, small_corpus: Corpus
) -> None:
    corpus_csv = tmp_path / "small.csv"
    _write_corpus(small_corpus, corpus_csv)
    cfg = make_config(tmp_path / "var", corpus=corpus_csv)
    clear_cache()
    tagger = load_tagger(cfg)  # builds, saves, loads
    assert tagger_path(cfg).exists()
    assert tagger.tag(*PROBES[0]).model_version == tagger.model_version
    clear_cache()


def _write_corpus(corpus: Corpus, path: Path) -> None:
    import csv

    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(COLUMNS)
        for e in corpus.examples:
            lab = e.labels
            w.writerow(
                [
                    e.id,
                    e.split,
                    "x",
                    e.title,
                    e.text,
                    int(lab["shutdown"]),
                    int(lab["blanket"]),
                    int(lab["complaint"]),
                    lab["sector"],
                    lab["district"] or "",
                    int(lab["licensed"]),
                ]
            )


def test_corrupt_model_file_says_how_to_rebuild(copy_of_model: Config) -> None:
    path = tagger_path(copy_of_model)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(
        ModelCorruptError,
        match=r"tagger\.skops does not match its metadata "
        r"\(damaged or replaced\); rebuild it with `yuqing nlp train`",
    ):
        open_tagger(copy_of_model, build_if_missing=False)


def test_truncated_model_with_matching_hash_is_still_refused(copy_of_model: Config) -> None:
    path = tagger_path(copy_of_model)
    path.write_bytes(b"PK\x03\x04 not really a zip")
    meta_file = persist.meta_path(path)
    meta = json.loads(meta_file.read_text(encoding="utf-8"))
    meta["sha256"] = __import__("hashlib").sha256(path.read_bytes()).hexdigest()
    meta_file.write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(
        ModelCorruptError, match=r"cannot be read .*rebuild it with `yuqing nlp train`"
    ):
        open_tagger(copy_of_model, build_if_missing=False)


def test_unreadable_metadata_says_how_to_rebuild(copy_of_model: Config) -> None:
    persist.meta_path(tagger_path(copy_of_model)).write_text("{not json", encoding="utf-8")
    with pytest.raises(ModelCorruptError, match=r"tagger\.json is unreadable .*`yuqing nlp train`"):
        open_tagger(copy_of_model, build_if_missing=False)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("versions", {"scikit-learn": "0.24.2"}, r"was built with scikit-learn 0\.24\.2, this is "),
        ("feature_version", 0, r"was built with feature version 0, this yuqing uses "),
        ("format", 99, r"has model format 99, this yuqing reads 1"),
    ],
)
def test_version_mismatch_says_how_to_rebuild(
    copy_of_model: Config, key: str, value: object, message: str
) -> None:
    meta_file = persist.meta_path(tagger_path(copy_of_model))
    meta = json.loads(meta_file.read_text(encoding="utf-8"))
    meta[key] = value
    meta_file.write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ModelVersionError, match=message + r".*rebuild it with `yuqing nlp train`"):
        open_tagger(copy_of_model, build_if_missing=False)


def test_save_is_atomic_and_rewrites(nlp_config: Config, trained: Trained, tmp_path: Path) -> None:
    cfg = make_config(tmp_path / "var")
    meta = save_tagger(cfg, trained)
    files = sorted(p.name for p in (cfg.settings.data_dir / "models").iterdir())
    assert files == ["tagger.json", "tagger.skops"]  # no temporary files left behind
    assert meta["model_version"] == trained.tagger.model_version
