"""Measure a loaded database: dashboard and analyst queries, ingest while querying, evaluate per
1,000 new posts, a month's retention purge next to ingest, and the database size.

Times are medians in milliseconds and ratios to a baseline measured in the same run (a
primary-key read of one post: constant work, so the ratio shows what the size costs).
"""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import text

from bench.queries.generate import END, posts, tag_record
from yuqing.alerts.evaluate import CURSOR, evaluate
from yuqing.app.web import inbox, stats
from yuqing.config import load
from yuqing.nlp.rules import compile_expression
from yuqing.store import retention
from yuqing.store.posts import PostRecord, upsert_posts, upsert_tags
from yuqing.store.search import search
from yuqing.store.session import Database

TZ = ZoneInfo("Asia/Shanghai")
TARGET_MS = 200.0
SEARCH = "一刀切 AND (餐饮 OR 烧烤)"
BATCH = 500


def timed(fn: Callable[[], Any], repeat: int = 5) -> tuple[float, Any]:
    fn()  # warm caches
    times, value = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        value = fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), value


def reset_cursor(db: Database) -> None:
    """The alert cursor after every post so far: ``evaluate`` then sees no backlog."""
    with db.engine.begin() as c:
        c.execute(text("DELETE FROM alert_cursors WHERE name = :n"), {"n": CURSOR})
        c.execute(
            text(
                "INSERT INTO alert_cursors (name, tagged_at, last_id, updated_at) "
                "SELECT :n, now(), max(id), now() FROM post_tags"
            ),
            {"n": CURSOR},
        )


def _size(value: Any) -> str:
    if isinstance(value, dict):
        return f"{len(value)} keys"
    if isinstance(value, list | tuple):
        return f"{len(value)} rows"
    hits = getattr(value, "hits", None)
    if hits is not None:
        return f"{len(hits)} hits, {value.candidates} checked"
    return str(value)


class Ingest:
    """Posts through the store's real write path (upsert + tags + index), in batches."""

    def __init__(self, db: Database, seed: int) -> None:
        self.db = db
        self.seed = seed
        self.made = 0

    def batch(self, n: int = BATCH) -> list[int]:
        fakes = list(posts(n, 1, datetime.now(UTC), seed=self.seed * 1000 + self.made))
        tag = f"ingest{self.seed}-{self.made}-"
        self.made += 1
        with self.db.session() as s:
            result = upsert_posts(
                s,
                [
                    PostRecord(
                        "bench-ingest",
                        f"https://ingest.test/{tag}{p.key}",
                        p.title,
                        p.text,
                        p.published_at,
                        tag + p.key,
                        external_id=tag + p.key,
                    )
                    for p in fakes
                ],
            )
            upsert_tags(
                s,
                [
                    (
                        pid,
                        tag_record(p),
                    )
                    for pid, p in zip(result.ids, fakes, strict=True)
                ],
            )
            return list(result.ids)

    def run(self, n: int) -> tuple[float, list[float]]:
        """(posts per second, seconds per batch) for ``n`` posts."""
        started, lat = time.perf_counter(), []
        for _ in range(max(1, n // BATCH)):
            t = time.perf_counter()
            self.batch()
            lat.append(time.perf_counter() - t)
        return (max(1, n // BATCH) * BATCH) / (time.perf_counter() - started), lat


def measure(
    url: str, ingest_n: int, purge: bool = True, only_purge: bool = False, purge_days: int = 30
) -> dict[str, Any]:
    db = Database(url)
    if only_purge:
        figures = _purge(db, purge_days)
        db.dispose()
        return figures
    out: dict[str, Any] = {"at": datetime.now(UTC).isoformat(), "queries": {}}
    with db.engine.connect() as c:
        out["posts"] = c.execute(text("SELECT count(*) FROM posts")).scalar()
        some_id = c.execute(  # an existing post (loads leave gaps in the ids)
            text(
                "SELECT id FROM posts WHERE id >= (SELECT max(id) / 2 FROM posts) "
                "ORDER BY id LIMIT 1"
            )
        ).scalar()
        incident = c.execute(
            text(
                "SELECT incident_id FROM incident_posts GROUP BY incident_id "
                "ORDER BY count(*) DESC LIMIT 1"
            )
        ).scalar()
        district = c.execute(
            text(
                "SELECT district FROM daily_counts WHERE district != '' GROUP BY district "
                "ORDER BY sum(posts) DESC LIMIT 1"
            )
        ).scalar()
    last = (END - timedelta(days=1)).astimezone(TZ).date()
    month = stats.DateRange(last - timedelta(days=29), last)
    year = stats.DateRange(last - timedelta(days=364), last)
    expr = compile_expression(SEARCH)

    def sql(q: str, **kw: Any) -> Callable[[], Any]:
        def run() -> Any:
            with db.engine.connect() as c:
                return c.execute(text(q), kw).all()

        return run

    def orm(fn: Callable[..., Any], *args: Any, **kw: Any) -> Callable[[], Any]:
        def run() -> Any:
            with db.session() as s:
                return fn(s, *args, **kw)

        return run

    queries: dict[str, tuple[Callable[[], Any], bool]] = {
        "baseline: one post by primary key": (
            sql("SELECT * FROM posts WHERE id = :id", id=some_id),
            False,
        ),
        "dashboard: 30-day posts per day by sector": (
            orm(stats.posts_per_day, month, TZ, "sector"),
            True,
        ),
        "dashboard: 30-day posts per day by district": (
            orm(stats.posts_per_day, month, TZ, "district"),
            True,
        ),
        "dashboard: 30-day shutdown/blanket per day": (
            orm(stats.shutdown_per_day, month, TZ),
            True,
        ),
        "dashboard: 30-day incidents per day": (
            orm(stats.incidents_per_day, month, TZ, "district"),
            True,
        ),
        "dashboard: sources' health, 30 days": (orm(stats.sources_health, month, TZ), True),
        "view: 30-day counts sector x district (v_daily_counts)": (
            sql(
                "SELECT day, sector, district, posts, shutdown, complaint FROM v_daily_counts "
                "WHERE day BETWEEN :a AND :b",
                a=month.start,
                b=month.end,
            ),
            True,
        ),
        f"search {SEARCH} (50 newest)": (orm(search, expr, limit=50), True),
        "incident's posts (largest incident)": (orm(inbox.incident_posts, incident), True),
        "district trend, 365 days (v_daily_counts)": (
            sql(
                "SELECT day, sum(posts), sum(shutdown) FROM v_daily_counts "
                "WHERE district = :d AND day BETWEEN :a AND :b GROUP BY day ORDER BY day",
                d=district,
                a=year.start,
                b=year.end,
            ),
            True,
        ),
        "view: district's 100 newest posts (v_posts)": (
            sql(
                "SELECT post_id, title, published_at, shutdown FROM v_posts "
                "WHERE district = :d ORDER BY published_at DESC LIMIT 100",
                d=district,
            ),
            False,
        ),
        "view: open incidents (v_incidents)": (
            sql(
                "SELECT * FROM v_incidents WHERE status != 'resolved' "
                "ORDER BY opened_at DESC LIMIT 100"
            ),
            False,
        ),
        "count(*) FROM posts": (sql("SELECT count(*) FROM posts"), False),
    }
    base_ms = 0.0
    for name, (fn, dashboard) in queries.items():
        ms, value = timed(fn)
        if name.startswith("baseline"):
            base_ms = ms
        out["queries"][name] = {
            "ms": round(ms, 2),
            "x_baseline": round(ms / base_ms, 1) if base_ms else None,
            "target_ms": TARGET_MS if dashboard else None,
            "result": _size(value),
        }
        print(
            f"{name:<58} {ms:>9.1f} ms  x{ms / base_ms if base_ms else 0:>8.1f}  {_size(value)}",
            flush=True,
        )
    out["baseline_ms"] = base_ms
    out.update(_ingest_and_evaluate(db, ingest_n, queries))
    if purge:
        out.update(_purge(db, purge_days))
    with db.engine.connect() as c:
        out["size_bytes"] = c.execute(text("SELECT pg_database_size(current_database())")).scalar()
        out["table_bytes"] = {
            t: c.execute(text(f"SELECT pg_total_relation_size('{t}')")).scalar()
            for t in (
                "posts",
                "post_tags",
                "posts_fts",
                "daily_counts",
                "source_daily",
                "incident_posts",
            )
        }
    db.dispose()
    return out


def _ingest_and_evaluate(
    db: Database, n: int, queries: dict[str, tuple[Callable[[], Any], bool]]
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    ing = Ingest(db, seed=1)
    alone, _ = ing.run(n // 2)
    # the same again while a second connection runs the dashboard queries in a loop
    stop = threading.Event()
    lat: list[float] = []
    dash = [fn for fn, dashboard in queries.values() if dashboard]

    def reader() -> None:
        while not stop.is_set():
            for fn in dash:
                t = time.perf_counter()
                fn()
                lat.append((time.perf_counter() - t) * 1000)

    th = threading.Thread(target=reader)
    th.start()
    busy, _ = ing.run(n // 2)
    stop.set()
    th.join()
    out["ingest_posts_per_s"] = round(alone)
    out["ingest_posts_per_s_while_querying"] = round(busy)
    out["ingest_ratio_while_querying"] = round(busy / alone, 2)
    out["dashboard_ms_while_ingesting_p50"] = round(statistics.median(lat), 1) if lat else None
    # evaluate: the cursor after everything so far, then 1,000 new posts per round
    cfg = load(env={})
    reset_cursor(db)
    rounds = []
    for _ in range(3):
        ing.batch(500)
        ing.batch(500)
        t = time.perf_counter()
        res = evaluate(cfg, db)
        rounds.append((time.perf_counter() - t, res.posts_scanned, res.rescan_skipped))
    # each round evaluates its 1,000 new posts; the rows of the rescan window (2 minutes) this
    # process evaluated before are read again but skipped (issue 15): per 1,000 new posts
    out["evaluate_s_per_1000"] = round(
        statistics.median(t / max(1, n) * 1000 for t, n, _ in rounds), 3
    )
    out["evaluate_rounds_s"] = [round(r[0], 2) for r in rounds]
    out["evaluate_scanned"] = [r[1] for r in rounds]
    out["evaluate_rescan_skipped"] = [r[2] for r in rounds]
    print(
        f"ingest {alone:,.0f} posts/s alone, {busy:,.0f} while querying; evaluate per 1,000 "
        f"new posts {out['evaluate_s_per_1000']} s (scanned {out['evaluate_scanned']})",
        flush=True,
    )
    return out


def _purge(db: Database, days: int = 30) -> dict[str, Any]:
    """Purge the oldest month (posts published before the first day + ``days``; 1: what the
    daily purge deletes) while a second connection ingests; report the purge's time and the
    ingest batches' worst latency next to their latency alone."""
    with db.engine.connect() as c:
        oldest = c.execute(text("SELECT min(published_at) FROM posts")).scalar()
    assert oldest is not None
    cutoff = oldest + timedelta(days=days)
    now = cutoff + timedelta(days=365)
    ing = Ingest(db, seed=2)
    _, alone = ing.run(5 * BATCH)
    stop = threading.Event()
    during: list[float] = []

    def writer() -> None:
        while not stop.is_set():
            t = time.perf_counter()
            ing.batch()
            during.append(time.perf_counter() - t)

    th = threading.Thread(target=writer)
    th.start()
    t = time.perf_counter()
    res = retention.purge(db, 365, now=now)
    seconds = time.perf_counter() - t
    stop.set()
    th.join()
    out = {
        "purge_days": days,
        "purge_posts": res.posts,
        "purge_s": round(seconds, 1),
        "purge_posts_per_s": round(res.posts / seconds) if seconds else None,
        "ingest_batch_ms_alone_median": round(statistics.median(alone) * 1000),
        "ingest_batch_ms_during_purge_median": round(statistics.median(during) * 1000)
        if during
        else None,
        "ingest_batch_ms_during_purge_max": round(max(during) * 1000) if during else None,
        "ingest_batches_during_purge": len(during),
    }
    print(
        f"purge of a month: {res.posts:,} posts in {seconds:.1f} s; ingest batches during "
        f"it: {len(during)}, median {out['ingest_batch_ms_during_purge_median']} ms, max "
        f"{out['ingest_batch_ms_during_purge_max']} ms (alone "
        f"{out['ingest_batch_ms_alone_median']} ms)",
        flush=True,
    )
    return out


def report(small: dict[str, Any], large: dict[str, Any]) -> None:
    """Growth between two measurements (e.g. 1 M and 10 M posts)."""
    growth = large["posts"] / small["posts"]
    print(f"posts: {small['posts']:,} -> {large['posts']:,} (x{growth:.1f})")
    print(f"{'query':<58} {'small ms':>9} {'large ms':>9} {'growth':>7} {'x base':>7}  target")
    for name, b in large["queries"].items():
        a = small["queries"].get(name)
        if a is None:
            continue
        ok = "" if b["target_ms"] is None else ("ok" if b["ms"] < b["target_ms"] else "MISSED")
        print(
            f"{name:<58} {a['ms']:>9.1f} {b['ms']:>9.1f} {b['ms'] / max(a['ms'], 0.01):>7.1f} "
            f"{b['x_baseline'] or 0:>7.1f}  {ok}"
        )
    for key in (
        "ingest_posts_per_s",
        "ingest_posts_per_s_while_querying",
        "evaluate_s_per_1000",
        "purge_s",
        "purge_posts",
        "ingest_batch_ms_alone_median",
        "ingest_batch_ms_during_purge_max",
        "size_bytes",
    ):
        if key in small and key in large:
            print(f"{key:<58} {small[key]!s:>14} {large[key]!s:>14}")


__all__ = ["measure", "report"]
