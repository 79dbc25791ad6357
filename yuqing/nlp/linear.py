"""The tagger's estimators as plain arrays, scored with numpy and scipy alone.

Every estimator of the default model is a ``CalibratedClassifierCV`` of linear SVMs with sigmoid
calibration (5 folds). :class:`CalibratedLinear` holds the numbers that make its
``predict_proba`` — each fold's coefficients and intercepts, each calibrator's sigmoid (a, b),
the probability column each calibrator fills, the classes — and does the same arithmetic in the
same order (scikit-learn 1.9's ``_CalibratedClassifier.predict_proba``: decision function,
sigmoid per class, normalization, mean over the folds).

The build stores these arrays in the model archive beside the skops object
(:func:`to_arrays`, ``persist.save``); loading them (:func:`from_arrays`) needs neither
scikit-learn nor skops, whose imports alone cost ~75 MB of the tagger's memory
(yuqing/nlp/README.md, peak memory). An archive without them (built before) or an estimator of
another kind (a logistic regression, a tag with one class) keeps scikit-learn's path.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse
from scipy.special import expit

LAYOUT = 1  # the arrays' layout (the header's "layout"); another value: not read
_FIELDS = ("classes", "coef", "intercept", "columns", "a", "b")


@dataclass(frozen=True, eq=False)
class CalibratedLinear:
    """A sigmoid-calibrated linear classifier over k folds (``predict_proba``, ``classes_``)."""

    classes_: np.ndarray
    # (folds, rows, features), rows = 1 for a binary classifier; or each fold's (rows,
    # features) array as scikit-learn holds it (from_estimator: no copy)
    coef: np.ndarray | tuple[np.ndarray, ...]
    intercept: np.ndarray  # (folds, rows)
    columns: np.ndarray  # (folds, calibrators): the probability column each calibrator fills
    a: np.ndarray  # (folds, calibrators)
    b: np.ndarray  # (folds, calibrators)

    def predict_proba(self, x: sparse.csr_matrix) -> np.ndarray:
        n, k = x.shape[0], len(self.classes_)
        mean = np.zeros((n, k))
        for f in range(len(self.coef)):
            # sklearn.utils.extmath.safe_sparse_dot(x, coef_.T) is ``x @ coef_.T`` here
            scores = x @ self.coef[f].T + self.intercept[f]
            if scores.ndim == 1 or scores.shape[1] == 1:
                scores = scores.reshape(-1, 1)
            proba = np.zeros((n, k))
            for i, pred in enumerate(scores.T[: self.columns.shape[1]]):
                t = np.ascontiguousarray(pred.reshape(-1))
                proba[:, int(self.columns[f, i])] = expit(-(self.a[f, i] * t + self.b[f, i]))
            if k == 2:
                proba[:, 0] = 1.0 - proba[:, 1]
            else:
                denominator = np.sum(proba, axis=1)[:, np.newaxis]
                uniform = np.full_like(proba, 1 / k)
                proba = np.divide(proba, denominator, out=uniform, where=denominator != 0)
            proba[(proba > 1.0) & (proba <= 1.0 + 1e-5)] = 1.0
            mean += proba
        mean /= len(self.coef)
        return mean

    def mean_coef(self) -> np.ndarray:
        """The folds' coefficients averaged (``model.positive_weights``)."""
        return np.asarray(np.mean(self.coef, axis=0))


def from_estimator(estimator: Any) -> CalibratedLinear | None:
    """The numbers of a fitted sigmoid-calibrated linear classifier (None: another kind, or
    folds that do not all see the same classes)."""
    if isinstance(estimator, CalibratedLinear):
        return estimator
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model._base import LinearClassifierMixin

    if not isinstance(estimator, CalibratedClassifierCV) or estimator.method != "sigmoid":
        return None
    coefs, intercepts, columns, a, b = [], [], [], [], []
    for cc in estimator.calibrated_classifiers_:
        base = cc.estimator
        if not isinstance(base, LinearClassifierMixin) or not hasattr(base, "coef_"):
            return None
        if not all(hasattr(c, "a_") and hasattr(c, "b_") for c in cc.calibrators):
            return None
        classes = np.unique(np.asarray(cc.classes))  # LabelEncoder().fit(cc.classes)
        k = len(cc.classes)
        index = np.searchsorted(classes, np.asarray(base.classes_))
        # as scikit-learn pairs them (zip: a binary classifier has one calibrator, for class 1)
        n = len(cc.calibrators)
        columns.append([int(i) + 1 if k == 2 else int(i) for i in index[:n]])
        coef = np.asarray(base.coef_)
        coefs.append(coef if coef.ndim == 2 else coef.reshape(1, -1))  # a view, not a copy
        intercepts.append(np.asarray(base.intercept_).reshape(-1))
        a.append([c.a_ for c in cc.calibrators])
        b.append([c.b_ for c in cc.calibrators])
    if not coefs or len(estimator.classes_) != len(estimator.calibrated_classifiers_[0].classes):
        return None
    if len({c.shape for c in coefs}) != 1 or len({len(c) for c in columns}) != 1:
        return None
    return CalibratedLinear(
        np.asarray(estimator.classes_),
        tuple(coefs),
        np.array(intercepts, dtype=np.float64),
        np.array(columns, dtype=np.int64),
        np.array(a, dtype=np.float64),
        np.array(b, dtype=np.float64),
    )


def to_arrays(estimators: dict[str, Any]) -> dict[str, np.ndarray] | None:
    """``{tag}.{field}`` arrays of every estimator plus a JSON ``header`` (None: one of them is
    of another kind, the model keeps scikit-learn's path)."""
    out: dict[str, np.ndarray] = {}
    for tag, est in estimators.items():
        lin = from_estimator(est)
        if lin is None or lin.classes_.dtype.kind == "O":
            return None
        for field in _FIELDS:
            out[f"{tag}.{field}"] = np.asarray(
                getattr(lin, "classes_" if field == "classes" else field)
            )
    header = {"layout": LAYOUT, "tags": list(estimators)}
    out["header"] = np.frombuffer(json.dumps(header).encode("utf-8"), dtype=np.uint8)
    return out


def from_arrays(arrays: dict[str, np.ndarray], n_features: int) -> dict[str, CalibratedLinear]:
    """The estimators :func:`to_arrays` stored; ValueError when they are incomplete or do not
    fit together (``n_features``: the vocabulary's size)."""
    try:
        header = json.loads(arrays["header"].tobytes().decode("utf-8"))
    except (KeyError, ValueError, UnicodeDecodeError) as exc:
        raise ValueError(f"no readable header of the estimators' arrays ({exc!r})") from exc
    if not isinstance(header, dict) or header.get("layout") != LAYOUT:
        raise ValueError(f"estimators' arrays of layout {header.get('layout')!r}")
    out: dict[str, CalibratedLinear] = {}
    for tag in header.get("tags", []):
        missing = [f for f in _FIELDS if f"{tag}.{f}" not in arrays]
        if missing:
            raise ValueError(f"no array {tag}.{missing[0]}")
        lin = CalibratedLinear(*(arrays[f"{tag}.{f}"] for f in _FIELDS))
        coef = np.asarray(lin.coef)
        folds, rows, cols = coef.shape if coef.ndim == 3 else (0, 0, -1)
        calibrators = lin.columns.shape[1] if lin.columns.ndim == 2 else -1
        if (
            cols != n_features
            or folds == 0
            or lin.intercept.shape != (folds, rows)
            or lin.columns.shape[0] != folds
            or lin.a.shape != lin.columns.shape
            or lin.b.shape != lin.columns.shape
            or not 0 < calibrators <= rows
            or np.any((lin.columns < 0) | (lin.columns >= len(lin.classes_)))
        ):
            raise ValueError(f"the arrays of {tag} do not fit together")
        out[tag] = lin
    return out
