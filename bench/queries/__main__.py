"""``python -m bench.queries [--posts N] [--backend sqlite|postgresql|both]``

Loads N generated posts with tags and the full-text index (bulk: the index entries are
computed by the store's own code, in worker processes), then measures, per backend:

* ingest: posts per second through the real write path (``upsert_posts`` + ``upsert_tags``,
  which also segments and indexes each post), on ``--ingest`` extra posts;
* daily counts by sector × district for 30 days (the ``v_daily_counts`` view; target < 100 ms);
* full-text searches with the keyword language (target < 200 ms);

each as milliseconds and as a ratio to ``SELECT count(*) FROM posts`` timed in the same run.
PostgreSQL runs when YUQING_TEST_POSTGRES_URL is set (``bash .ci/with-postgres`` sets it).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from multiprocessing import Pool
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.queries.generate import END, Fake, posts, tag_record
from yuqing.nlp.rules import compile_expression
from yuqing.store import fts
from yuqing.store.db import normalize_url, upgrade
from yuqing.store.posts import PostRecord, upsert_posts, upsert_tags
from yuqing.store.search import search
from yuqing.store.session import Database

CHUNK = 10_000
SEARCHES = ["一刀切 AND (餐饮 OR 烧烤)", "整条街都关了", "关停 AND 龙沙区"]


def _entries(batch: list[tuple[int, str]]) -> list[fts.Entry]:
    return [fts.entry(pid, doc) for pid, doc in batch]


def _chunks(items: Iterator[Fake], size: int) -> Iterator[list[Fake]]:
    chunk: list[Fake] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _ts(value: Any, dialect: str) -> Any:
    return value.strftime("%Y-%m-%d %H:%M:%S.%f") if dialect == "sqlite" else value


def bulk_load(dbs: list[Database], n: int, days: int, workers: int) -> float:
    """Generated posts, tags and index entries in bulk into every database (the index entries
    are computed once); returns seconds taken."""
    started = time.perf_counter()
    for db in dbs:
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO sources (id, name, kind, config, enabled, health, created_at) VALUES (1, 'bench', 'feed', '{}', true, 'ok', CURRENT_TIMESTAMP)"  # noqa: E501
                )
            )
            if db.dialect == "postgresql":
                conn.execute(text("DROP INDEX ix_posts_fts_grams"))
                conn.execute(text("DROP INDEX ix_posts_fts_words"))
    with Pool(workers) as pool:
        next_id = 1
        for chunk in _chunks(posts(n, days, END), CHUNK):
            ids = list(range(next_id, next_id + len(chunk)))
            next_id += len(chunk)
            docs = [(pid, fts.document(p.title, p.text)) for pid, p in zip(ids, chunk, strict=True)]
            parts = [docs[i : i + 1000] for i in range(0, len(docs), 1000)]
            entries = [e for part in pool.map(_entries, parts) for e in part]
            for db in dbs:
                _insert_chunk(db, ids, chunk, entries)
    for db in dbs:
        _finish(db)
    return time.perf_counter() - started


def _insert_chunk(
    db: Database, ids: list[int], chunk: list[Fake], entries: list[fts.Entry]
) -> None:
    dialect = db.dialect
    post_rows = [
        {
            "id": pid,
            "source_id": 1,
            "dedup_key": p.key,
            "url": f"https://bench.test/{p.key}",
            "title": p.title,
            "text": p.text,
            "published_at": _ts(p.published_at, dialect),
            "fetched_at": _ts(END, dialect),
            "updated_at": _ts(END, dialect),
            "content_hash": p.key,
        }
        for pid, p in zip(ids, chunk, strict=True)
    ]
    tag_rows = [
        {
            "post_id": pid,
            "model_version": "bench",
            "shutdown": p.shutdown,
            "shutdown_score": 0.9 if p.shutdown else 0.1,
            "blanket": p.blanket,
            "blanket_score": 0.0,
            "complaint": p.complaint,
            "complaint_score": 0.8 if p.complaint else 0.2,
            "sector": p.sector,
            "sector_score": 0.9,
            "district": p.district,
            "licensed": False,
            "licensed_score": 0.0,
            "custom": "{}",
            "evidence": "{}",
            "tagged_at": _ts(END, dialect),
        }
        for pid, p in zip(ids, chunk, strict=True)
    ]
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO posts (id, source_id, dedup_key, url, title, text, published_at, "
                "fetched_at, updated_at, content_hash) VALUES (:id, :source_id, :dedup_key, "
                ":url, :title, :text, :published_at, :fetched_at, :updated_at, :content_hash)"
            ),
            post_rows,
        )
        conn.execute(
            text(
                "INSERT INTO post_tags (post_id, model_version, shutdown, shutdown_score, "
                "blanket, blanket_score, complaint, complaint_score, sector, sector_score, "
                "district, licensed, licensed_score, custom, evidence, tagged_at) VALUES "
                "(:post_id, :model_version, :shutdown, :shutdown_score, :blanket, "
                ":blanket_score, :complaint, :complaint_score, :sector, :sector_score, "
                ":district, :licensed, :licensed_score, :custom, :evidence, :tagged_at)"
            ),
            tag_rows,
        )
        fts._write(conn, entries)


def _finish(db: Database) -> None:
    with db.engine.begin() as conn:
        if db.dialect == "postgresql":
            conn.execute(text("SELECT setval('sources_id_seq', 1)"))
            conn.execute(text("SELECT setval('posts_id_seq', (SELECT max(id) FROM posts))"))
            conn.execute(text("SELECT setval('post_tags_id_seq', (SELECT max(id) FROM post_tags))"))
            conn.execute(text("CREATE INDEX ix_posts_fts_grams ON posts_fts USING gin (grams)"))
            conn.execute(text("CREATE INDEX ix_posts_fts_words ON posts_fts USING gin (words)"))
        else:
            conn.execute(text("INSERT INTO posts_fts (posts_fts) VALUES ('optimize')"))
            conn.execute(text("ANALYZE"))
    if db.dialect == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))


def ingest_rate(db: Database, n: int) -> float:
    """Posts per second through the store's write path (with segmentation and indexing)."""
    fakes = list(posts(n, 30, END, seed=99))
    started = time.perf_counter()
    for i in range(0, n, 500):
        batch = fakes[i : i + 500]
        with db.session() as s:
            result = upsert_posts(
                s,
                [
                    PostRecord(
                        "bench-ingest",
                        f"https://ingest.test/{p.key}",
                        p.title,
                        p.text,
                        p.published_at,
                        p.key,
                        external_id=p.key,
                    )
                    for p in batch
                ],
            )
            upsert_tags(
                s,
                [
                    (
                        pid,
                        tag_record(p),
                    )
                    for pid, p in zip(result.ids, batch, strict=True)
                ],
            )
    return n / (time.perf_counter() - started)


def timed(fn: Callable[[], Any], repeat: int = 5) -> tuple[float, Any]:
    fn()  # warm caches
    times, value = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        value = fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), value


def measure(db: Database, label: str, ingest: int) -> None:
    print(f"\n== {label}", flush=True)
    rate = ingest_rate(db, ingest)
    print(f"ingest through upsert_posts + upsert_tags: {rate:,.0f} posts/s ({ingest:,} posts)")
    last = (END - timedelta(days=1)).date()
    first = last - timedelta(days=29)

    def count() -> Any:
        with db.engine.connect() as c:
            return c.execute(text("SELECT count(*) FROM posts")).scalar()

    def daily() -> Any:
        with db.engine.connect() as c:
            return c.execute(
                text(
                    "SELECT day, sector, district, posts, shutdown, complaint FROM v_daily_counts "
                    "WHERE day BETWEEN :a AND :b"
                ),
                {"a": _day(first, db.dialect), "b": _day(last, db.dialect)},
            ).all()

    base_ms, total = timed(count)
    rows: list[tuple[str, float, str, str]] = [
        ("SELECT count(*) FROM posts (baseline)", base_ms, "", f"{total:,} posts")
    ]
    ms, result = timed(daily)
    rows.append(
        (
            "daily counts, sector x district, 30 days (view)",
            ms,
            "< 100 ms",
            f"{len(result)} rows, {sum(r[3] for r in result):,} posts",
        )
    )
    for query in SEARCHES:
        expr = compile_expression(query)

        def run(expr: Any = expr) -> Any:
            with db.session() as s:
                return search(s, expr, limit=50)

        ms, res = timed(run)
        rows.append(
            (
                f"search {query!r} (50 newest)",
                ms,
                "< 200 ms",
                f"{len(res.hits)} hits, {res.candidates} checked",
            )
        )
    print(f"{'query':<52} {'ms':>9} {'x baseline':>11}  target    result")
    for name, ms, target, note in rows:
        print(f"{name:<52} {ms:>9.1f} {ms / base_ms:>11.1f}  {target:<9} {note}")


def _day(d: date, dialect: str) -> Any:
    return d if dialect == "postgresql" else d.isoformat()


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.queries", description=__doc__)
    ap.add_argument("--posts", type=int, default=1_000_000)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--ingest", type=int, default=20_000)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    args = ap.parse_args()
    pg = os.environ.get("YUQING_TEST_POSTGRES_URL")
    want_pg = args.backend in ("postgresql", "both")
    if want_pg and not pg:
        print("PostgreSQL: skipped (set YUQING_TEST_POSTGRES_URL or use .ci/with-postgres)")
    with tempfile.TemporaryDirectory() as tmp:
        dbs: list[tuple[str, Database]] = []
        if args.backend in ("sqlite", "both"):
            dbs.append(("SQLite", Database(f"sqlite:///{Path(tmp) / 'bench.db'}")))
        admin, name = None, f"yuqing_bench_{uuid.uuid4().hex[:8]}"
        if want_pg and pg:
            base = make_url(normalize_url(pg))
            admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
            with admin.connect() as c:
                c.execute(text(f'CREATE DATABASE "{name}"'))
            url = base.set(database=name).render_as_string(hide_password=False)
            dbs.append(("PostgreSQL", Database(url)))
        try:
            for _, db in dbs:
                upgrade(db.engine)
            print(
                f"loading {args.posts:,} posts over {args.days} days into "
                f"{', '.join(n for n, _ in dbs)} ...",
                flush=True,
            )
            load_s = bulk_load([db for _, db in dbs], args.posts, args.days, args.workers)
            print(
                f"bulk load (generate, segment with {args.workers} workers, insert, index): "
                f"{load_s:.0f} s for all backends"
            )
            for label, db in dbs:
                measure(db, label, args.ingest)
        finally:
            for _, db in dbs:
                db.dispose()
            if admin is not None:
                with admin.connect() as c:
                    c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()


if __name__ == "__main__":
    main()
