"""``python -m bench.web_load.profile --url DB [--requests 20] [--batches 5] [--root CHECKOUT]``

What one web request costs, without concurrency. One ``yuqing web`` worker (of the checkout
``--root``, default this one: give a checkout of main to compare old and new code on the same
database) serves one logged-in officer (``bench-officer-0``, prepared as by
``python -m bench.web_load``), who asks for the inbox, an incident page and
``/static/app.css``, one request at a time, ``--batches`` batches of ``--requests`` each.
Reported per page: the worker's CPU ms per request and the PostgreSQL backends' CPU ms per
request (from /proc, the cheapest batch's mean: the cost a page puts on the machine; other
work on a shared machine only ever adds to it), wall ms (median), and the SQL statements per
request (counted by an engine event hook on the same pages served in this process; only for
this checkout's code).
"""

from __future__ import annotations

import os
import secrets
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import event, text

from bench.web_load.__main__ import CSRF, ROOT, bench_parser, cpu_s, prepare, start_workers
from yuqing.store.db import normalize_url
from yuqing.store.session import Database


def backends(db: Database, dbname: str) -> list[int]:
    with db.engine.connect() as c:
        rows = c.execute(
            text("SELECT pid FROM pg_stat_activity WHERE datname = :d AND pid <> pg_backend_pid()"),
            {"d": dbname},
        )
        return [int(r[0]) for r in rows]


def login(client: httpx.Client, password: str) -> None:
    token = CSRF.search(client.get("/login").text)
    assert token is not None
    r = client.post(
        "/login",
        data={"username": "bench-officer-0", "password": password, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    if r.status_code != 303:
        raise SystemExit(f"login failed: {r.status_code}")


def worker_costs(
    client: httpx.Client,
    db: Database,
    dbname: str,
    worker: int,
    paths: dict[str, str],
    n: int,
    batches: int,
) -> dict[str, dict[str, float]]:
    """Per page, the cheapest of ``batches`` batches of ``n`` requests: on a shared machine
    other work only ever adds to a batch's CPU time, so the minimum is the steadiest figure."""
    out: dict[str, dict[str, float]] = {}
    for page, path in paths.items():
        for _ in range(3):  # warm: templates compiled, caches filled, pool connections open
            client.get(path)
        worker_ms, pg_ms, wall = [], [], []
        size = 0
        for _ in range(batches):
            pg = backends(db, dbname)
            w0, p0 = cpu_s([worker]), cpu_s(pg)
            for _ in range(n):
                t = time.perf_counter()
                r = client.get(path)
                wall.append((time.perf_counter() - t) * 1000)
                size = len(r.content)
                if r.status_code != 200:
                    raise SystemExit(f"{path}: {r.status_code}")
            worker_ms.append((cpu_s([worker]) - w0) * 1000 / n)
            pg_ms.append((cpu_s(backends(db, dbname)) - p0) * 1000 / n)
        out[page] = {
            "worker_ms": min(worker_ms),
            "pg_ms": min(pg_ms),
            "wall_ms": statistics.median(wall),
            "bytes": size,
        }
    return out


def sql_counts(url: str, password: str, paths: dict[str, str]) -> dict[str, int]:
    """SQL statements per request of this checkout's app, served in this process."""
    from fastapi.testclient import TestClient

    from yuqing.app.web import create_app
    from yuqing.config import load

    db = Database(url)
    app = create_app(load(env={"YUQING_DATABASE_URL": url}), db)
    n = [0]

    def count(*_args: Any) -> None:
        n[0] += 1

    out = {}
    with TestClient(app) as client:
        login(client, password)
        event.listen(db.engine, "before_cursor_execute", count)
        for page, path in paths.items():
            client.get(path)
            n[0] = 0
            client.get(path)
            out[page] = n[0]
    db.dispose()
    return out


def main() -> None:
    ap = bench_parser("python -m bench.web_load.profile", __doc__)
    ap.add_argument("--requests", type=int, default=20, help="per batch")
    ap.add_argument("--batches", type=int, default=5)
    args = ap.parse_args()
    if not args.url:
        print("PostgreSQL: skipped (give --url or set YUQING_SCALE_URL)")
        return
    url = normalize_url(args.url)
    db = Database(url)
    incidents = prepare(db, 1, args.password)
    dbname = db.engine.url.database or ""
    paths = {
        "inbox": "/inbox",
        "incident": f"/incidents/{incidents[len(incidents) // 2]}",
        "static": "/static/app.css",
    }
    os.environ.setdefault("YUQING_WEB_SECRET_KEY", secrets.token_hex(32))  # in-process app
    with tempfile.TemporaryDirectory() as tmp:
        procs, bases = start_workers(url, 1, Path(tmp), root=args.root)
        try:
            with httpx.Client(base_url=bases[0], timeout=60) as client:
                login(client, args.password)
                costs = worker_costs(
                    client, db, dbname, procs[0].pid, paths, args.requests, args.batches
                )
        finally:
            for p in procs:
                p.terminate()
                p.wait(timeout=30)
    sql = sql_counts(url, args.password, paths) if args.root.resolve() == ROOT else {}
    db.dispose()
    print(
        f"code: {args.root}; one worker, {args.batches} batches of {args.requests} sequential "
        "requests per page; CPU: the cheapest batch's mean"
    )
    print(
        f"{'page':<10} {'SQL/req':>8} {'worker CPU ms':>14} {'PG CPU ms':>10} "
        f"{'wall ms':>8} {'bytes':>8}"
    )
    for page, r in costs.items():
        n_sql = str(sql[page]) if page in sql else "-"
        print(
            f"{page:<10} {n_sql:>8} {r['worker_ms']:>14.1f} {r['pg_ms']:>10.1f} "
            f"{r['wall_ms']:>8.1f} {r['bytes']:>8.0f}"
        )


if __name__ == "__main__":
    main()
