"""Evidence on real text: are the terms officers see as 证据 words, or model fragments?

    python -m bench.evidence --data ../shared/data [--data-dir var] [--limit N]

Tags realdev (../shared/data/realdev/realdev.csv, real messages) with the built model and
compares, for the posts tagged shutdown, blanket or complaint, the evidence items a message or
digest lists:

- baseline (same run): every string of the stored evidence, the model's features included,
  at most 8 per post (what ``outbox_rows.evidence_terms`` listed before issue 13);
- now: :func:`yuqing.alerts.evidence.matched_terms` (matched terms and phrases only).

An item is a *word* when it is a cue-lexicon term, a domain-lexicon word, a district or place
name of the gazetteer, or a word of two or more characters in jieba's dictionary; anything else
(``23``, ``们那``, ``关停:imposed/business``) is a *fragment*. Prints items per post, the share
of words, of lexicon entries, of items that read in the post, and of posts with at least one
item, now against the baseline. realdev is a
development set: measure on it, never train on it.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import Counter
from pathlib import Path
from typing import Any

BASELINE_LIMIT = 8


def read_realdev(data: Path, limit: int | None) -> list[tuple[str, str]]:
    path = data / "realdev" / "realdev.csv"
    if not path.exists():
        sys.exit(f"{path}: not found (give --data, the shared data directory)")
    with path.open(encoding="utf-8", newline="") as f:
        rows = [(r["title"], r["text"]) for r in csv.DictReader(f)]
    return rows[:limit] if limit else rows


def baseline_items(evidence: Any) -> list[str]:
    """Every string in the stored evidence, features included (the listing before issue 13)."""
    from yuqing.alerts.crawled_text import evidence_terms

    return evidence_terms(evidence, BASELINE_LIMIT, 20)


def vocabulary(place_names: set[str]) -> tuple[set[str], dict[str, int]]:
    """(lexicon words: cues, domain words, place names; jieba's dictionary frequencies)."""
    from importlib import resources

    import jieba

    from yuqing.nlp.cues import load_cues

    lexicon = {t for terms in load_cues().values() for t in terms}
    domain = resources.files("yuqing.nlp.lexicon").joinpath("domain.txt").read_text("utf-8")
    lexicon |= {line.split()[0] for line in domain.splitlines() if line.strip()}
    lexicon |= place_names
    tok = jieba.Tokenizer()
    tok.initialize()
    return lexicon, tok.FREQ


def is_word(item: str, lexicon: set[str], freq: dict[str, int]) -> bool:
    return item in lexicon or (len(item) >= 2 and freq.get(item, 0) > 0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--config", type=Path, default=None, help="config directory (default: shipped)")
    ap.add_argument("--data-dir", type=Path, default=None, help="where the model is (default: var)")
    ap.add_argument("--limit", type=int, default=None, help="only the first N rows (smoke runs)")
    ap.add_argument("--examples", type=int, default=12, help="most frequent fragments to print")
    args = ap.parse_args()

    from yuqing.alerts.evidence import matched_terms
    from yuqing.config import load
    from yuqing.nlp.build import build_tagger, tagger_path
    from yuqing.nlp.loader import load_tagger

    overrides = {"data_dir": str(args.data_dir)} if args.data_dir else {}
    config = load(args.config, overrides=overrides, env={})
    items = read_realdev(args.data, args.limit)
    if not tagger_path(config).exists():
        print(f"no model under {config.settings.data_dir}: building it (yuqing nlp train)")
        build_tagger(config)
    tagger = load_tagger(config, build_if_missing=False)
    records = tagger.tag_many(items)
    gaz = config.gazetteer
    places = {n for d in gaz.districts for n in d.names()} | {gaz.city, *gaz.city_aliases}
    lexicon, freq = vocabulary(places)

    runs: dict[str, list[list[str]]] = {"baseline": [], "now": []}
    docs: list[str] = []
    for (title, text), rec in zip(items, records, strict=True):
        if not (rec.shutdown or rec.blanket or rec.complaint):
            continue
        docs.append(f"{title}\n{text}")
        runs["baseline"].append(baseline_items(rec.evidence))
        runs["now"].append(matched_terms(rec.evidence, f"{title}\n{text}"))
    posts = len(runs["now"])
    print(f"realdev: {len(items)} posts, {posts} tagged shutdown/blanket/complaint")
    print(
        f"{'':10} {'items':>6} {'per post':>9} {'words':>6} {'share':>6} {'lexicon':>8}"
        f" {'in text':>8} {'posts w/ item':>14}"
    )
    shares: dict[str, float] = {}
    for name, lists in runs.items():
        flat = [i for lst in lists for i in lst]
        words = sum(is_word(i, lexicon, freq) for i in flat)
        in_lexicon = sum(i in lexicon for i in flat) / len(flat) if flat else 0.0
        in_text = sum(i in doc for lst, doc in zip(lists, docs, strict=True) for i in lst)
        in_text_share = in_text / len(flat) if flat else 0.0
        shares[name] = words / len(flat) if flat else 0.0
        with_item = sum(1 for lst in lists if lst) / posts if posts else 0.0
        per_post = len(flat) / posts if posts else 0.0
        print(
            f"{name:10} {len(flat):6d} {per_post:9.2f} {words:6d} {shares[name]:6.3f}"
            f" {in_lexicon:8.3f} {in_text_share:8.3f} {with_item:14.3f}"
        )
        fragments = Counter(i for i in flat if not is_word(i, lexicon, freq))
        common = "、".join(f"{k}×{n}" for k, n in fragments.most_common(args.examples))
        print(f"{'':10} fragments: {common or '—'}")
    if shares["baseline"]:
        print(f"word share now / baseline: {shares['now'] / shares['baseline']:.3f}")


if __name__ == "__main__":
    main()
