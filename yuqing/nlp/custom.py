"""Custom classifiers: an office's own taxonomy (e.g. petitions by department) learned from a
labeled CSV, registered under ``<data_dir>/models/custom/NAME.skops`` and predicted for every
post as tag ``custom.NAME``.

The text columns are mapped onto a post as title = first column, text = the others joined by
newlines, so a classifier trained on (subject, body) reads (title, text) at tagging time.

A classifier's features are *blocks* (characters of the whole post, characters of the title,
jieba words, the domain cues), each weighted TF-IDF and normalized on its own, so a short title
keeps its weight next to a long body. Which blocks a classifier uses is chosen by
cross-validation on the office's own data (:mod:`yuqing.nlp.custom_train`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
from scipy import sparse

from yuqing.nlp import persist
from yuqing.nlp.errors import CustomModelError
from yuqing.nlp.features import FEATURE_VERSION, Analysis, Featurizer, Vocabulary
from yuqing.nlp.normalize import normalize_for_matching

log = logging.getLogger(__name__)
NAME = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
CUSTOM_FORMAT = 2  # 2: feature blocks chosen by cross-validation (1: one shared vocabulary)
_SPACE = re.compile(r"\s+")
_JUNK = re.compile(r"^[\W\d_]+$")


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


@dataclass(frozen=True)
class Block:
    """One group of features: ``kind`` of ``part`` of the post (n-grams for characters)."""

    kind: Literal["chars", "words", "cues"]
    part: Literal["post", "title"] = "post"
    ngrams: tuple[int, int] = (1, 2)

    @property
    def label(self) -> str:
        what = {"chars": "characters", "words": "words", "cues": "domain cues"}[self.kind]
        if self.kind == "chars":
            what += f" {self.ngrams[0]}-{self.ngrams[1]}"
        return ("title " if self.part == "title" else "") + what

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "part": self.part, "ngrams": list(self.ngrams)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Block:
        lo, hi = data["ngrams"]
        return cls(data["kind"], data["part"], (int(lo), int(hi)))


@dataclass(frozen=True)
class Post:
    """What the blocks are computed from: normalized title and whole post, words and cues."""

    title: str
    post: str
    words: Sequence[str] = ()
    title_words: Sequence[str] = ()
    cues: Sequence[str] = ()


def block_features(block: Block, p: Post) -> list[str]:
    if block.kind == "cues":
        return list(p.cues)
    if block.kind == "words":
        return list(p.title_words if block.part == "title" else p.words)
    text = _SPACE.sub(" ", p.title if block.part == "title" else p.post)
    lo, hi = block.ngrams
    return [text[i : i + n] for n in range(lo, hi + 1) for i in range(len(text) - n + 1)]


def make_post(featurizer: Featurizer, title: str, text: str, a: Analysis | None = None) -> Post:
    """The normalized parts of a post; reuses the tagger's analysis where it has them."""
    if a is None:
        a = Analysis(f"{title}\n{text}", normalize_for_matching(f"{title}\n{text}"), len(title))
    norm_title = a.norm[: a.title_len]
    tokens = a.tokens if a.tokens is not None else featurizer.segmenter.tokens(a.norm)
    end = next((i for i, w in enumerate(tokens) if "\n" in w), len(tokens)) if a.title_len else 0
    words = [w for w in tokens if not _JUNK.match(w)]
    title_words = [w for w in tokens[:end] if not _JUNK.match(w)]
    hits = a.cues if a.cues else featurizer.cue_matcher.find(a.original, a.norm)
    cues = ["k:" + c for hit in hits for c in hit.categories]
    return Post(norm_title, a.norm, words, title_words, cues)


class Blocks:
    """One :class:`Vocabulary` per block; a post's columns are offset into one matrix whose
    blocks are normalized apart."""

    def __init__(self, blocks: Sequence[Block], vocabs: Sequence[Vocabulary]) -> None:
        self.blocks = tuple(blocks)
        self.vocabs = list(vocabs)
        sizes = [len(v) for v in self.vocabs]
        self.offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)

    def columns(self, doc: Sequence[list[str]]) -> np.ndarray:
        parts = [
            v.columns(f) + int(o) for v, f, o in zip(self.vocabs, doc, self.offsets, strict=False)
        ]
        return np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, dtype=np.int64)

    def matrix(self, rows: Sequence[np.ndarray]) -> sparse.csr_matrix:
        mats = []
        for j, vocab in enumerate(self.vocabs):
            lo, hi = self.offsets[j], self.offsets[j + 1]
            sub = [(r[(r >= lo) & (r < hi)] - lo).astype(np.int32) for r in rows]
            mats.append(vocab.matrix(sub))
        return sparse.hstack(mats, format="csr")

    def transform(self, docs: Sequence[Sequence[list[str]]]) -> sparse.csr_matrix:
        return self.matrix([self.columns(d) for d in docs])


@dataclass
class CustomModel:
    name: str
    features: Blocks
    estimator: Any
    meta: dict[str, Any] = field(default_factory=dict)

    def columns(self, a: Analysis, featurizer: Featurizer) -> np.ndarray:
        """The columns of an analysed post in this classifier's feature space."""
        post = make_post(featurizer, "", "", a)
        return self.features.columns([block_features(b, post) for b in self.features.blocks])

    def predict_rows(self, rows: Sequence[np.ndarray]) -> list[str]:
        return [str(v) for v in self.estimator.predict(self.features.matrix(rows))]


def save_custom(models_dir: Path, model: CustomModel, meta: dict[str, Any]) -> dict[str, Any]:
    obj = {
        "format": persist.FORMAT,
        "custom_format": CUSTOM_FORMAT,
        "blocks": [b.to_json() for b in model.features.blocks],
        "vocabs": [{"names": v.names, "idf": v.idf} for v in model.features.vocabs],
        "estimator": model.estimator,
    }
    path = custom_dir(models_dir) / f"{model.name}.skops"
    return persist.save(path, obj, {"kind": "custom", "name": model.name, **meta})


def load_custom(path: Path) -> CustomModel:
    name = path.stem
    obj, meta = persist.load(path, FEATURE_VERSION, rebuild_hint(name))
    if obj.get("custom_format") != CUSTOM_FORMAT:
        raise CustomModelError(
            f"custom classifier {name}: built by an older yuqing (format "
            f"{obj.get('custom_format', 1)}, need {CUSTOM_FORMAT}); {rebuild_hint(name)}"
        )
    blocks = [Block.from_json(b) for b in obj["blocks"]]
    vocabs = [
        Vocabulary(np.asarray(v["names"]), np.asarray(v["idf"]), False) for v in obj["vocabs"]
    ]
    return CustomModel(name, Blocks(blocks, vocabs), obj["estimator"], meta)


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
