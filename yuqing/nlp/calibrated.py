"""The tagger's probabilities without scikit-learn's cost per call.

Every estimator of the default model is a ``CalibratedClassifierCV`` of linear SVMs with sigmoid
calibration (5 folds). Its ``predict_proba`` validates the input, probes it for dataframe
libraries and fits a label encoder, in every fold, on every call: for the tagger's 5 tags that
is ~18 ms per batch whatever its size, while the arithmetic for 200 posts takes ~1 ms, so it
was ~15% of the store worker's CPU. :class:`FastProbabilities` does the same arithmetic in the
same order (scikit-learn 1.9's ``_CalibratedClassifier.predict_proba``: decision function,
sigmoid per class, normalization, mean over the folds) straight from the fitted coefficients
(:class:`yuqing.nlp.linear.CalibratedLinear`, which a model read from its archive's arrays
holds already).

It is used only where it gives exactly what the model gives: :func:`fast_probabilities`
returns None (keep ``TaggerModel.probabilities``) unless every estimator is of that shape and
the results on a probe batch are equal to the last bit. Tags therefore never change.
"""

from __future__ import annotations

import logging
import math

import numpy as np
from scipy import sparse

from yuqing.nlp.linear import CalibratedLinear, from_estimator
from yuqing.nlp.model import TaggerModel

log = logging.getLogger(__name__)
PROBE_ROWS = 64
PROBE_FEATURES = 40


class FastProbabilities:
    """``TaggerModel.probabilities`` for models whose estimators are all calibrated linear."""

    def __init__(self, model: TaggerModel, estimators: dict[str, CalibratedLinear]) -> None:
        self.model = model
        self.estimators = estimators

    def __call__(self, x: sparse.csr_matrix) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for tag, est in self.estimators.items():
            mask = self.model.masks[tag]
            view = x if mask is None else (x @ mask).tocsr()
            p = est.predict_proba(view)
            out[tag] = p if tag == "sector" else p[:, 1]
        return out


def _probe(model: TaggerModel) -> sparse.csr_matrix:
    """Rows of a few features each, drawn from the whole vocabulary (deterministic)."""
    rng = np.random.default_rng(0)
    n = len(model.vocab)
    rows = [rng.integers(0, n, size=PROBE_FEATURES, dtype=np.int64) for _ in range(PROBE_ROWS)]
    rows.append(np.zeros(0, dtype=np.int64))  # an empty post
    return model.vocab.matrix([r.astype(np.int32) for r in rows])


def fast_probabilities(model: TaggerModel) -> FastProbabilities | None:
    """The fast path for ``model``, or None where it would not give exactly the same."""
    if len(model.vocab) == 0:
        return None
    if all(isinstance(e, CalibratedLinear) for e in model.estimators.values()):
        return FastProbabilities(model, dict(model.estimators))  # read from arrays: the same
    try:
        estimators = {t: from_estimator(e) for t, e in model.estimators.items()}
        if any(e is None for e in estimators.values()):
            return None
        fast = FastProbabilities(model, {t: e for t, e in estimators.items() if e is not None})
        x = _probe(model)
        want, got = model.probabilities(x), fast(x)
    except Exception:  # an estimator of an unexpected shape: scikit-learn's own path
        log.debug("no fast path for the tagger's probabilities", exc_info=True)
        return None
    if want.keys() != got.keys() or not all(np.array_equal(want[t], got[t]) for t in want):
        log.info("the fast path differs from scikit-learn's probabilities: not used")
        return None
    return fast


def shift_log_odds(probability: float, offset: float) -> float:
    """``probability`` moved by ``offset`` in log-odds (the post-model readings of issue 11:
    petition shape for complaint, permit statements for licensed); 0 leaves it as it is."""
    if offset == 0.0:
        return probability
    p = min(max(probability, 1e-6), 1.0 - 1e-6)
    return 1.0 / (1.0 + math.exp(-(math.log(p / (1.0 - p)) + offset)))
