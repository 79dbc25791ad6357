"""The tag models: one linear classifier per tag over a shared TF-IDF feature space.

shutdown, complaint and licensed are binary; blanket is binary and only counts when shutdown
is predicted (``blanket_given_shutdown`` trains it on the shutdown posts alone); sector is
multiclass. Classifiers are logistic regression or a linear SVM with sigmoid calibration —
chosen by measurement (see yuqing/nlp/README.md). Training is deterministic: fixed order, fixed
seeds, no shuffling.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from scipy import sparse

from yuqing.nlp.corpus import SECTORS
from yuqing.nlp.features import FeatureConfig, Vocabulary
from yuqing.nlp.linear import CalibratedLinear

if TYPE_CHECKING:
    from sklearn.linear_model import LogisticRegression

BINARY = ("shutdown", "blanket", "complaint", "licensed")
_PUNCT = re.compile(r"[^\w]")  # features with punctuation or spaces are not shown as evidence
MODEL_TAGS = (*BINARY, "sector")
Classifier = Literal["lr", "svm"]


@dataclass(frozen=True)
class ModelOptions:
    classifier: Classifier = "svm"
    c: float = 1.0
    balanced: bool = True
    blanket_given_shutdown: bool = False

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def make_classifier(options: ModelOptions, n_samples: int, multiclass: bool = False) -> Any:
    # scikit-learn is imported where a model is trained, not where a saved one tags
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold
    from sklearn.svm import LinearSVC

    weight = "balanced" if options.balanced else None
    if options.classifier == "svm":
        folds = max(2, min(5, n_samples))
        return CalibratedClassifierCV(
            LinearSVC(C=options.c, class_weight=weight, random_state=0),
            method="sigmoid",
            cv=StratifiedKFold(folds),
        )
    return LogisticRegression(
        C=options.c,
        class_weight=weight,
        solver="lbfgs" if multiclass else "liblinear",
        max_iter=2000,
        random_state=0,
    )


def fit_binary(x: sparse.csr_matrix, y: np.ndarray, options: ModelOptions) -> Any:
    if len(set(y.tolist())) < 2:
        return _constant(x, bool(y[0]) if len(y) else False)
    counts = np.bincount(y.astype(int))
    if options.classifier == "svm" and counts.min() < 2:
        options = ModelOptions(**{**options.to_json(), "classifier": "lr"})
    return make_classifier(options, int(counts.min())).fit(x, y)


def _constant(x: sparse.csr_matrix, value: bool) -> LogisticRegression:
    """A logistic regression that always answers ``value`` (zero weights, large intercept)."""
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression()
    clf.classes_ = np.array([0, 1])
    clf.coef_ = np.zeros((1, x.shape[1]))
    clf.intercept_ = np.array([8.0 if value else -8.0])
    clf.n_features_in_ = x.shape[1]
    return clf


# The cue categories each tag's model sees when FeatureConfig.tag_cues is on (interaction
# features count when either of their categories is listed).
TAG_CUES: dict[str, frozenset[str]] = {
    "shutdown": frozenset(
        {
            "shutdown",
            "demanded",
            "not_enforced",
            "stalled",
            "own_decision",
            "official",
            "ban_news",
            "other_context",
        }
    ),
    "blanket": frozenset(
        {"blanket", "many", "shutdown", "ban_news", "other_context", "official", "unlicensed"}
    ),
    "complaint": frozenset({"complaint", "official", "demanded"}),
    "licensed": frozenset({"licensed", "permits", "unlicensed"}),
    "sector": frozenset(f"sector.{s}" for s in SECTORS),
}


def cue_masks(vocab: Vocabulary, features: FeatureConfig) -> dict[str, sparse.dia_matrix | None]:
    """Per tag, a diagonal matrix over the columns: 0 hides a cue column the tag does not use
    (with ``tag_cues``), ``licensed_cue_boost`` scales licensed's own cues and
    ``sector_cue_boost`` sector's (``k:sector.…`` and the title's ``k:t.sector.…``, issue 11);
    text columns 1."""
    boost = {"licensed": features.licensed_cue_boost, "sector": features.sector_cue_boost}
    out: dict[str, sparse.dia_matrix | None] = {}
    names = vocab.cue_names()
    for tag in MODEL_TAGS:
        factor = boost.get(tag, 1.0)
        if not features.tag_cues and factor == 1.0:
            out[tag] = None
            continue
        mask = np.ones(len(vocab))
        for j, name in enumerate(names):
            cats = set(name[2:].removeprefix("t.").replace("~", "&").split("&"))
            if cats & TAG_CUES[tag]:
                mask[j] = factor
            elif features.tag_cues:
                mask[j] = 0.0
        out[tag] = sparse.diags(mask)
    return out


def _view(x: sparse.csr_matrix, mask: sparse.dia_matrix | None) -> sparse.csr_matrix:
    return x if mask is None else (x @ mask).tocsr()


def train_models(
    x: sparse.csr_matrix,
    labels: dict[str, np.ndarray],
    options: ModelOptions,
    masks: dict[str, sparse.dia_matrix | None] | None = None,
) -> dict[str, Any]:
    """Fit one estimator per tag on the rows of ``x``."""
    masks = masks or dict.fromkeys(MODEL_TAGS)
    models: dict[str, Any] = {}
    for tag in BINARY:
        y = labels[tag].astype(int)
        xt = _view(x, masks[tag])
        if tag == "blanket" and options.blanket_given_shutdown:
            rows = np.flatnonzero(labels["shutdown"])
            models[tag] = (
                fit_binary(xt[rows], y[rows], options) if len(rows) else _constant(x, False)
            )
        else:
            models[tag] = fit_binary(xt, y, options)
    sector_clf = make_classifier(options, len(labels["sector"]), multiclass=True)
    models["sector"] = sector_clf.fit(_view(x, masks["sector"]), labels["sector"])
    return models


def positive_weights(estimator: Any, n_features: int) -> np.ndarray:
    """Per-feature weights towards each class (rows follow ``estimator.classes_``)."""
    if isinstance(estimator, CalibratedLinear):  # read from the archive's arrays
        coef = estimator.mean_coef()
    else:  # a scikit-learn estimator (scikit-learn is imported already)
        from sklearn.calibration import CalibratedClassifierCV

        if isinstance(estimator, CalibratedClassifierCV):
            coefs = [c.estimator.coef_ for c in estimator.calibrated_classifiers_]
            coef = np.mean(coefs, axis=0)
        else:
            coef = np.asarray(estimator.coef_)
    if coef.shape[0] == 1:  # binary: weights towards class 1, and their negation
        return np.vstack([-coef[0], coef[0]])
    return coef


@dataclass
class TaggerModel:
    """Everything the tagger needs from training: feature settings, vocabulary, estimators."""

    features: FeatureConfig
    options: ModelOptions
    vocab: Vocabulary
    estimators: dict[str, Any]

    def __post_init__(self) -> None:
        n = len(self.vocab)
        self.masks = cue_masks(self.vocab, self.features)
        self.weights = {t: positive_weights(e, n) for t, e in self.estimators.items()}
        for t, m in self.masks.items():
            if m is not None:
                self.weights[t] = self.weights[t] * m.diagonal()
        self.sector_classes = [str(c) for c in self.estimators["sector"].classes_]
        self.readable_names = [
            None if t is None or _PUNCT.search(t) else t for t in self.vocab.readable_values()
        ]

    def probabilities(self, x: sparse.csr_matrix) -> dict[str, np.ndarray]:
        """P(tag) for each binary tag and the class probabilities of sector, row by row."""
        out = {t: self.estimators[t].predict_proba(_view(x, self.masks[t]))[:, 1] for t in BINARY}
        out["sector"] = self.estimators["sector"].predict_proba(_view(x, self.masks["sector"]))
        return out

    def top_features(
        self, row: tuple[np.ndarray, np.ndarray], tag: str, cls: int, k: int = 5
    ) -> list[str]:
        """The k features of a row (its column indices and values) that push hardest towards
        class index ``cls`` of ``tag``, as text: single characters, cue categories and
        overlapping n-grams (营业执 next to 营业执照) are left out."""
        indices, data = row
        if len(indices) == 0:
            return []
        contrib = data * self.weights[tag][cls][indices]
        n = min(len(contrib), 6 * k)
        top = np.argpartition(-contrib, n - 1)[:n] if len(contrib) > n else np.arange(n)
        top = top[np.argsort(-contrib[top], kind="stable")]
        names = self.readable_names
        out: list[str] = []
        for j, c in zip(indices[top].tolist(), contrib[top].tolist(), strict=True):
            if c <= 0 or len(out) >= k:
                break
            text = names[j]
            if text and len(text) > 1 and not any(text in o or o in text for o in out):
                out.append(text)
        return out


def label_arrays(examples: Sequence[dict[str, Any]]) -> dict[str, np.ndarray]:
    out = {t: np.array([bool(e[t]) for e in examples]) for t in BINARY}
    out["sector"] = np.array([e["sector"] for e in examples])
    unknown = set(out["sector"].tolist()) - set(SECTORS)
    if unknown:
        raise ValueError(f"unknown sector(s) {sorted(unknown)}")
    return out
