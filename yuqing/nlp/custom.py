"""Custom classifiers: an office's own taxonomy (e.g. petitions by department) learned from a
labeled CSV, registered under ``<data_dir>/models/custom/NAME.skops`` and predicted for every
post as tag ``custom.NAME``.

The text columns are mapped onto a post as title = first column, text = the others joined by
newlines, so a classifier trained on (subject, body) reads (title, text) at tagging time.
"""

from __future__ import annotations

import logging
import re
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC

from yuqing.config import Config
from yuqing.nlp import persist
from yuqing.nlp.assemble import DEFAULT_FEATURES, make_featurizer, models_dir
from yuqing.nlp.corpus import file_sha256, read_rows
from yuqing.nlp.errors import CorpusError, CustomModelError
from yuqing.nlp.features import FEATURE_VERSION, Analysis, FeatureConfig, Vocabulary
from yuqing.nlp.normalize import clean_text

if TYPE_CHECKING:
    from yuqing.nlp.features import Featurizer

log = logging.getLogger(__name__)
NAME = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
FOLDS = 5


def custom_dir(models_dir: Path) -> Path:
    return models_dir / "custom"


def check_name(name: str) -> str:
    if not NAME.match(name):
        raise CustomModelError(
            f"custom classifier name {name!r}: use 1-40 lower-case letters, digits, '-' or '_', "
            "starting with a letter (it becomes the routing label custom.NAME)"
        )
    return name


def rebuild_hint(name: str) -> str:
    return f"retrain it with `yuqing nlp train-custom {name} --in labeled.csv --label-column COL`"


@dataclass
class CustomModel:
    name: str
    features: FeatureConfig
    vocab: Vocabulary
    estimator: Any
    meta: dict[str, Any] = field(default_factory=dict)
    _featurizer: Featurizer | None = None

    def columns(self, a: Analysis, featurizer: Featurizer) -> np.ndarray:
        """The columns of an analysed post in this classifier's feature space."""
        if featurizer.config == self.features:
            return self.vocab.columns(a.features)
        if self._featurizer is None:
            from yuqing.nlp.features import Featurizer as _Featurizer
            from yuqing.nlp.segment import get_segmenter

            seg = get_segmenter(hmm=self.features.hmm)
            self._featurizer = _Featurizer(self.features, seg, featurizer.cue_matcher)
        title, text = a.original[: a.title_len], a.original[a.title_len + 1 :]
        return self.vocab.columns(self._featurizer.analyze(title, text).features)

    def predict_rows(self, rows: Sequence[np.ndarray]) -> list[str]:
        return [str(v) for v in self.estimator.predict(self.vocab.matrix(rows))]


def save_custom(models_dir: Path, model: CustomModel, meta: dict[str, Any]) -> dict[str, Any]:
    obj = {
        "format": persist.FORMAT,
        "features": model.features.to_json(),
        "vocab": model.vocab.names,
        "idf": model.vocab.idf,
        "estimator": model.estimator,
    }
    path = custom_dir(models_dir) / f"{model.name}.skops"
    return persist.save(path, obj, {"kind": "custom", "name": model.name, **meta})


def load_custom(path: Path) -> CustomModel:
    name = path.stem
    obj, meta = persist.load(path, FEATURE_VERSION, rebuild_hint(name))
    features = FeatureConfig.from_json(obj["features"])
    vocab = Vocabulary(np.asarray(obj["vocab"]), np.asarray(obj["idf"]), features.cue_weight > 0)
    return CustomModel(name, features, vocab, obj["estimator"], meta)


def load_all(models_dir: Path) -> dict[str, CustomModel]:
    """Every registered custom classifier (a broken one is logged and skipped)."""
    out: dict[str, CustomModel] = {}
    folder = custom_dir(models_dir)
    if not folder.is_dir():
        return out
    for path in sorted(folder.glob("*.skops")):
        try:
            out[path.stem] = load_custom(path)
        except Exception as exc:  # one broken classifier never stops tagging
            log.error("custom classifier %s skipped: %s", path.stem, exc)
    return out


@dataclass
class LabeledTexts:
    titles: list[str]
    texts: list[str]
    labels: list[str]
    dropped: dict[str, int]


def read_custom_csv(path: Path, label_column: str, text_columns: Sequence[str]) -> LabeledTexts:
    """Rows with a label; classes with fewer than 2 rows are dropped (and counted)."""
    if not text_columns:
        raise CorpusError(f"{path}: no text columns given")
    rows = list(read_rows(path, required=(label_column, *text_columns)))
    titles, texts, labels = [], [], []
    for row in rows:
        label = row[label_column].strip()
        if not label:
            continue
        parts = [clean_text(row[c]) for c in text_columns]
        titles.append(parts[0] if len(parts) > 1 else "")
        texts.append("\n".join(parts[1:]) if len(parts) > 1 else parts[0])
        labels.append(label)
    counts = Counter(labels)
    rare = {c: n for c, n in counts.items() if n < 2}
    keep = [i for i, lab in enumerate(labels) if lab not in rare]
    if len({labels[i] for i in keep}) < 2:
        raise CorpusError(
            f"{path}: column {label_column!r} needs at least two labels with two rows each"
        )
    return LabeledTexts(
        [titles[i] for i in keep], [texts[i] for i in keep], [labels[i] for i in keep], rare
    )


def fit_custom(
    docs: Sequence[Sequence[str]], labels: Sequence[str], min_df: int, cue_weight: float = 0.0
) -> tuple[Vocabulary, Any]:
    vocab = Vocabulary.fit(docs, min_df, cue_weight)
    return vocab, _classifier().fit(vocab.transform(docs), np.asarray(labels))


def _classifier() -> LinearSVC:
    """The classifier of both our model and the baseline, so only the features differ."""
    return LinearSVC(C=1.0, class_weight="balanced", random_state=0)


def cross_validate(
    docs: Sequence[Sequence[str]], raw: Sequence[str], labels: Sequence[str], min_df: int
) -> dict[str, Any]:
    """Macro-F1 of our classifier and of a plain character n-gram baseline, same folds."""
    y = np.asarray(labels)
    folds = min(FOLDS, int(min(Counter(labels).values())))
    folds = max(folds, 2)
    cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
    ours, base = [], []
    raw_arr = np.asarray(raw, dtype=object)
    for train, test in cv.split(np.zeros(len(y)), y):
        vocab, clf = fit_custom([docs[i] for i in train], y[train], min_df)
        pred = clf.predict(vocab.transform([docs[i] for i in test]))
        ours.append(f1_score(y[test], pred, average="macro"))
        vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)
        bclf = _classifier().fit(vec.fit_transform(raw_arr[train]), y[train])
        base.append(f1_score(y[test], bclf.predict(vec.transform(raw_arr[test])), average="macro"))
    return {
        "folds": folds,
        "macro_f1": round(float(np.mean(ours)), 4),
        "macro_f1_std": round(float(np.std(ours)), 4),
        "baseline_macro_f1": round(float(np.mean(base)), 4),
        "baseline_macro_f1_std": round(float(np.std(base)), 4),
        "baseline": "TF-IDF character 1-3-grams, same classifier",
    }


@dataclass
class CustomResult:
    name: str
    path: Path
    rows: int
    labels: dict[str, int]
    dropped: dict[str, int]
    cv: dict[str, Any]
    seconds: float


def train_custom(
    config: Config, name: str, path: Path, label_column: str, text_columns: Sequence[str]
) -> CustomResult:
    """Cross-validate against the baseline, fit on every row, register as ``custom.NAME``."""
    started = time.perf_counter()
    check_name(name)
    data = read_custom_csv(path, label_column, text_columns)
    featurizer = make_featurizer(config, DEFAULT_FEATURES)
    docs = [featurizer.analyze(t, x).features for t, x in zip(data.titles, data.texts, strict=True)]
    raw = [f"{t}\n{x}" for t, x in zip(data.titles, data.texts, strict=True)]
    cv = cross_validate(docs, raw, data.labels, DEFAULT_FEATURES.min_df)
    vocab, estimator = fit_custom(docs, data.labels, DEFAULT_FEATURES.min_df)
    model = CustomModel(name, DEFAULT_FEATURES, vocab, estimator)
    counts = dict(sorted(Counter(data.labels).items()))
    meta = save_custom(
        models_dir(config),
        model,
        {
            "feature_version": FEATURE_VERSION,
            "source": {"path": str(path), "sha256": file_sha256(path)},
            "label_column": label_column,
            "text_columns": list(text_columns),
            "labels": counts,
            "dropped_labels": data.dropped,
            "cross_validation": cv,
            "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        },
    )
    seconds = time.perf_counter() - started
    out = custom_dir(models_dir(config)) / meta["file"]
    return CustomResult(name, out, len(data.labels), counts, data.dropped, cv, seconds)
