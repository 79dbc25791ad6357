"""The search of bench/scale alone, timed: ``一刀切 AND (餐饮 OR 烧烤)``, 50 newest, a warm-up
then ``--runs`` runs; prints the median and a digest of the ids found (equal digests: the same
hits in the same order).

    python bench/scale/search_time.py --runs 7   # against YUQING_SCALE_URL

Only reads, so another version can be compared in the same session on the same database
(issue 15, migration 0016): ``git archive main | tar -x -C /tmp/main``, then
``PYTHONPATH=/tmp/main python bench/scale/search_time.py`` (main's search ignores
``posts_fts.published_at``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import time

from yuqing.nlp.rules import compile_expression
from yuqing.store.search import search
from yuqing.store.session import Database

SEARCH = "一刀切 AND (餐饮 OR 烧烤)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=os.environ.get("YUQING_SCALE_URL"))
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    db = Database(args.url)
    expr = compile_expression(SEARCH)
    times, ids = [], ""
    for _ in range(args.runs + 1):
        with db.session() as s:
            started = time.perf_counter()
            found = search(s, expr, limit=50)
            times.append((time.perf_counter() - started) * 1000)
        ids = hashlib.sha1(str([h.post_id for h in found.hits]).encode()).hexdigest()[:12]
    db.dispose()
    out = {
        "median_ms": round(statistics.median(times[1:]), 1),
        "runs_ms": [round(t, 1) for t in times],
        "hits": len(found.hits),
        "ids": ids,
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
