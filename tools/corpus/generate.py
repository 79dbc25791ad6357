"""Regenerate the labeled corpus, or print its distribution.

    python -m tools.corpus              # rewrites yuqing/nlp/corpus/posts.csv, prints the tables
    python -m tools.corpus --stats      # prints the tables of the existing posts.csv
    python -m tools.corpus --out X.csv  # writes elsewhere (the byte-identity test does this)

NOT part of the build: the committed posts.csv is the dataset. Deterministic (fixed seeds, no
network, no clock): with unchanged fragments the output is byte-identical to the committed file.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

from tools.corpus.build import SlotError, build, write
from tools.corpus.fragments import FragmentError, load_fragments
from tools.corpus.handwritten import HandwrittenError
from tools.corpus.stats import stats

REPO = Path(__file__).resolve().parents[2]
POSTS = REPO / "yuqing" / "nlp" / "corpus" / "posts.csv"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tools.corpus", description=__doc__.split("\n")[0])
    ap.add_argument(
        "--stats", action="store_true", help="print the distribution of the existing posts.csv"
    )
    ap.add_argument("--out", type=Path, default=POSTS, help="where to write (default: %(default)s)")
    args = ap.parse_args(argv)
    if args.stats:
        with args.out.open(encoding="utf-8", newline="") as fh:
            sys.stdout.write(stats(list(csv.DictReader(fh))) + "\n")
        return 0
    try:
        rows = build(load_fragments())
    except (FragmentError, HandwrittenError, SlotError) as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    write(rows, args.out)
    sys.stdout.write(stats([r.csv_fields() for r in rows]) + "\n")
    composed = sum(not r.source.startswith("hand") for r in rows)
    sys.stdout.write(
        f"\ncomposed by the generator: {composed} of {len(rows)} posts "
        f"({composed / len(rows):.1%}); written one by one: {len(rows) - composed}\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
