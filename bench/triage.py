"""Triage bands on real text: what alerting pushes, what it sends to the 待研判 queue.

    python -m bench.triage --data ../shared/data [--suggest] [--max-triage 0.10]

Tags realdev (../shared/data/realdev/realdev.csv, 716 real messages labeled by hand) with the
built model (``yuqing nlp train`` writes it under the data dir) and reports, for shutdown and
blanket, against the baseline measured in the same run (the nlp thresholds, no triage: every
tagged post pushed):

- the precision of what is pushed (score >= high),
- the share of all posts sent to triage (low <= score < high),
- the recall of pushed + triaged (what reaches a person one way or the other).

``--suggest`` searches bands on realdev (steps of 0.01) with pushed precision >= 0.80
(``--min-precision``) and at most ``--max-triage`` of the posts in triage, and prints the one
with the best pushed + triaged recall (ties: less triage, then better pushed recall) — the
values to put in settings.yaml ``triage.bands``. When no ``high`` reaches the precision, the
suggestion pushes nothing (high 1.0: only a score of exactly 1 is pushed) and sends the most
likely posts to triage. realdev is a development set: measure on it,
never train on it.
"""

from __future__ import annotations

import argparse
import csv
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

FIELDS = ("shutdown", "blanket")


@dataclass
class Figures:
    pushed: int
    pushed_precision: float | None
    triaged_share: float
    recall: float  # pushed + triaged
    pushed_recall: float


def figures(scores: np.ndarray, gold: np.ndarray, low: float, high: float) -> Figures:
    pushed = scores >= high
    triaged = (scores >= low) & ~pushed
    positives = max(1, int(gold.sum()))
    n_pushed = int(pushed.sum())
    tp_pushed = int((pushed & gold).sum())
    return Figures(
        pushed=n_pushed,
        pushed_precision=tp_pushed / n_pushed if n_pushed else None,
        triaged_share=float(triaged.mean()) if len(scores) else 0.0,
        recall=int(((pushed | triaged) & gold).sum()) / positives,
        pushed_recall=tp_pushed / positives,
    )


def suggest(
    scores: np.ndarray, gold: np.ndarray, min_precision: float, max_triage: float
) -> tuple[float, float, Figures] | None:
    """The band with pushed precision >= min_precision and at most max_triage of the posts in
    triage that reaches the best pushed + triaged recall."""
    grid = [round(x, 2) for x in np.arange(0.0, 1.0001, 0.01)]
    best: tuple[tuple[float, float, float, float], float, float, Figures] | None = None
    for hi_i, high in enumerate(grid):
        if high == 0.0:
            continue
        f_hi = figures(scores, gold, high, high)
        if f_hi.pushed_precision is not None and f_hi.pushed_precision < min_precision:
            continue  # (nothing pushed — high above every score — meets the target vacuously)
        for low in grid[:hi_i]:
            f = figures(scores, gold, low, high)
            if f.triaged_share > max_triage:
                continue
            key = (f.recall, -f.triaged_share, f.pushed_recall, high)
            if best is None or key > best[0]:
                best = (key, low, high, f)
    if best is None:
        return None
    return best[1], best[2], best[3]


def read_realdev(
    data: Path, limit: int | None
) -> tuple[list[tuple[str, str]], dict[str, np.ndarray]]:
    path = data / "realdev" / "realdev.csv"
    if not path.is_file():
        sys.exit(f"{path}: not found (give --data, the shared data directory)")
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    if limit:
        rows = rows[:limit]
    items = [(r["title"] or "", r["text"] or "") for r in rows]
    gold = {f: np.array([r[f].strip() == "1" for r in rows], dtype=bool) for f in FIELDS}
    return items, gold


def _pct(x: float | None) -> str:
    return "  n/a" if x is None else f"{x:5.2f}"


def _ratio(x: float | None, base: float | None) -> str:
    if x is None or not base:
        return "   n/a"
    return f"{x / base:5.2f}×"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--config", type=Path, default=None, help="config directory (default: shipped)")
    ap.add_argument("--data-dir", type=Path, default=None, help="where the model is (default: var)")
    ap.add_argument("--limit", type=int, default=None, help="only the first N rows (smoke runs)")
    ap.add_argument("--suggest", action="store_true", help="search bands on realdev and print them")
    ap.add_argument("--min-precision", type=float, default=0.80)
    ap.add_argument("--max-triage", type=float, default=0.10, help="largest share in triage")
    args = ap.parse_args()

    from yuqing.config import load
    from yuqing.nlp.build import build_tagger, tagger_path
    from yuqing.nlp.loader import load_tagger

    overrides = {"data_dir": str(args.data_dir)} if args.data_dir else {}
    config = load(args.config, overrides=overrides, env={})
    items, gold = read_realdev(args.data, args.limit)
    if not tagger_path(config).exists():
        print(f"no model under {config.settings.data_dir}: building it (yuqing nlp train)")
        build_tagger(config)
    tagger = load_tagger(config, build_if_missing=False)
    records = tagger.tag_many(items)
    scores = {
        "shutdown": np.array([r.shutdown_score for r in records]),
        "blanket": np.array([r.blanket_score for r in records]),
    }
    tagged = {
        "shutdown": np.array([r.shutdown for r in records], dtype=bool),
        "blanket": np.array([r.shutdown and r.blanket for r in records], dtype=bool),
    }
    triage = config.settings.triage
    print(f"realdev: {len(items)} posts, model {tagger.model_version}")
    print(
        f"{'tag':<9} {'bands':<13} {'pushed':>6} {'precision':>9} {'×base':>7} "
        f"{'triage':>7} {'recall p+t':>10} {'×base':>7}"
    )
    for name in FIELDS:
        g, s = gold[name], scores[name]
        positives = int(g.sum())
        base_n = int(tagged[name].sum())
        base_p = int((tagged[name] & g).sum()) / base_n if base_n else None
        base_r = int((tagged[name] & g).sum()) / max(1, positives)
        print(
            f"{name:<9} {'baseline':<13} {base_n:>6} {_pct(base_p):>9} {'1.00×':>7} "
            f"{0.0:>7.3f} {base_r:>10.2f} {'1.00×':>7}   ({positives} true)"
        )
        low, high = getattr(triage.bands, name)
        f = figures(s, g, low, high)
        print(
            f"{'':<9} {f'[{low:g}, {high:g})':<13} {f.pushed:>6} {_pct(f.pushed_precision):>9} "
            f"{_ratio(f.pushed_precision, base_p):>7} {f.triaged_share:>7.3f} "
            f"{f.recall:>10.2f} {_ratio(f.recall, base_r):>7}"
        )
    if not args.suggest:
        return
    print(
        f"\nsuggested bands (pushed precision >= {args.min_precision:g}, "
        f"triage <= {args.max_triage:.0%} of posts, best pushed + triaged recall):"
    )
    lines = []
    for name in FIELDS:
        found = suggest(scores[name], gold[name], args.min_precision, args.max_triage)
        if found is None:
            print(f"  {name}: no band reaches pushed precision {args.min_precision:g}")
            continue
        low, high, f = found
        print(
            f"  {name}: [{low:g}, {high:g}]  pushed {f.pushed} at precision "
            f"{_pct(f.pushed_precision).strip()}, triage {f.triaged_share:.3f}, "
            f"recall p+t {f.recall:.2f} (pushed alone {f.pushed_recall:.2f})"
        )
        lines.append(f"    {name}: [{low:g}, {high:g}]")
    if lines:
        print("\nsettings.yaml:\ntriage:\n  bands:\n" + "\n".join(lines))


if __name__ == "__main__":
    main()
