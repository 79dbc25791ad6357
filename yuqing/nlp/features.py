"""From a post to a feature vector: normalization, jieba words, character n-grams, cue counts.

Feature names carry a prefix — ``w:`` word, ``b:`` word bigram, ``c:`` character n-gram,
``t:`` title word, ``k:`` cue category — and are mapped to columns by a :class:`Vocabulary`
(kept with the model as a plain array of strings, weighted TF-IDF with sublinear counts).
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from scipy import sparse

from yuqing.nlp.context import Context, read_context
from yuqing.nlp.cues import CueHit, CueMatcher
from yuqing.nlp.normalize import normalize_for_matching
from yuqing.nlp.segment import Segmenter

# Bump when the meaning of a feature name changes: models built before refuse to load.
# 2: context features (k:ctx.…, issue 11); 3, 4: context rules that change their values;
# 5: sector cues of the title (k:t.sector.…) and the sector lexicon of real appeals;
# 6: a request clause and joined verbs read as demanded / feared (issue 11, shutdown 2nd pass).
# 7: the sector lexicon of factories, backyard workshops and markets; sector terms inside a
#    village or town name dropped (issue 11, sector 3rd pass).
# 7: decisions, orders received, told passives and urged stops in the modality (shutdown 3rd pass).
# 8: the longest cue term names the sector (违章建筑 urban_management only), no_trade words
#    (五矿, 矿泉水), sand washing, wholesale markets and 占路 as sector cues, farms named in full
#    instead of a bare 鸭 / 鹅, 特色农业 / 特色产业 instead of 特色, 食府 / 烟道 / 排烟, 制造 only
#    as a manufacturer (issue 11, sector 4th pass).
FEATURE_VERSION = 8
_JUNK = re.compile(r"^[\W\d_]+$")  # punctuation, digits, symbols: not useful as words
_SPACE = re.compile(r"\s+")
MAX_TITLE = 500  # longer titles are tagged on their first MAX_TITLE characters


@dataclass(frozen=True)
class FeatureConfig:
    words: bool = True
    word_bigrams: bool = True
    char_ngrams: tuple[int, ...] = (2, 3)
    cues: bool = True
    title_words: bool = True
    hmm: bool = False  # measured: no loss on dev, 1.5x faster segmentation
    min_df: int = 5  # issue 11: 5 keeps the model small (load < 2 s) on the 4,895-post corpus
    cue_weight: float = 0.0  # weight of a cue feature next to the unit-length text features
    # (0: cue features are TF-IDF weighted and normalized together with the text features)
    tag_cues: bool = False  # each tag sees only the cue categories that bear on it
    licensed_cue_boost: float = 2.0  # licensed is rare: its cue columns count this much more
    max_chars: int = 10000  # longer posts are tagged on their first max_chars characters
    context: bool = True  # the event around each shutdown cue (yuqing.nlp.context), issue 11
    # Longer texts are scored in parts of about this many characters, cut at sentence ends,
    # each with the title (the corpus the models learn from is of that length); 0: whole.
    part_chars: int = 300
    # Sector cue terms found in the title also count as ``k:t.sector.…`` (issue 11): the
    # subject line of a real appeal names its trade (麻将馆扰民, 违章搭建), its long body
    # drowns it in the shared vector.
    title_sector_cues: bool = True
    # The sector model sees its own cue columns (body and title) this much more: in a long
    # letter they are a few columns among hundreds (issue 11, yuqing/nlp/README.md).
    sector_cue_boost: float = 2.0

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["char_ngrams"] = list(self.char_ngrams)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FeatureConfig:
        return cls(**{**data, "char_ngrams": tuple(data.get("char_ngrams", ()))})


@dataclass
class Analysis:
    original: str  # title + "\n" + text (truncated)
    norm: str  # its normalized form (same length in the common case)
    title_len: int
    cues: list[CueHit] = field(default_factory=list)
    features: list[str] = field(default_factory=list)
    # the features as (prefix, values), each feature prefix + value (Featurizer.analyze)
    groups: list[tuple[str, list[str]]] = field(default_factory=list)
    tokens: list[str] | None = None  # the segmenter's tokens of ``norm`` (None: not segmented)
    whole: bool = True  # False: title or text was cut to the featurizer's limits
    context: Context | None = None  # the shutdown events read from the cues' surroundings


_SENTENCE_END = re.compile(r"(?<=[。！？!?；;\n])")


def split_parts(text: str, size: int) -> list[str]:
    """``text`` in consecutive parts of at most about ``size`` characters, cut after sentence
    ends (a sentence longer than 1.5 × size is cut where it must); joined they are ``text``."""
    if size <= 0 or len(text) <= size:
        return [text]
    out: list[str] = []
    cur = ""
    for sentence in _SENTENCE_END.split(text):
        if cur and len(cur) + len(sentence) > size:
            out.append(cur)
            cur = ""
        cur += sentence
        while len(cur) > size * 3 // 2:
            out.append(cur[:size])
            cur = cur[size:]
    if cur:
        if cur.strip() or not out:
            out.append(cur)
        else:
            out[-1] += cur
    return out


def merge(parts: Sequence[Analysis]) -> Analysis:
    """One analysis of a post from those of its parts (each analysed with the title): the
    title once, the texts joined; cues and context findings of every part (offsets are those
    within each part); no feature strings."""
    first = parts[0]
    if len(parts) == 1:
        return first
    cut = first.title_len + 1
    tokens: list[str] | None = list(first.tokens) if first.tokens is not None else None
    for p in parts[1:]:
        if tokens is not None and p.tokens is not None:
            nl = next((i for i, w in enumerate(p.tokens) if "\n" in w), -1)
            tokens += p.tokens[nl + 1 :] if nl >= 0 else p.tokens
        else:
            tokens = None
    ctx = None
    if first.context is not None:
        ctx = Context(
            triggers=[t for p in parts if p.context for t in p.context.triggers],
            collective=any(p.context.collective for p in parts if p.context),
            timing=any(p.context.timing for p in parts if p.context),
            mixed_licence=any(p.context.mixed_licence for p in parts if p.context),
            title_event=any(p.context.title_event for p in parts if p.context),
            length=sum(len(p.norm) for p in parts),
        )
    return Analysis(
        original=first.original + "".join(p.original[cut:] for p in parts[1:]),
        norm=first.norm + "".join(p.norm[cut:] for p in parts[1:]),
        title_len=first.title_len,
        cues=[h for p in parts for h in p.cues],
        tokens=tokens,
        whole=all(p.whole for p in parts),
        context=ctx,
    )


class Featurizer:
    def __init__(self, config: FeatureConfig, segmenter: Segmenter, cues: CueMatcher) -> None:
        self.config = config
        self.segmenter = segmenter
        self.cue_matcher = cues

    def analyze_parts(self, title: str, text: str, strings: bool = True) -> list[Analysis]:
        """The analyses of a post's parts (:func:`split_parts`, each with the title); one part
        for a text of up to ``part_chars`` characters. ``strings``: as in :meth:`analyze`."""
        text = text or ""
        cut = len(text) > self.config.max_chars
        text = text[: self.config.max_chars]
        parts = [
            self.analyze(title, part, strings) for part in split_parts(text, self.config.part_chars)
        ]
        if cut:
            for p in parts:
                p.whole = False
        return parts

    def analyze(self, title: str, text: str, strings: bool = True) -> Analysis:
        """A post's analysis. Its features are ``groups`` (prefix, values); with ``strings``
        also spelled out in ``features`` (prefix + value each, what a model is trained on).
        The tagger looks the groups up (:meth:`Vocabulary.group_columns`) without them."""
        cfg = self.config
        title, text = title or "", text or ""
        whole = len(title) <= MAX_TITLE and len(text) <= cfg.max_chars
        if not whole:
            title, text = title[:MAX_TITLE], text[: cfg.max_chars]
        original = f"{title}\n{text}"
        norm = normalize_for_matching(original)
        a = Analysis(original, norm, len(title), whole=whole)
        groups = a.groups
        compact = _SPACE.sub(" ", norm)
        if cfg.words or cfg.word_bigrams or cfg.title_words:
            tokens = a.tokens = self.segmenter.tokens(norm)
            words = [w for w in tokens if not _JUNK.match(w)]
            if cfg.words:
                groups.append(("w:", words))
            if cfg.word_bigrams:
                groups.append(("b:", [a_ + "|" + b_ for a_, b_ in itertools.pairwise(words)]))
            if cfg.title_words and title.strip():
                # the title is the text before the first newline token
                end = next((i for i, w in enumerate(tokens) if "\n" in w), len(tokens))
                groups.append(("t:", [w for w in tokens[:end] if not _JUNK.match(w)]))
        for n in cfg.char_ngrams:
            groups.append(("c:", [compact[i : i + n] for i in range(len(compact) - n + 1)]))
        if cfg.cues:
            feats: list[str] = []  # whole feature names (group prefix "")
            groups.append(("", feats))
            a.cues = self.cue_matcher.find(original, norm)
            feats += ["k:" + c for hit in a.cues for c in hit.categories]
            if cfg.title_sector_cues:
                feats += [
                    "k:t." + c
                    for hit in a.cues
                    if hit.end <= a.title_len
                    for c in hit.categories
                    if c.startswith("sector.")
                ]
            feats += interactions(a.cues)
            if cfg.context:
                a.context = read_context(norm, a.cues, len(title))
                feats += a.context.features()
        if strings:
            a.features = [prefix + v for prefix, values in groups for v in values]
        return a


# Pairs of cue categories whose co-occurrence (k:a&b) and proximity within NEAR characters
# (k:a~b) are features of their own: a linear model cannot express "both" by itself.
INTERACTIONS = (
    ("blanket", "shutdown"),
    ("many", "shutdown"),
    ("licensed", "shutdown"),
    ("licensed", "blanket"),
    ("demanded", "shutdown"),
    ("not_enforced", "shutdown"),
    ("stalled", "shutdown"),
    ("own_decision", "shutdown"),
    ("official", "shutdown"),
    ("ban_news", "blanket"),
    ("other_context", "blanket"),
    ("unlicensed", "permits"),
    ("complaint", "shutdown"),
)
NEAR = 12


def interactions(hits: Sequence[CueHit]) -> list[str]:
    spans: dict[str, list[tuple[int, int]]] = {}
    for h in hits:
        for c in h.categories:
            spans.setdefault(c, []).append((h.start, h.end))
    out = []
    for a, b in INTERACTIONS:
        sa, sb = spans.get(a), spans.get(b)
        if not sa or not sb:
            continue
        out.append(f"k:{a}&{b}")
        if any(max(b0 - a1, a0 - b1) <= NEAR for a0, a1 in sa[:50] for b0, b1 in sb[:50]):
            out.append(f"k:{a}~{b}")
    return out


class Vocabulary:
    """Feature name -> column, with a weight per column; fitted on training posts.

    Text features (words, n-grams) are weighted TF-IDF (sublinear counts) and L2-normalized
    together; cue features (``k:``, the first columns) keep a fixed weight outside that norm,
    so a cue counts as much in a long letter as in a short post.
    """

    def __init__(self, names: np.ndarray, weights: np.ndarray, cues_apart: bool = True) -> None:
        self.idf = weights
        self.cues_apart = cues_apart
        self.n_cues = int(np.char.startswith(names.astype(str), "k:").sum()) if len(names) else 0
        self._n = len(names)
        self._dtype = names.dtype
        # One index of the columns, by prefix then value (``group_columns``). The names array
        # and the whole-name ``index`` are rebuilt from it when asked for (training, saving,
        # ``columns``): the tagger never needs them, and they held ~14 MB of its memory.
        by_prefix: dict[str, dict[str, int]] = {}
        for j, name in enumerate(names.tolist()):
            prefix, sep, value = name.partition(":")
            if not sep:  # not a prefixed name: indexed whole, under no prefix
                prefix, value = "", name
            by_prefix.setdefault(prefix + sep, {})[value] = j
        self._by_prefix = by_prefix
        # kept only if the index cannot give it back (a name repeated)
        self._names = None if sum(map(len, by_prefix.values())) == self._n else names
        self._index: dict[str, int] | None = None

    @property
    def names(self) -> np.ndarray:
        """The feature names, column by column (an array of strings, as saved)."""
        if self._names is not None:
            return self._names
        out = [""] * self._n
        for prefix, table in self._by_prefix.items():
            for value, j in table.items():
                out[j] = prefix + value
        return np.array(out, dtype=self._dtype)

    def cue_names(self) -> list[str]:
        """The names of the first :attr:`n_cues` columns (the cue features)."""
        if self._names is not None:
            return [str(n) for n in self._names[: self.n_cues]]
        out = [""] * self.n_cues
        for prefix, table in self._by_prefix.items():
            for value, j in table.items():
                if j < self.n_cues:
                    out[j] = prefix + value
        return out

    @property
    def index(self) -> dict[str, int]:
        """Feature name -> column (built on first use)."""
        if self._index is None:
            self._index = {str(n): i for i, n in enumerate(self.names.tolist())}
        return self._index

    def column(self, name: str) -> int | None:
        """The column of feature ``name`` (None: not in the vocabulary), without ``index``."""
        prefix, sep, value = name.partition(":")
        if not sep:
            prefix, value = "", name
        table = self._by_prefix.get(prefix + sep)
        return None if table is None else table.get(value)

    @classmethod
    def fit(cls, docs: Sequence[Sequence[str]], min_df: int, cue_weight: float = 0.5) -> Vocabulary:
        df: dict[str, int] = {}
        for doc in docs:
            for f in set(doc):
                df[f] = df.get(f, 0) + 1
        cues = sorted(f for f in df if f.startswith("k:"))
        text = sorted(f for f, n in df.items() if n >= min_df and not f.startswith("k:"))
        n = len(docs)
        idf = [math.log((1 + n) / (1 + df[f])) + 1.0 for f in text]
        if cue_weight > 0:
            weights = [cue_weight] * len(cues) + idf
        else:  # cues inside the norm, weighted like any feature
            weights = [math.log((1 + n) / (1 + df[f])) + 1.0 for f in cues] + idf
        names = np.array(cues + text, dtype=np.str_)
        return cls(names, np.array(weights, dtype=np.float64), cue_weight > 0)

    def __len__(self) -> int:
        return self._n

    def columns(self, doc: Sequence[str]) -> np.ndarray:
        """The columns of a post's features (repeated as often as the feature occurs)."""
        get = self.index.get
        return np.array([j for j in map(get, doc) if j is not None], dtype=np.int32)

    def group_columns(self, groups: Sequence[tuple[str, Sequence[str]]]) -> np.ndarray:
        """:meth:`columns` of the features ``prefix + value`` of ``groups`` (Analysis.groups)
        without spelling them out: each prefix has its own index of values."""
        by_prefix = self._by_prefix
        out: list[int] = []
        for prefix, values in groups:
            get = by_prefix.get(prefix, {}).get if prefix else self.column
            out += [j for j in map(get, values) if j is not None]
        return np.array(out, dtype=np.int32)

    def transform(self, docs: Sequence[Sequence[str]]) -> sparse.csr_matrix:
        return self.matrix([self.columns(doc) for doc in docs])

    def matrix(self, rows: Sequence[np.ndarray]) -> sparse.csr_matrix:
        """The weighted, normalized matrix of posts given by their feature columns."""
        indptr = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum([len(r) for r in rows], out=indptr[1:])
        cols = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int32)
        x = sparse.csr_matrix(
            (np.ones(len(cols), dtype=np.float64), cols.astype(np.int32, copy=False), indptr),
            shape=(len(rows), self._n),
        )
        x.sum_duplicates()
        data = x.data
        np.log(data, out=data)
        data += 1.0
        data *= self.idf[x.indices]
        text = x.indices >= self.n_cues if self.cues_apart else np.ones(len(data), dtype=bool)
        row_of = np.repeat(np.arange(x.shape[0]), np.diff(x.indptr))
        sq = np.bincount(row_of[text], weights=data[text] ** 2, minlength=x.shape[0])
        norms = np.sqrt(sq)
        norms[norms == 0] = 1.0
        data[text] /= norms[row_of[text]]
        return x

    def readable_values(self) -> list[str | None]:
        """:meth:`readable` of every column's name, in column order, sharing the index's value
        strings where the text is the value itself (no ``|``)."""
        if self._names is not None:
            return [Vocabulary.readable(n) for n in self._names.tolist()]
        out: list[str | None] = [None] * self._n
        for prefix, table in self._by_prefix.items():
            for value, j in table.items():
                if prefix == "k:":
                    out[j] = None
                elif prefix:
                    out[j] = value.replace("|", "")
                else:  # no prefix: readable() reads the whole name as the kind
                    out[j] = None if value == "k" else ""
        return out

    @staticmethod
    def readable(name: str) -> str | None:
        """The text a feature stands for (None for cue categories)."""
        kind, _, value = name.partition(":")
        if kind == "k":
            return None
        return value.replace("|", "")
