"""Duplicate detection: an exact content hash, a 64-bit simhash and a near-duplicate index.

Texts are compared in their *matching form*: simplified, full-width folded, lower-case, with
punctuation, spaces and repost markers (``转发微博``, ``//@name:``, ``@mentions``) removed.

Near-duplicates (reposts, "再次反映：…", edits of punctuation or a number) are found in two
steps: the simhash over character 2-gram shingles picks candidates within
``candidate_distance`` bits (a vectorized Hamming scan), then each candidate is verified by the
overlap coefficient of the 2-gram sets (``min_overlap``). Template-like posts about different
places ("克山县开展…检查" vs "克东县开展…检查") are *not* duplicates: when ``places`` (name →
district) is given, two texts naming different districts never match.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Generic, TypeVar

import numpy as np

from yuqing.nlp.normalize import normalize_for_matching

SHINGLE = 2
MIN_CHARS = 12  # shorter texts get no simhash: too little text to call two posts the same
CANDIDATE_DISTANCE = 18
MIN_OVERLAP = 0.85
_NOISE = re.compile(r"[\W_]+", re.UNICODE)
_REPOST = re.compile(r"(?:转发微博|转自网友[:：]?|//@[^:：\s]{1,30}[:：]|@[\w\-]{1,30})", re.I)
_BIT_VALUES = np.array([1 << i for i in range(64)], dtype=np.uint64)

Ref = TypeVar("Ref")


def matching_form(text: str) -> str:
    """The text reduced to what makes it this text: no punctuation, spaces, case, mentions."""
    return _NOISE.sub("", normalize_for_matching(_REPOST.sub(" ", text)))


def content_hash(title: str, text: str) -> str:
    """SHA-1 of the matching form of title + text: equal for copies that differ only in
    punctuation, spacing, width or Traditional/Simplified script."""
    return content_hash_of_forms(matching_form(title), matching_form(text))


def content_hash_of_forms(title_form: str, text_form: str) -> str:
    """:func:`content_hash` from matching forms already computed."""
    return hashlib.sha1((title_form + "\x1f" + text_form).encode("utf-8")).hexdigest()


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finalizer, vectorized (uint64 arithmetic wraps, as intended)."""
    x = x + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def _shingle_hashes(form: str) -> np.ndarray:
    """A stable 64-bit hash of every 2-character shingle (code points fit in 21 bits)."""
    codes = np.frombuffer(form.encode("utf-32-le"), dtype="<u4").astype(np.uint64)
    grams = (codes[:-1] << np.uint64(21)) | codes[1:]
    return _mix(grams)


def simhash_form(form: str) -> int | None:
    """The 64-bit simhash (unsigned) of a matching form; None when it is too short."""
    if len(form) < MIN_CHARS:
        return None
    hashes = _shingle_hashes(form)
    bits = np.unpackbits(hashes.view(np.uint8).reshape(-1, 8), axis=1, bitorder="little")
    votes = bits.sum(axis=0, dtype=np.int64) * 2 - len(hashes)
    return int(_BIT_VALUES[votes > 0].sum(dtype=np.uint64))


def simhash(text: str) -> int | None:
    """The simhash of ``text`` (see :func:`simhash_form`)."""
    return simhash_form(matching_form(text))


def hamming(a: int, b: int) -> int:
    return (a ^ b).bit_count()


def _shingles(form: str) -> frozenset[str]:
    return frozenset(form[i : i + SHINGLE] for i in range(max(1, len(form) - SHINGLE + 1)))


def overlap(a: str, b: str) -> float:
    """|A ∩ B| / min(|A|, |B|) over the 2-gram sets: 1.0 when one text contains the other."""
    sa, sb = _shingles(a), _shingles(b)
    return len(sa & sb) / max(1, min(len(sa), len(sb)))


@lru_cache(maxsize=8)
def _place_pattern(names: tuple[str, ...]) -> re.Pattern[str] | None:
    if not names:
        return None
    ordered = sorted({normalize_for_matching(n) for n in names}, key=len, reverse=True)
    return re.compile("|".join(re.escape(n) for n in ordered if n))


class NearDuplicateIndex(Generic[Ref]):
    """``add(form, hash, ref)`` remembers a text; ``find(form, hash)`` returns the ref of the
    most similar remembered near-duplicate, or None. ``places`` maps place names (in matching
    form or not) to the district they belong to."""

    def __init__(
        self,
        places: Mapping[str, str] | None = None,
        candidate_distance: int = CANDIDATE_DISTANCE,
        min_overlap: float = MIN_OVERLAP,
    ) -> None:
        if not 0 <= candidate_distance <= 64:
            raise ValueError(f"candidate_distance must be 0..64, got {candidate_distance}")
        if not 0 < min_overlap <= 1:
            raise ValueError(f"min_overlap must be in (0, 1], got {min_overlap}")
        self.candidate_distance = candidate_distance
        self.min_overlap = min_overlap
        self._districts = {normalize_for_matching(k): v for k, v in (places or {}).items()}
        self._places = _place_pattern(tuple(sorted(self._districts)))
        self._hashes = np.zeros(1024, dtype=np.uint64)
        self._forms: list[str] = []
        self._refs: list[Ref] = []

    def __len__(self) -> int:
        return len(self._refs)

    def districts(self, form: str) -> frozenset[str]:
        if self._places is None:
            return frozenset()
        return frozenset(self._districts[m] for m in self._places.findall(form))

    def _compatible(self, a: str, b: str) -> bool:
        da, db = self.districts(a), self.districts(b)
        return da <= db or db <= da

    def find(self, form: str, value: int) -> Ref | None:
        n = len(self._refs)
        if n == 0:
            return None
        distances = np.bitwise_count(self._hashes[:n] ^ np.uint64(value))
        candidates = np.flatnonzero(distances <= self.candidate_distance)
        if len(candidates) == 0:
            return None
        best: tuple[float, int] | None = None
        for i in candidates[np.argsort(distances[candidates], kind="stable")][:20]:
            other = self._forms[i]
            score = 1.0 if other == form else overlap(form, other)
            if score >= self.min_overlap and self._compatible(form, other):
                if best is None or score > best[0]:
                    best = (score, int(i))
                if score == 1.0:
                    break
        return None if best is None else self._refs[best[1]]

    def add(self, form: str, value: int, ref: Ref) -> None:
        n = len(self._refs)
        if n == len(self._hashes):
            self._hashes = np.concatenate([self._hashes, np.zeros(n, dtype=np.uint64)])
        self._hashes[n] = np.uint64(value)
        self._forms.append(form)
        self._refs.append(ref)
