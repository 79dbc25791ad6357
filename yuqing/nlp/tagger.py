"""The tagger: every post gets shutdown, blanket, complaint, sector, district and licensed, each
with a score and the evidence behind it, plus the predictions of registered custom classifiers.

Use :func:`yuqing.nlp.loader.load_tagger` (one per process: one jieba initialisation, one
model load).
``tag_many`` is the fast path: posts are featurized one by one but scored in batches, and with
``n_jobs > 1`` the batch is split over forked worker processes that share the loaded tagger.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np

from yuqing.config.settings import NlpSettings
from yuqing.nlp.calibrated import fast_probabilities
from yuqing.nlp.combine import combine, read_blanket
from yuqing.nlp.context import Context
from yuqing.nlp.custom import CustomModel
from yuqing.nlp.features import Analysis, Featurizer, merge
from yuqing.nlp.gazetteer import GazetteerMatcher, PlaceMatch
from yuqing.nlp.model import TaggerModel
from yuqing.nlp.normalize import to_simplified
from yuqing.nlp.permits import adjust as adjust_licensed
from yuqing.nlp.permits import read_permits
from yuqing.nlp.petition import adjust, read_petition
from yuqing.nlp.rules import map_back
from yuqing.nlp.sector_title import title_sectors, weigh_title
from yuqing.store import fts
from yuqing.store.posts import TagRecord

log = logging.getLogger(__name__)

# Posts scored together: at most BATCH posts and about BATCH_CHARS characters of text. The
# batch's feature matrix (a long petition's row and its parts' rows) and its per-tag masked
# copies are the tagger's working memory: 512 long petitions held ~10 MB more at the peak than
# batches of ~128 (yuqing/nlp/README.md, peak memory), while short posts keep the per-batch cost
# amortized over 512 (batches of 128 cost 6-9 % more CPU on Weibo posts and takeaway reviews).
# Every row is scored on its own: the batching changes no output.
BATCH = 512
BATCH_CHARS = 50_000
MIN_PER_JOB = 64  # smaller batches are not worth a worker process
# Sector weights applied to the model's probabilities (then renormalized). Real appeals are
# read as `other` too readily (realdev: recall of other 0.91, precision 0.66; the construction,
# urban_management and life_services posts it takes lose half their recall); halving its
# weight raised realdev's sector F1 (weighted 0.683 -> 0.712) for -0.004 on the authored dev
# split (yuqing/nlp/README.md, issue 11). With the trade of the title weighed up
# (sector_title.py, sector 3rd pass) part of that pull comes from the title: 0.7 instead of 0.5
# (realdev weighted 0.797 -> 0.808, dev 0.912 -> 0.915; README row 19).
SECTOR_WEIGHTS = {"other": 0.7}
_WORKER: Tagger | None = None
# Cue categories shown as a tag's evidence (default: the category named like the tag).
EVIDENCE: dict[str, set[str]] = {"blanket": {"blanket", "many"}}
MAX_CONTEXT = 8  # shutdown cues whose context is shown as evidence


def _dedup(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


class Tagger:
    def __init__(
        self,
        model: TaggerModel,
        featurizer: Featurizer,
        gazetteer: GazetteerMatcher,
        settings: NlpSettings,
        model_version: str,
        custom: dict[str, CustomModel] | None = None,
    ) -> None:
        self.model = model
        self.featurizer = featurizer
        self.gazetteer = gazetteer
        self.settings = settings
        self.model_version = model_version
        self.custom: dict[str, CustomModel] = dict(custom or {})
        # the same numbers as model.probabilities, without scikit-learn's cost per call
        self._probabilities = fast_probabilities(model) or model.probabilities
        classes = list(model.sector_classes)
        self._sector_weights: np.ndarray | None = (
            np.array([SECTOR_WEIGHTS.get(c, 1.0) for c in classes])
            if any(c in SECTOR_WEIGHTS for c in classes)
            else None
        )

    # -- public API -------------------------------------------------------------------------
    def tag(self, title: str, text: str) -> TagRecord:
        return self._tag_batch([(title, text)])[0]

    def tag_many(self, items: Sequence[tuple[str, str]], n_jobs: int = 1) -> list[TagRecord]:
        """Tags for ``items`` (title, text) in order; ``n_jobs > 1`` uses worker processes."""
        items = list(items)
        jobs = min(max(1, n_jobs), max(1, len(items) // MIN_PER_JOB))
        if jobs > 1 and "fork" in multiprocessing.get_all_start_methods():
            return self._tag_parallel(items, jobs)
        out: list[TagRecord] = []
        for batch in _batches(items):
            out.extend(self._tag_batch(batch))
        return out

    def tag_many_with_words(
        self, items: Sequence[tuple[str, str]]
    ) -> tuple[list[TagRecord], list[list[str]]]:
        """:meth:`tag_many` (in this process), plus each post's words for the store's full-text
        index (``yuqing.store.fts.Indexable.words``): the search-mode words of the tokens the
        tagger has cut anyway (:meth:`Segmenter.search_words`), so the store need not segment
        the text a second time. A post the tagger saw only in part (over its length limits) or
        in another form (Traditional characters it converted) is segmented as stored."""
        items = list(items)
        records: list[TagRecord] = []
        words: list[list[str]] = []
        for batch in _batches(items):
            records.extend(self._tag_batch(batch, words))
        return records, words

    def with_custom(self, names: Sequence[str]) -> Tagger:
        """A tagger that runs only the named custom classifiers (all must be registered)."""
        from yuqing.nlp.errors import CustomModelError

        missing = [n for n in names if n not in self.custom]
        if missing:
            known = ", ".join(sorted(self.custom)) or "none"
            raise CustomModelError(
                f"no custom classifier named {missing[0]!r} (registered: {known}); "
                f"train one with `yuqing nlp train-custom {missing[0]} --in labeled.csv ...`"
            )
        return Tagger(
            self.model,
            self.featurizer,
            self.gazetteer,
            self.settings,
            self.model_version,
            {n: self.custom[n] for n in names},
        )

    # -- internals --------------------------------------------------------------------------
    def _tag_parallel(self, items: list[tuple[str, str]], jobs: int) -> list[TagRecord]:
        global _WORKER
        size = -(-len(items) // (jobs * 4))
        chunks = [items[i : i + size] for i in range(0, len(items), size)]
        with _FORK_LOCK:
            _WORKER = self
            try:
                ctx = multiprocessing.get_context("fork")
                with ctx.Pool(jobs) as pool:
                    parts = pool.map(_work, chunks)
            finally:
                _WORKER = None
        return [rec for part in parts for rec in part]

    def _tag_batch(
        self, items: Sequence[tuple[str, str]], words: list[list[str]] | None = None
    ) -> list[TagRecord]:
        if not items:
            return []
        with _gc_paused():
            return self._tag_batch_inner(items, words)

    def _tag_batch_inner(
        self, items: Sequence[tuple[str, str]], words: list[list[str]] | None
    ) -> list[TagRecord]:
        vocab = self.model.vocab
        posts: list[tuple[Analysis, list[int], list[Context | None]]] = []
        rows: list[np.ndarray] = []
        custom_rows: dict[str, list[np.ndarray]] = {name: [] for name in self.custom}
        for title, text in items:
            # the features looked up by group, never spelled out (Vocabulary.group_columns)
            parts = self.featurizer.analyze_parts(title or "", text or "", strings=False)
            a = merge(parts)
            # row indices: the whole post first, then its parts (if more than one)
            at = [len(rows)]
            if len(parts) == 1:
                rows.append(vocab.group_columns(a.groups))
            else:  # the whole post's row: its parts' columns together
                cols = [vocab.group_columns(p.groups) for p in parts]
                rows.append(np.concatenate(cols))
                at += range(len(rows), len(rows) + len(parts))
                rows.extend(cols)
            for name, cm in self.custom.items():
                custom_rows[name].append(cm.columns(a, self.featurizer))
            if words is not None:
                words.append(self._index_words(title or "", text or "", a))
            for p in parts:  # the feature strings are the bulk of a batch's memory
                p.groups = []
                p.tokens = None
            a.groups = []
            a.tokens = None
            for p in parts:
                read_blanket(p)
            posts.append((a, at, [p.context for p in parts]))
        x = vocab.matrix(rows)
        del rows
        probs = self._probabilities(x)
        custom = {name: self.custom[name].predict_rows(r) for name, r in custom_rows.items()}
        out = []
        ptr, ind, val = x.indptr, x.indices, x.data
        for i, (a, at, contexts) in enumerate(posts):
            whole = at[0]
            row = (ind[ptr[whole] : ptr[whole + 1]], val[ptr[whole] : ptr[whole + 1]])
            rec = self._record(a, row, combine(probs, at, contexts))
            rec.custom = {name: labels[i] for name, labels in custom.items()}
            out.append(rec)
        return out

    def _record(
        self, a: Analysis, row: tuple[np.ndarray, np.ndarray], p: dict[str, Any]
    ) -> TagRecord:
        s = self.settings
        model = self.model
        shutdown_score = float(p["shutdown"])
        ctx = a.context
        shutdown = shutdown_score >= s.shutdown_threshold
        blanket_p = float(p["blanket"])
        blanket = shutdown and blanket_p >= s.blanket_threshold
        blanket_score = blanket_p if shutdown else min(blanket_p, shutdown_score)
        # a flat real appeal's demand and grievances move the model's probability (issue 11)
        petition = read_petition(a.norm, a.title_len, a.original)
        complaint_score = adjust(float(p["complaint"]), petition)
        # a real writer's own words for a lawful business move the model's probability (issue 11)
        permits = read_permits(a.norm, a.original)
        licensed_score = adjust_licensed(float(p["licensed"]), permits)
        sector_probs = reweigh_sector(np.asarray(p["sector"]), self._sector_weights)
        # the trade the title names (issue 11, sector 3rd pass)
        sector_probs = weigh_title(
            sector_probs, model.sector_classes, title_sectors(a.cues, a.title_len)
        )
        k = int(np.argmax(sector_probs))
        sector = model.sector_classes[k]
        place, city = self._place(a)
        flags = {
            "shutdown": shutdown,
            "blanket": blanket,
            "complaint": complaint_score >= s.complaint_threshold,
            "licensed": licensed_score >= s.licensed_threshold,
        }
        evidence: dict[str, Any] = {}
        features: dict[str, list[str]] = {}
        for tag, on in flags.items():
            cats = EVIDENCE.get(tag, {tag})
            evidence[tag] = (
                _dedup([h.term for h in a.cues if cats.intersection(h.categories)]) if on else []
            )
            features[tag] = _spelled(a, model.top_features(row, tag, 1)) if on else []
        if flags["complaint"]:
            evidence["complaint"] = _dedup([*evidence["complaint"], *petition.terms()])
        if flags["licensed"]:
            evidence["licensed"] = _dedup([*evidence["licensed"], *permits.terms()])
        sector_cat = f"sector.{sector}"
        evidence["sector"] = _dedup([h.term for h in a.cues if sector_cat in h.categories])
        features["sector"] = _spelled(a, model.top_features(row, "sector", k))
        evidence["district"] = place.name if place else None
        evidence["city"] = city
        evidence["context"] = [t.describe() for t in ctx.triggers[:MAX_CONTEXT]] if ctx else []
        evidence["features"] = features
        return TagRecord(
            model_version=self.model_version,
            shutdown=shutdown,
            shutdown_score=round(shutdown_score, 4),
            blanket=blanket,
            blanket_score=round(blanket_score, 4),
            complaint=flags["complaint"],
            complaint_score=round(complaint_score, 4),
            sector=sector,
            sector_score=round(float(sector_probs[k]), 4),
            district=place.district if place else None,
            district_match=place.name if place else None,
            city_match=None if place else city,  # the locality gate's signal
            licensed=flags["licensed"],
            licensed_score=round(licensed_score, 4),
            evidence=evidence,
        )

    def _index_words(self, title: str, text: str, a: Analysis) -> list[str]:
        """The full-text index's words of the stored post (see :meth:`tag_many_with_words`)."""
        seg = self.featurizer.segmenter
        # the index segments fts.normalize(document): the tagger's text unless it was cut or
        # had Traditional characters to simplify (the tagger's normalization does that first;
        # a title-less post differs by its leading newline only, a token of its own)
        if a.tokens is not None and a.whole and to_simplified(a.original) == a.original:
            return seg.search_words(a.tokens)
        doc = fts.document(title, text)[: fts.MAX_INDEXED_CHARS]
        return seg.index_pieces(fts.normalize(doc))

    def _place(self, a: Analysis) -> tuple[PlaceMatch | None, str | None]:
        """The district (with the name that decided it) and the city's own name, if used."""
        title, text = a.original[: a.title_len], a.original[a.title_len + 1 :]
        if len(a.norm) == len(a.original):
            return self.gazetteer.locate(
                title, text, a.norm[: a.title_len], a.norm[a.title_len + 1 :]
            )
        return self.gazetteer.locate(title, text)


def _batches(items: list[tuple[str, str]]) -> Iterator[list[tuple[str, str]]]:
    """``items`` in consecutive batches of at most BATCH posts and, past the first post of a
    batch, BATCH_CHARS characters (title and text, up to the featurizer's limit)."""
    batch: list[tuple[str, str]] = []
    chars = 0
    for item in items:
        n = len(item[0] or "") + min(len(item[1] or ""), 10_000)
        if batch and (len(batch) >= BATCH or chars + n > BATCH_CHARS):
            yield batch
            batch, chars = [], 0
        batch.append(item)
        chars += n
    if batch:
        yield batch


def reweigh_sector(p: np.ndarray, weights: np.ndarray | None) -> np.ndarray:
    """The sector probabilities times the per-class weights, renormalized (issue 11)."""
    if weights is None:
        return p
    q = np.asarray(p, dtype=float) * weights
    total = q.sum()
    return q / total if total > 0 else np.asarray(p, dtype=float)


def _spelled(a: Analysis, features: list[str]) -> list[str]:
    """Model features as they are spelled in the post (features not found verbatim dropped)."""
    out = []
    for f in features:
        i = a.norm.find(f)
        if i >= 0:
            out.append(map_back(a.original, a.norm, (i, i + len(f))))
    return _dedup(out)


_FORK_LOCK = threading.Lock()
_GC_LOCK = threading.Lock()
_gc_depth = 0
_gc_was_enabled = False


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a batch is tagged.

    A batch allocates many short-lived lists; with a loaded model and jieba's dictionary in the
    heap, the collections this triggers cost as much as the tagging itself. Reference counting
    still frees everything; the collector runs again when the last concurrent batch ends.
    """
    global _gc_depth, _gc_was_enabled
    with _GC_LOCK:
        if _gc_depth == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_depth += 1
    try:
        yield
    finally:
        with _GC_LOCK:
            _gc_depth -= 1
            if _gc_depth == 0 and _gc_was_enabled:
                gc.enable()


def _work(chunk: list[tuple[str, str]]) -> list[TagRecord]:
    assert _WORKER is not None, "worker started without a tagger"
    return _WORKER.tag_many(chunk, n_jobs=1)
