"""Bulk-load synthetic posts into PostgreSQL with COPY, for the scale benchmark.

Realistic in the ways the queries notice, cheap to make at 10 M rows:

* texts come from a pool of post templates (``bench.queries.generate``: districts, sectors,
  shutdown/blanket/complaint phrasing), each indexed once with the store's own ``fts.entry``;
  every post adds its own code (a run of letters and digits) to its text and index, so the
  ``grams`` index also holds many rare tokens, as real text does;
* skew: sources follow a Zipf law (a few forums carry most posts), districts and sectors have
  unequal weights, volume grows over the year with a weekly rhythm;
* reposts and duplicates: ~8 % of posts repeat an earlier post of the same source's cluster
  (same text and content hash, ``parent_id`` set), as forwarded posts do;
* tags for every post (the template's), and incidents made afterwards from the blanket
  shutdown posts per district, sector and week, with their ``incident_posts``.

The ``daily_counts`` and ``source_daily`` triggers are disabled while loading and the tables
recomputed after (what ``rollup.refresh`` and ``source_rollup.refresh`` are for); indexes on
the big tables are dropped and rebuilt.
"""

from __future__ import annotations

import bisect
import hashlib
import logging
import math
import multiprocessing
import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

import psycopg
from sqlalchemy import create_engine

from bench.queries.generate import END, posts
from yuqing.store import fts, rollup, source_rollup

log = logging.getLogger(__name__)

POOL = 20_000
SOURCES = 300
REPOST_SHARE = 0.08
CHUNK = 50_000
# Weights (unnormalized) of the districts in gazetteer order and of the sectors: a city's
# centre and its commercial sectors carry most posts.
DISTRICT_WEIGHTS = [30, 22, 15, 10, 8, 6, 5, 4, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1]
SECTOR_WEIGHTS = {
    "life_services": 30,
    "urban_management": 18,
    "construction": 14,
    "other": 12,
    "characteristic_industry": 8,
    "aquaculture": 6,
    "industrial_park": 5,
    "scattered_pollution": 4,
    "quarrying_mining": 3,
}
# indexes of the big tables, rebuilt after a load (name -> CREATE statement)
INDEXES = {
    "ix_posts_fts_grams": "CREATE INDEX ix_posts_fts_grams ON posts_fts USING gin (grams)",
    "ix_posts_fts_words": "CREATE INDEX ix_posts_fts_words ON posts_fts USING gin (words)",
    "ix_posts_fts_published_at": (
        "CREATE INDEX ix_posts_fts_published_at ON posts_fts (published_at)"
    ),
    "ix_posts_published_at": "CREATE INDEX ix_posts_published_at ON posts (published_at)",
    "ix_posts_published_source": (
        "CREATE INDEX ix_posts_published_source ON posts (published_at, source_id)"
    ),
    "ix_posts_content_hash": "CREATE INDEX ix_posts_content_hash ON posts (content_hash)",
    "ix_posts_cluster_id": "CREATE INDEX ix_posts_cluster_id ON posts (cluster_id)",
    "ix_post_tags_district": "CREATE INDEX ix_post_tags_district ON post_tags (district)",
    "ix_post_tags_sector": "CREATE INDEX ix_post_tags_sector ON post_tags (sector)",
    "ix_post_tags_tagged_at": "CREATE INDEX ix_post_tags_tagged_at ON post_tags (tagged_at)",
}
DAYS = 365


@dataclass(frozen=True)
class Template:
    title: str
    text: str
    sector: str
    district: str | None
    shutdown: bool
    blanket: bool
    complaint: bool
    words: str  # tsvector literal body (quoted tokens)
    grams: str


def _quoted(tokens: set[str]) -> str:
    return " ".join(f"'{t}'" for t in sorted(tokens))


def templates(n: int = POOL) -> tuple[list[Template], list[float]]:
    """The pool and each template's cumulative weight (district × sector skew)."""
    from yuqing.config import load

    districts = load(env={}).gazetteer.district_names()
    dw = {d: DISTRICT_WEIGHTS[i % len(DISTRICT_WEIGHTS)] for i, d in enumerate(districts)}
    pool: list[Template] = []
    cum: list[float] = []
    total = 0.0
    for fake in posts(n, DAYS, END, seed=15):
        e = fts.entry(0, fts.document(fake.title, fake.text))
        pool.append(
            Template(
                fake.title,
                fake.text,
                fake.sector,
                fake.district,
                fake.shutdown,
                fake.blanket,
                fake.complaint,
                _quoted(set(e.words)),
                _quoted(set(e.grams)),
            )
        )
        total += SECTOR_WEIGHTS.get(fake.sector, 1) * (dw[fake.district] if fake.district else 6)
        cum.append(total)
    return pool, cum


def _esc(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def _code_tokens(code: str) -> tuple[str, str]:
    grams = {code[i : i + 2] for i in range(len(code) - 1)}
    grams.add(code[-1])
    return f"'{code}'", _quoted(grams)


def _published(rng: random.Random, end: datetime) -> datetime:
    """A time in the year before ``end``: volume grows through the year (density ∝ 1 + x
    for x = 0 … 1 from the oldest day), fewer posts at weekends and at night."""
    while True:
        x = math.sqrt(1 + 3 * rng.random()) - 1  # inverse CDF of density ∝ 1 + x on [0, 1]
        at = end - timedelta(seconds=(1 - x) * DAYS * 86400)
        local_hour = (at.hour + 8) % 24
        weekend = (at + timedelta(hours=8)).weekday() >= 5
        keep = (0.4 if weekend else 1.0) * (0.25 if local_hour < 7 else 1.0)
        if rng.random() < keep:
            return at


def _drop_indexes(cur: psycopg.Cursor) -> None:
    for name in INDEXES:
        cur.execute(f"DROP INDEX IF EXISTS {name}")


def _create_indexes(cur: psycopg.Cursor) -> None:
    cur.execute("SET maintenance_work_mem = '1GB'")
    for name, ddl in INDEXES.items():
        started = time.perf_counter()
        cur.execute(ddl.replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS"))
        log.info("index %s built in %.0f s", name, time.perf_counter() - started)


def load(
    dsn: str, upto: int, seed: int = 15, end: datetime = END, workers: int = 2
) -> dict[str, float]:
    """Add posts (with tags and index rows) until the database holds ``upto`` posts; then
    rebuild indexes, the daily counts and the incidents. Returns timings in seconds."""
    timings: dict[str, float] = {}
    with psycopg.connect(dsn, autocommit=True) as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*), coalesce(max(id), 0) FROM posts")
        row = cur.fetchone()
        have, last = (int(row[0]), int(row[1])) if row else (0, 0)
        if have >= upto:  # (a load stopped early: finish what it left)
            upto = have
        cur.execute("SELECT count(*) FROM sources")
        row = cur.fetchone()
        if not row or not row[0]:
            cur.execute(
                "INSERT INTO sources (id, name, kind, config, enabled, health, created_at) "
                "SELECT g, 'src' || g, 'forum', '{}', true, 'ok', now() "
                "FROM generate_series(1, %s) g",
                (SOURCES,),
            )
            cur.execute("SELECT setval('sources_id_seq', %s)", (SOURCES,))
        if upto > have:
            t = time.perf_counter()
            pool, cum = templates()
            timings["templates_s"] = time.perf_counter() - t
            _drop_indexes(cur)
            t = time.perf_counter()
            jobs = _parts(last + 1, upto - have, workers, seed)
            global _TEMPLATES
            _TEMPLATES = (pool, cum, end)
            with multiprocessing.get_context("fork").Pool(workers) as procs:
                for added in procs.imap_unordered(partial(_load_part, dsn), jobs):
                    log.info(
                        "part of %d posts loaded (%.0f posts/s so far)",
                        added,
                        added / (time.perf_counter() - t),
                    )
            timings["copy_s"] = time.perf_counter() - t
        t = time.perf_counter()
        _create_indexes(cur)
        timings["index_s"] = time.perf_counter() - t
        t = time.perf_counter()
        cur.execute("SELECT setval('posts_id_seq', (SELECT max(id) FROM posts))")
        cur.execute("SELECT setval('post_tags_id_seq', (SELECT max(id) FROM post_tags))")
    engine = create_engine("postgresql+psycopg://", creator=lambda: psycopg.connect(dsn))
    with engine.begin() as sconn:
        rollup.refresh(sconn)
        source_rollup.refresh(sconn)
    engine.dispose()
    with psycopg.connect(dsn, autocommit=True) as conn, conn.cursor() as cur:
        _incidents(cur, end)
        timings["derived_s"] = time.perf_counter() - t
        t = time.perf_counter()
        cur.execute("VACUUM ANALYZE")
        timings["vacuum_s"] = time.perf_counter() - t
    return timings


_TEMPLATES: tuple[list[Template], list[float], datetime] | None = None


def _parts(first: int, count: int, workers: int, seed: int) -> list[tuple[int, int, int]]:
    """(first id, count, seed) per worker: contiguous id ranges."""
    size = -(-count // workers)
    return [
        (first + i * size, min(size, count - i * size), seed * 1_000_003 + first + i * size)
        for i in range(workers)
        if count - i * size > 0
    ]


def _load_part(dsn: str, job: tuple[int, int, int]) -> int:
    assert _TEMPLATES is not None
    pool, cum, end = _TEMPLATES
    first, count, seed = job
    rng = random.Random(seed)
    source_cum = _zipf_cum(SOURCES)
    recent: dict[int, tuple[int, int, str]] = {}  # source -> (post id, template, hash)
    with psycopg.connect(dsn, autocommit=True) as conn, conn.cursor() as cur:
        cur.execute("SET session_replication_role = replica")  # no triggers, no FK checks
        done = 0
        while done < count:
            n = min(CHUNK, count - done)
            _copy_chunk(cur, rng, pool, cum, source_cum, recent, first + done, n, end)
            done += n
            if done % (CHUNK * 10) == 0:
                log.info("worker at id %d: %d of %d posts", first + done, done, count)
    return count


def _zipf_cum(n: int, s: float = 1.1) -> list[float]:
    total, out = 0.0, []
    for k in range(1, n + 1):
        total += 1 / k**s
        out.append(total)
    return out


def _copy_chunk(
    cur: psycopg.Cursor,
    rng: random.Random,
    pool: list[Template],
    cum: list[float],
    source_cum: list[float],
    recent: dict[int, tuple[int, int, str]],
    first: int,
    n: int,
    end: datetime,
) -> None:
    picks = rng.choices(range(len(pool)), cum_weights=cum, k=n)
    sources = [bisect.bisect_left(source_cum, rng.random() * source_cum[-1]) + 1 for _ in range(n)]
    post_lines: list[str] = []
    tag_lines: list[str] = []
    fts_lines: list[str] = []
    fetched = end.isoformat()
    for i in range(n):
        pid = first + i
        src = sources[i]
        parent = "\\N"
        cluster = str(pid)
        earlier = recent.get(src)
        if earlier is not None and rng.random() < REPOST_SHARE:
            parent_id, tpl, chash = earlier
            parent, cluster = str(parent_id), str(parent_id)
            code = f"z{parent_id:x}"
        else:
            tpl = picks[i]
            code = f"z{pid:x}"
            chash = hashlib.sha1(f"{tpl}:{code}".encode()).hexdigest()
            recent[src] = (pid, tpl, chash)
        t = pool[tpl]
        published = _published(rng, end).isoformat()
        key = hashlib.sha1(f"p{pid}".encode()).hexdigest()
        body = f"{t.text}（{code}）"
        post_lines.append(
            f"{pid}\t{src}\t{key}\thttps://src{src}.bench.test/t/{pid}\t{parent}\t"
            f"{_esc(t.title)}\t{_esc(body)}\t{published}\t{fetched}\t{fetched}\t{chash}\t"
            f"{cluster}\t{rng.randrange(50)}\t{rng.randrange(20)}\t{rng.randrange(5)}\n"
        )
        district = t.district or "\\N"
        tag_lines.append(
            f"{pid}\t{pid}\tbench\t{'t' if t.shutdown else 'f'}\t{0.9 if t.shutdown else 0.1}\t"
            f"{'t' if t.blanket else 'f'}\t{0.8 if t.blanket else 0.0}\t"
            f"{'t' if t.complaint else 'f'}\t{0.8 if t.complaint else 0.2}\t{t.sector}\t0.9\t"
            f"{district}\tf\t0.0\t{{}}\t{{}}\t{published}\n"
        )
        word, grams = _code_tokens(code)
        fts_lines.append(f"{pid}\t{code[:16]}\t{t.words} {word}\t{t.grams} {grams}\t{published}\n")
    with cur.copy(
        "COPY posts (id, source_id, dedup_key, url, parent_id, title, text, published_at, "
        "fetched_at, updated_at, content_hash, cluster_id, likes, replies, reposts) FROM STDIN"
    ) as cp:
        cp.write("".join(post_lines))
    with cur.copy(
        "COPY post_tags (id, post_id, model_version, shutdown, shutdown_score, blanket, "
        "blanket_score, complaint, complaint_score, sector, sector_score, district, licensed, "
        "licensed_score, custom, evidence, tagged_at) FROM STDIN"
    ) as cp:
        cp.write("".join(tag_lines))
    with cur.copy("COPY posts_fts (post_id, digest, words, grams, published_at) FROM STDIN") as cp:
        cp.write("".join(fts_lines))


def _incidents(cur: psycopg.Cursor, end: datetime) -> None:
    """Incidents from blanket shutdown posts per district, sector and week (re-made each
    load): resolved except those of the last two weeks."""
    cur.execute("DELETE FROM incidents WHERE rule = 'bench_blanket'")
    cur.execute(
        """
INSERT INTO incidents (fingerprint, rule, severity, labels, district, sector, title, status,
  post_count, first_post_at, last_post_at, opened_at, updated_at, escalation_level)
SELECT md5(t.district || t.sector || date_trunc('week', p.published_at)::text), 'bench_blanket',
  'high', jsonb_build_object('district', t.district, 'sector', t.sector), t.district, t.sector,
  t.district || t.sector || '一刀切关停', CASE WHEN max(p.published_at) > %(recent)s
  THEN 'open' ELSE 'resolved' END, count(*), min(p.published_at), max(p.published_at),
  min(p.published_at), max(p.published_at), 0
FROM posts p JOIN post_tags t ON t.post_id = p.id
WHERE t.blanket AND t.district IS NOT NULL
GROUP BY t.district, t.sector, date_trunc('week', p.published_at)
""",
        {"recent": end - timedelta(days=14)},
    )
    cur.execute(
        """
INSERT INTO incident_posts (incident_id, post_id, added_at)
SELECT i.id, p.id, p.published_at
FROM posts p JOIN post_tags t ON t.post_id = p.id
JOIN incidents i ON i.rule = 'bench_blanket' AND i.district = t.district
  AND i.sector = t.sector
  AND i.fingerprint = md5(t.district || t.sector || date_trunc('week', p.published_at)::text)
WHERE t.blanket AND t.district IS NOT NULL
"""
    )
