"""Scores of predicted tags against labels: P/R/F1 per flag, sector macro-F1 and confusion
matrix, district accuracy. Plain Python so the numbers are easy to check by hand."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from yuqing.nlp.corpus import FLAGS, SECTORS


@dataclass
class BinaryScore:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def support(self) -> int:
        return self.tp + self.fn

    def add(self, truth: bool, pred: bool) -> None:
        if truth and pred:
            self.tp += 1
        elif pred:
            self.fp += 1
        elif truth:
            self.fn += 1
        else:
            self.tn += 1

    def summary(self) -> dict[str, float | int]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "support": self.support,
            **asdict(self),
        }


@dataclass(frozen=True)
class Miss:
    """One wrong tag: a false positive (or a wrong sector) or a false negative, with the
    tagger's score for it and its evidence."""

    tag: str
    kind: str  # "FP", "FN", or "true→predicted" for sector
    id: str
    score: float
    evidence: str
    title: str


def worst_misses(
    ids: Sequence[str],
    titles: Sequence[str],
    truths: Sequence[dict[str, Any]],
    preds: Sequence[dict[str, Any]],
    scores: Sequence[dict[str, float]],
    evidence: Sequence[dict[str, str]],
    limit: int = 10,
) -> list[Miss]:
    """Per tag, the ``limit`` false positives with the highest score and the ``limit`` false
    negatives with the lowest (sector: the wrong sectors given with the highest score)."""
    out: list[Miss] = []
    for tag in (*FLAGS, "sector"):
        fp, fn = [], []
        for k, (t, p) in enumerate(zip(truths, preds, strict=True)):
            if tag not in t or tag not in p:
                continue
            if tag == "sector":
                if t[tag] != p[tag]:
                    fp.append(
                        Miss(
                            tag,
                            f"{t[tag]}→{p[tag]}",
                            ids[k],
                            scores[k][tag],
                            evidence[k].get(tag, ""),
                            titles[k],
                        )
                    )
            elif bool(p[tag]) and not t[tag]:
                fp.append(
                    Miss(tag, "FP", ids[k], scores[k][tag], evidence[k].get(tag, ""), titles[k])
                )
            elif t[tag] and not p[tag]:
                fn.append(
                    Miss(tag, "FN", ids[k], scores[k][tag], evidence[k].get(tag, ""), titles[k])
                )
        out += sorted(fp, key=lambda m: -m.score)[:limit]
        out += sorted(fn, key=lambda m: m.score)[:limit]
    return out


@dataclass
class Evaluation:
    n: int = 0
    flags: dict[str, BinaryScore] = field(default_factory=dict)
    sector_labels: list[str] = field(default_factory=lambda: list(SECTORS))
    confusion: list[list[int]] = field(default_factory=list)  # [true][pred]
    district_correct: int = 0
    district_n: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    worst: list[Miss] = field(default_factory=list)  # the most confident errors per tag

    def sector_scores(self) -> dict[str, BinaryScore]:
        out = {}
        for i, s in enumerate(self.sector_labels):
            tp = self.confusion[i][i]
            fn = sum(self.confusion[i]) - tp
            fp = sum(row[i] for row in self.confusion) - tp
            out[s] = BinaryScore(tp=tp, fp=fp, fn=fn)
        return out

    @property
    def sector_macro_f1(self) -> float:
        scores = [s for s in self.sector_scores().values() if s.support or s.fp]
        return sum(s.f1 for s in scores) / len(scores) if scores else 0.0

    @property
    def sector_weighted_f1(self) -> float:
        """F1 per sector weighted by its support: steadier than the macro figure where some
        sectors have a handful of posts (realdev: 2 to 335, issue 11)."""
        scores = self.sector_scores().values()
        total = sum(s.support for s in scores)
        return sum(s.f1 * s.support for s in scores) / total if total else 0.0

    @property
    def sector_accuracy(self) -> float:
        total = sum(map(sum, self.confusion))
        hits = sum(self.confusion[i][i] for i in range(len(self.sector_labels)))
        return hits / total if total else 0.0

    @property
    def district_accuracy(self) -> float:
        return self.district_correct / self.district_n if self.district_n else 0.0

    def headline(self) -> dict[str, float]:
        """The figures the quality gate pins."""
        out = {f"{t}_f1": round(s.f1, 4) for t, s in self.flags.items()}
        if self.confusion:
            out["sector_macro_f1"] = round(self.sector_macro_f1, 4)
        if self.district_n:
            out["district_accuracy"] = round(self.district_accuracy, 4)
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "headline": self.headline(),
            "flags": {t: s.summary() for t, s in self.flags.items()},
            "sector": {s: b.summary() for s, b in self.sector_scores().items()}
            if self.confusion
            else {},
            "confusion": {"labels": self.sector_labels, "matrix": self.confusion},
        }


def evaluate(
    truths: Sequence[dict[str, Any]],
    preds: Sequence[dict[str, Any]],
    ids: Sequence[str] | None = None,
    keep_errors: int = 200,
) -> Evaluation:
    """Score ``preds`` against ``truths`` (dicts of tag -> value; missing tags are skipped)."""
    ev = Evaluation(n=len(truths))
    index = {s: i for i, s in enumerate(ev.sector_labels)}
    have_sector = any("sector" in t for t in truths)
    if have_sector:
        ev.confusion = [[0] * len(index) for _ in index]
    for k, (t, p) in enumerate(zip(truths, preds, strict=True)):
        wrong: dict[str, Any] = {}
        for tag in FLAGS:
            if tag in t:
                ev.flags.setdefault(tag, BinaryScore()).add(bool(t[tag]), bool(p[tag]))
                if bool(t[tag]) != bool(p[tag]):
                    wrong[tag] = (int(bool(t[tag])), int(bool(p[tag])))
        if "sector" in t:
            ev.confusion[index[t["sector"]]][index[p["sector"]]] += 1
            if t["sector"] != p["sector"]:
                wrong["sector"] = (t["sector"], p["sector"])
        if "district" in t:
            ev.district_n += 1
            if (t["district"] or None) == (p["district"] or None):
                ev.district_correct += 1
            else:
                wrong["district"] = (t["district"] or "", p["district"] or "")
        if wrong and len(ev.errors) < keep_errors:
            ev.errors.append({"id": ids[k] if ids else str(k), **wrong})
    for tag in FLAGS:  # report present flags in a stable order
        if tag in ev.flags:
            ev.flags[tag] = ev.flags.pop(tag)
    return ev
