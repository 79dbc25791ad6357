"""Quick same-run figures for the issue 15 fixes: a primary-key read (the baseline), the
search, the sources' health (from the ``source_daily`` rollup, and counted from the posts as
before it), and ``evaluate`` per 1,000 new posts (a warm-up round, then 3).

    python -m bench.scale.rounds [--without-health-index] [--seed N] [--profile out.prof]
    # against the database YUQING_SCALE_URL names

To compare with another version in the same run, run this file with that version's tree on
PYTHONPATH (``git archive main | tar -x -C /tmp/main``, then ``PYTHONPATH=/tmp/main python
bench/scale/rounds.py --without-health-index``); ``--without-health-index`` drops
``ix_posts_published_source`` inside the timed transaction (rolled back), as before 0011.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import statistics
import time
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select, text

from bench.scale.measure import END, SEARCH, TZ, Ingest, reset_cursor, timed
from yuqing.alerts.evaluate import evaluate
from yuqing.app.web import stats
from yuqing.config import load
from yuqing.nlp.rules import compile_expression
from yuqing.store.models import Post
from yuqing.store.search import search
from yuqing.store.session import Database


def run(
    url: str, seed: int, without_health_index: bool, profile: str | None = None
) -> dict[str, Any]:
    db = Database(url)
    last = (END - timedelta(days=1)).astimezone(TZ).date()
    month = stats.DateRange(last - timedelta(days=29), last)
    expr = compile_expression(SEARCH)

    def pk() -> Any:
        with db.engine.connect() as c:
            q = "SELECT * FROM posts WHERE id = (SELECT max(id) / 2 FROM posts)"
            return c.execute(text(q)).all()

    def found() -> list[int]:
        with db.session() as s:
            return [h.post_id for h in search(s, expr, limit=50).hits]

    def health() -> list[tuple[int, int]]:
        with db.session() as s:
            if without_health_index:
                s.execute(text("DROP INDEX ix_posts_published_source"))
            rows = stats.sources_health(s, month, TZ)
            s.rollback()
            return sorted((r.id, r.items_in_range) for r in rows)

    def health_from_posts() -> list[tuple[int, int]]:
        """The month's posts per source counted from the posts (the dashboard before 0014)."""
        lo, hi = month.bounds(TZ)
        with db.session() as s:
            q = (
                select(Post.source_id, func.count())
                .where(Post.published_at >= lo, Post.published_at < hi)
                .group_by(Post.source_id)
            )
            return sorted((int(i), int(n)) for i, n in s.execute(q))

    out: dict[str, Any] = {}
    out["pk_ms"], _ = timed(pk)
    out["search_ms"], hits = timed(found)
    out["search_first_ids"] = hits[:5]
    out["health_ms"], counts = timed(health)
    out["health_posts"] = sum(n for _, n in counts)
    out["health_from_posts_ms"], direct = timed(health_from_posts)
    out["health_same_counts"] = direct == [c for c in counts if c[1]]
    cfg = load(env={})
    reset_cursor(db)
    ingest = Ingest(db, seed=seed)
    rounds = []
    profiler = cProfile.Profile() if profile else None
    for i in range(4):
        ingest.batch(500)
        ingest.batch(500)
        t, cpu = time.perf_counter(), time.process_time()
        if profiler is not None and i:
            profiler.enable()
        res = evaluate(cfg, db)
        if profiler is not None:
            profiler.disable()
        if i:  # the first round is a warm-up (a scheduler that has run before)
            wall, cpu = time.perf_counter() - t, time.process_time() - cpu
            rounds.append((round(wall, 2), round(cpu, 2), res.posts_scanned))
    if profiler is not None and profile:
        profiler.dump_stats(profile)
    out["evaluate_rounds"] = rounds  # (wall s, this process's CPU s, posts read)
    out["evaluate_s_per_1000_new"] = statistics.median(r[0] for r in rounds)
    out["evaluate_cpu_s_per_1000_new"] = statistics.median(r[1] for r in rounds)
    for key in ("search_ms", "health_ms", "health_from_posts_ms"):
        out[key.replace("_ms", "_x_pk")] = round(out[key] / out["pk_ms"], 1)
    db.dispose()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=int(time.time()) % 100_000)
    ap.add_argument("--without-health-index", action="store_true")
    ap.add_argument("--profile", metavar="PATH", help="cProfile the timed evaluate rounds")
    args = ap.parse_args()
    url = os.environ["YUQING_SCALE_URL"]
    print(json.dumps(run(url, args.seed, args.without_health_index, args.profile)), flush=True)


if __name__ == "__main__":
    main()
