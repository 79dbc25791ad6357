"""``python -m bench.alerts``: evaluate 100,000 newly tagged posts into incidents and outbox
rows; time and peak memory against a baseline measured in the same run (a bare executemany
INSERT of as many rows into a three-column table of the same database).

    .venv/bin/python -m bench.alerts [--posts 100000] [--database-url URL-OF-AN-EMPTY-DB]

Synthetic tags (no text is needed: the shipped rules are tag conditions): 16 districts and
none, 9 sectors, ~12% blanket shutdowns, ~25% shutdowns, ~40% complaints, ~20% reposts.
"""

from __future__ import annotations

import argparse
import random
import shutil
import tempfile
import time
import tracemalloc
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select, text

from yuqing.alerts.evaluate import RESCAN, evaluate
from yuqing.alerts.labels import SECTORS
from yuqing.config import Config, load
from yuqing.store.db import upgrade
from yuqing.store.models import Incident, IncidentPost, Notification, Post, PostTag
from yuqing.store.posts import PostRecord, TagRecord, ensure_source
from yuqing.store.session import Database
from yuqing.store.types import utcnow

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def make_posts(n: int, districts: list[str], seed: int = 5) -> list[tuple[PostRecord, TagRecord]]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        shutdown = rng.random() < 0.25
        blanket = shutdown and rng.random() < 0.5
        complaint = rng.random() < 0.4
        cluster = rng.randrange(n // 5) + 1 if rng.random() < 0.2 else None
        post = PostRecord(
            source=f"bench-{i % 5}",
            url=f"https://bench.example/p/{i}",
            title=f"帖子{i}",
            text="",
            published_at=NOW - timedelta(seconds=rng.randrange(3 * 86400)),
            content_hash=f"{i:040d}",
            external_id=str(i),
            cluster_id=cluster,
        )
        tag = TagRecord(
            model_version="bench",
            shutdown=shutdown,
            shutdown_score=rng.random(),
            blanket=blanket,
            complaint=complaint,
            complaint_score=rng.random(),
            sector=rng.choice(SECTORS),
            sector_score=0.8,
            district=rng.choice([*districts, None]),
            licensed=rng.random() < 0.1,
            evidence={"shutdown": ["关停"]} if shutdown else {},
        )
        out.append((post, tag))
    return out


def store(db: Database, rows: list[tuple[PostRecord, TagRecord]]) -> None:
    """Write posts and tags with plain executemany INSERTs (the setup is not what is measured;
    the crawler's upserts are benchmarked elsewhere). Tags get tagged_at = now, as the tagger
    writes them."""
    with db.session() as s:
        sources = {p.source for p, _ in rows}
        ids = {name: ensure_source(s, name, "bench") for name in sorted(sources)}
        first = (s.execute(select(func.max(Post.id))).scalar() or 0) + 1
    tagged = utcnow()
    posts, tags = [], []
    for i, (p, t) in enumerate(rows):
        pid = first + i
        row = asdict(p)
        row.pop("source")
        row.update(id=pid, source_id=ids[p.source], dedup_key=p.key, updated_at=p.fetched_at)
        posts.append(row)
        tags.append({**asdict(t), "post_id": pid, "tagged_at": tagged})
    with db.engine.begin() as conn:
        for start in range(0, len(posts), 5000):
            conn.execute(insert(Post), posts[start : start + 5000])
            conn.execute(insert(PostTag), tags[start : start + 5000])


def baseline(db: Database, n: int) -> float:
    """A bare INSERT of ``n`` rows (executemany, one transaction): the floor for writing."""
    with db.engine.begin() as conn:
        conn.execute(
            text("CREATE TABLE IF NOT EXISTS bench_baseline (a INTEGER, b INTEGER, c TEXT)")
        )
    rows = [{"a": i, "b": i % 997, "c": NOW.isoformat()} for i in range(n)]
    started = time.perf_counter()
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO bench_baseline (a, b, c) VALUES (:a, :b, :c)"), rows)
    elapsed = time.perf_counter() - started
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE bench_baseline"))
    return elapsed


def counts(db: Database) -> tuple[int, int, int]:
    with db.session() as s:
        return (
            s.execute(select(func.count()).select_from(Incident)).scalar_one(),
            s.execute(select(func.count()).select_from(IncidentPost)).scalar_one(),
            s.execute(select(func.count()).select_from(Notification)).scalar_one(),
        )


def fresh_posts(config: Config, n: int, minute: int) -> list[tuple[PostRecord, TagRecord]]:
    rows = make_posts(n, config.gazetteer.district_names(), seed=minute)
    for p, _ in rows:
        p.url, p.external_id = f"{p.url}-m{minute}", f"m{minute}-{p.external_id}"
        p.published_at = NOW + timedelta(minutes=minute)
    return rows


def timed_evaluate(config: Config, db: Database, now: datetime) -> float:
    started = time.perf_counter()
    evaluate(config, db, now)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-alerts-"))
    try:
        config = load(overrides={"data_dir": str(tmp / "var")}, env={})
        url = args.database_url or f"sqlite:///{tmp / 'bench.db'}"
        db = Database(url)
        upgrade(db.engine)
        with db.session() as s:
            if s.execute(select(func.count()).select_from(Post)).scalar_one():
                raise SystemExit(f"{db.display_url} already holds posts: give an empty database")
        print(f"database: {db.display_url} ({db.dialect}); posts: {args.posts:,}")
        rows = make_posts(args.posts, config.gazetteer.district_names())
        started = time.perf_counter()
        store(db, rows)
        print(
            f"setup: stored and tagged {args.posts:,} posts in {time.perf_counter() - started:.1f}s"
        )
        copy = None
        if db.dialect == "sqlite":  # a twin for the memory run (tracemalloc slows Python)
            db.dispose()
            copy = Database(f"sqlite:///{tmp / 'twin.db'}")
            shutil.copy(tmp / "bench.db", tmp / "twin.db")
        base = baseline(db, args.posts)
        full = timed_evaluate(config, db, NOW)
        incidents, listed, outbox = counts(db)
        again = timed_evaluate(config, db, NOW + timedelta(minutes=1))
        store(db, fresh_posts(config, 1000, 1))
        minute = timed_evaluate(config, db, NOW + timedelta(minutes=2))
        store(db, fresh_posts(config, 1000, 2))
        started = time.perf_counter()  # as when the big batch has left the re-scan window
        evaluate(config, db, NOW + timedelta(minutes=3), rescan=timedelta(0))
        steady = time.perf_counter() - started
        print(f"baseline: bare INSERT of {args.posts:,} rows: {base:.2f}s")
        print(
            f"evaluate: {args.posts:,} new posts -> {incidents:,} incidents, {listed:,} posts "
            f"listed, {outbox:,} outbox rows: {full:.2f}s = {full / base:.1f}x baseline, "
            f"{1e6 * full / args.posts:.0f} ms per 1,000 posts"
        )
        print(
            f"re-evaluate a minute later, nothing new: {again:.2f}s (worst case: all "
            f"{args.posts:,} tags fall in the {RESCAN.total_seconds() / 60:.0f}-minute re-scan "
            "window, re-read and found listed)"
        )
        print(f"evaluate 1,000 posts arriving a minute later (with that re-scan): {minute:.2f}s")
        print(f"evaluate 1,000 new posts once the big batch is past the re-scan: {steady:.2f}s")
        if copy is not None:
            tracemalloc.start()
            evaluate(config, copy, NOW)
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            print(f"peak Python memory in evaluate (tracemalloc, twin db): {peak / 2**20:.1f} MiB")
            copy.dispose()
        db.dispose()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
