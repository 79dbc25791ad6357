"""Building and opening the tagger's model: train on the corpus's train split (plus feedback),
score the dev split, save to ``<data_dir>/models/tagger.skops`` with metadata.

Deterministic: the same corpus, feedback, settings and library versions give the same model
and the same ``model_version``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from yuqing.config import Config
from yuqing.nlp import custom as custom_models
from yuqing.nlp import linear, persist
from yuqing.nlp.assemble import DEFAULT_FEATURES, gazetteer_words, make_featurizer, models_dir
from yuqing.nlp.corpus import Corpus, Example, load_corpus
from yuqing.nlp.errors import REBUILD_HINT, ModelMissingError
from yuqing.nlp.features import FEATURE_VERSION, FeatureConfig, Vocabulary
from yuqing.nlp.gazetteer import GazetteerMatcher
from yuqing.nlp.heap import release_free_memory
from yuqing.nlp.metrics import Evaluation, evaluate
from yuqing.nlp.model import (
    ModelOptions,
    TaggerModel,
    cue_masks,
    label_arrays,
    train_models,
)
from yuqing.nlp.normalize import to_simplified
from yuqing.nlp.tagger import Tagger

log = logging.getLogger(__name__)

TAGGER_FILE = "tagger.skops"
DEFAULT_OPTIONS = ModelOptions()
__all__ = ["DEFAULT_FEATURES", "gazetteer_words", "make_featurizer", "models_dir"]


def tagger_path(config: Config) -> Path:
    return models_dir(config) / TAGGER_FILE


def make_tagger(
    config: Config,
    model: TaggerModel,
    version: str,
    custom: dict[str, custom_models.CustomModel] | None = None,
) -> Tagger:
    return Tagger(
        model,
        make_featurizer(config, model.features),
        GazetteerMatcher(config.gazetteer),
        config.settings.nlp,
        version,
        custom,
    )


def model_version(parts: dict[str, Any]) -> str:
    blob = json.dumps(parts, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return "m-" + hashlib.sha256(blob).hexdigest()[:12]


@dataclass
class Trained:
    tagger: Tagger
    corpus: Corpus
    dev: Evaluation
    n_train: int
    n_extra: int
    seconds: float


def labels_of(examples: Sequence[Example]) -> list[dict[str, Any]]:
    return [e.labels for e in examples]


def score(tagger: Tagger, examples: Sequence[Example]) -> Evaluation:
    recs = tagger.tag_many([(e.title, e.text) for e in examples])
    preds = [
        {
            "shutdown": r.shutdown,
            "blanket": r.blanket,
            "complaint": r.complaint,
            "licensed": r.licensed,
            "sector": r.sector,
            "district": r.district,
        }
        for r in recs
    ]
    return evaluate(labels_of(examples), preds, [e.id for e in examples])


def train(
    config: Config,
    extra: Sequence[Example] = (),
    features: FeatureConfig = DEFAULT_FEATURES,
    options: ModelOptions = DEFAULT_OPTIONS,
    corpus: Corpus | None = None,
) -> Trained:
    """Train on the train split plus ``extra`` (feedback); evaluate on the dev split."""
    import sklearn  # here, not at the top: a saved model is read without scikit-learn

    started = time.perf_counter()
    if corpus is None:
        districts = set(config.gazetteer.district_names())
        corpus = load_corpus(config.settings.nlp.corpus, districts)
    train_set = [*corpus.split("train"), *extra]
    featurizer = make_featurizer(config, features)
    docs = [featurizer.analyze(e.title, e.text).features for e in train_set]
    vocab = Vocabulary.fit(docs, features.min_df, features.cue_weight)
    x = vocab.transform(docs)
    masks = cue_masks(vocab, features)
    estimators = train_models(x, label_arrays(labels_of(train_set)), options, masks)
    model = TaggerModel(features, options, vocab, estimators)
    version = model_version(
        {
            "corpus": corpus.sha256,
            "extra": [[e.id, e.title, e.text, sorted(e.labels.items())] for e in extra],
            "features": features.to_json(),
            "feature_version": FEATURE_VERSION,
            "options": options.to_json(),
            "sklearn": sklearn.__version__,
            "user_dict": _file_digest(config.settings.nlp.user_dict),
            "gazetteer": config.gazetteer.model_dump_json(),
        }
    )
    tagger = make_tagger(config, model, version)
    dev = score(tagger, corpus.split("dev"))
    seconds = time.perf_counter() - started
    return Trained(tagger, corpus, dev, len(train_set), len(extra), seconds)


def _file_digest(path: Path | None) -> str | None:
    if path is None or not path.exists():
        return None
    return hashlib.sha256(path.read_bytes()).hexdigest()


def save_tagger(config: Config, trained: Trained) -> dict[str, Any]:
    model = trained.tagger.model
    obj = {
        "format": persist.FORMAT,
        "features": model.features.to_json(),
        "options": model.options.to_json(),
        "vocab": model.vocab.names,
        "idf": model.vocab.idf,
        "estimators": model.estimators,
    }
    meta = {
        "kind": "tagger",
        "model_version": trained.tagger.model_version,
        "feature_version": FEATURE_VERSION,
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "build_seconds": round(trained.seconds, 2),
        "corpus": {
            "path": str(trained.corpus.path),
            "sha256": trained.corpus.sha256,
            "train": len(trained.corpus.split("train")),
            "dev": len(trained.corpus.split("dev")),
        },
        "feedback_examples": trained.n_extra,
        "features": model.features.to_json(),
        "options": model.options.to_json(),
        "vocabulary": len(model.vocab),
        "dev_metrics": trained.dev.headline(),
    }
    return persist.save(tagger_path(config), obj, meta, tagger_arrays(model))


def tagger_arrays(model: TaggerModel) -> dict[str, np.ndarray] | None:
    """What :func:`read_tagger_model` reads without scikit-learn and skops: the vocabulary,
    its weights and the estimators as plain arrays (None: an estimator of another kind)."""
    estimators = linear.to_arrays(model.estimators)
    if estimators is None:
        return None
    header = {"features": model.features.to_json(), "options": model.options.to_json()}
    return {
        "model": np.frombuffer(json.dumps(header).encode("utf-8"), dtype=np.uint8),
        "vocab": model.vocab.names,
        "idf": model.vocab.idf,
        **{f"estimators.{k}": v for k, v in estimators.items()},
    }


def _from_arrays(arrays: dict[str, np.ndarray]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The saved object's parts (as ``persist.load`` gives them) from the archive's arrays."""
    header = json.loads(arrays["model"].tobytes().decode("utf-8"))
    vocab = arrays["vocab"]
    prefix = "estimators."
    estimators = {k[len(prefix) :]: v for k, v in arrays.items() if k.startswith(prefix)}
    obj = {
        "features": header["features"],
        "options": header["options"],
        "vocab": vocab,
        "idf": arrays["idf"],
    }
    return obj, linear.from_arrays(estimators, len(vocab))


def build_tagger(config: Config, extra: Sequence[Example] = ()) -> tuple[Trained, dict[str, Any]]:
    trained = train(config, extra)
    meta = save_tagger(config, trained)
    log.info(
        "built %s (%s) in %.1fs: dev %s",
        tagger_path(config),
        trained.tagger.model_version,
        trained.seconds,
        trained.dev.headline(),
    )
    return trained, meta


def read_tagger_model(path: Path) -> tuple[TaggerModel, dict[str, Any]]:
    """The saved model: from the archive's plain arrays when it has them (numpy only, neither
    scikit-learn nor skops imported: ~75 MB less memory), else through skops."""
    arrays, meta = persist.load_arrays(path, FEATURE_VERSION, REBUILD_HINT)
    try:
        if arrays is not None:
            obj, estimators = _from_arrays(arrays)
            del arrays
        else:
            obj, meta = persist.load(path, FEATURE_VERSION, REBUILD_HINT)
            estimators = dict(obj["estimators"])
        features = FeatureConfig.from_json(obj["features"])
        options = ModelOptions(**obj["options"])
        vocab = Vocabulary(
            np.asarray(obj["vocab"]), np.asarray(obj["idf"]), features.cue_weight > 0
        )
        del obj  # the names array, now indexed by the vocabulary
        model = TaggerModel(features, options, vocab, estimators)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        from yuqing.nlp.errors import ModelCorruptError

        raise ModelCorruptError(f"{path} is incomplete ({exc!r}); {REBUILD_HINT}") from exc
    return model, meta


def open_tagger(config: Config, build_if_missing: bool = True) -> Tagger:
    """Load the saved model (building it first when missing and allowed)."""
    path = tagger_path(config)
    if not path.exists():
        if not build_if_missing:
            raise ModelMissingError(f"no tagger model at {path}; build it with `yuqing nlp train`")
        log.warning("no tagger model at %s: building it from the corpus (a few seconds)", path)
        build_tagger(config)
    started = time.perf_counter()
    model, meta = read_tagger_model(path)
    customs = custom_models.load_all(models_dir(config))
    release_free_memory()  # the archive's buffers, before jieba's dictionary takes its place
    tagger = make_tagger(config, model, str(meta["model_version"]), customs)
    to_simplified("預熱")  # build the Traditional-character table now, not on the first post
    release_free_memory()  # jieba's dictionary cache, read and unmarshalled
    log.debug("tagger %s loaded in %.2fs", meta["model_version"], time.perf_counter() - started)
    return tagger
