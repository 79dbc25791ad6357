"""Crawl throughput on 1 and 2 Scrapyd nodes (issue 15): the scaling ratio.

    .venv/bin/python -m bench.crawl.fleet [--posts 5000] [--jobs-per-node 1] [--workdir DIR]
    bash .ci/with-postgres .venv/bin/python -m bench.crawl.fleet   # nodes write to PostgreSQL

Every enabled demo source is crawled through :class:`yuqing.app.fleet.dispatch.FleetRunner`
(the scheduler's runner for ``crawl.backend: scrapyd``) on Scrapyd nodes started on 127.0.0.1,
first with one node, then with two, each into a new database (SQLite under the work dir, or a
new PostgreSQL database when ``YUQING_TEST_POSTGRES_URL`` is set). Throughput is pages per second
from the first dispatch to the last crawl's end; the ratio is 2 nodes / 1 node. Nodes on one
machine share its cores: on 2 cores the ratio says how much the second node's parallelism buys
there, not what a second machine would.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, make_url, select, text

from bench.crawl.run import _prepare_tagger, _share_model
from yuqing.app.fleet.client import ScrapydClient
from yuqing.app.fleet.dispatch import FleetRunner
from yuqing.config import load
from yuqing.config.crawl import ScrapydNode
from yuqing.crawler.demo_site import DemoSite
from yuqing.store.db import upgrade
from yuqing.store.models import CrawlRun, Post
from yuqing.store.session import Database


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start_node(root: Path, name: str, slots: int, env: dict[str, str]) -> tuple[Any, str]:
    home = root / name
    home.mkdir(parents=True)
    port = _port()
    (home / "scrapyd.conf").write_text(
        f"[scrapyd]\nbind_address = 127.0.0.1\nhttp_port = {port}\nmax_proc = {slots}\n"
        "poll_interval = 0.2\nlogs_dir = logs\neggs_dir = eggs\ndbs_dir = dbs\n",
        encoding="utf-8",
    )
    (home / "scrapy.cfg").write_text("[settings]\nyuqing = yuqing.crawler.settings\n")
    proc = subprocess.Popen(
        [sys.executable, "-m", "scrapyd", "--nodaemon", "--pidfile="],
        cwd=home,
        env=env,
        stdout=open(home / "scrapyd.out", "wb"),  # noqa: SIM115
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    client = ScrapydClient(ScrapydNode(name=name, url=url))
    for _ in range(600):
        try:
            client.daemonstatus()
            return proc, url
        except Exception:
            time.sleep(0.1)
    raise SystemExit(f"scrapyd {name} did not start (see {home / 'scrapyd.out'})")


def _database_url(workdir: Path, label: str) -> tuple[str, Any]:
    pg = os.environ.get("YUQING_TEST_POSTGRES_URL")
    if not pg:
        return f"sqlite:///{workdir / f'{label}.db'}", None
    base = make_url(pg)
    name = f"yuqing_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    return base.set(database=name).render_as_string(hide_password=False), admin


def _run(n_nodes: int, slots: int, workdir: Path, url: str, model_dir: Path) -> dict[str, Any]:
    here = workdir / f"{n_nodes}-nodes"
    data_dir = here / "var"
    _share_model(model_dir, data_dir)
    db_url, admin = _database_url(workdir, f"{n_nodes}-nodes")
    env = {k: v for k, v in os.environ.items() if not k.startswith("YUQING_")}
    env |= {
        "YUQING_DATA_DIR": str(data_dir),
        "YUQING_DATABASE_URL": db_url,
        "YUQING_DEMO_URL": url,
        "YUQING_AUTHOR_HASH_KEY": "bench-key",
        "YUQING_CRAWL_LOG_LEVEL": "WARNING",
    }
    nodes = [_start_node(here, f"n{i + 1}", slots, env) for i in range(n_nodes)]
    db = Database(db_url)
    try:
        upgrade(db.engine)
        overrides: dict[str, Any] = {
            "data_dir": str(data_dir),
            "database_url": db_url,
            "crawl": {
                "backend": "scrapyd",
                "poll_seconds": 0.2,
                "nodes": [
                    {"name": f"n{i + 1}", "url": u, "max_jobs": slots}
                    for i, (_, u) in enumerate(nodes)
                ],
            },
        }
        config = load(overrides=overrides, env={})
        names = [s.name for s in config.sources.sources if s.enabled and s.uses_demo]
        os.environ["YUQING_DEMO_URL"] = url
        runner = FleetRunner(config, threading.Event(), db)
        started = time.perf_counter()
        codes = runner.run_many(names)
        wall = time.perf_counter() - started
        if any(code != 0 for code in codes.values()):
            raise SystemExit(f"crawls failed on {n_nodes} node(s): {codes}")
        with db.session() as s:
            runs = list(s.scalars(select(CrawlRun)))
            posts = s.scalar(select(func.count()).select_from(Post)) or 0
        pages = sum(r.pages for r in runs)
        return {
            "nodes": n_nodes,
            "jobs_per_node": slots,
            "sources": len(names),
            "seconds": round(wall, 2),
            "pages": pages,
            "posts_stored": posts,
            "pages_per_s": pages / wall,
            "per_node": {
                n: sum(1 for r in runs if r.node == n) for n in sorted({r.node or "" for r in runs})
            },
        }
    finally:
        db.dispose()
        for proc, _ in nodes:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=60)
        if admin is not None:
            with admin.connect() as conn:
                name = make_url(db_url).database
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=5000, help="posts on the demo site")
    parser.add_argument("--jobs-per-node", type=int, default=1, help="max_jobs of each node")
    parser.add_argument("--workdir", type=Path, default=None, help="keep files here")
    args = parser.parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="yuqing-bench-fleet-"))
    workdir.mkdir(parents=True, exist_ok=True)
    model_data = workdir / "model" / "var"
    _prepare_tagger(model_data)
    load_before = os.getloadavg()
    with DemoSite(scale=args.posts) as site:
        one = _run(1, args.jobs_per_node, workdir, site.base_url, model_data / "models")
        print(
            f"1 node:  {one['pages']} pages in {one['seconds']:.1f}s = {one['pages_per_s']:.0f}/s"
        )
        two = _run(2, args.jobs_per_node, workdir, site.base_url, model_data / "models")
        print(
            f"2 nodes: {two['pages']} pages in {two['seconds']:.1f}s = {two['pages_per_s']:.0f}/s"
        )
    ratio = two["pages_per_s"] / one["pages_per_s"]
    report = {
        "posts_on_site": args.posts,
        "cpus": os.cpu_count(),
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
        "one_node": one,
        "two_nodes": two,
        "scaling_ratio": round(ratio, 3),
    }
    (workdir / "fleet.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(
        f"scaling ratio 2 nodes / 1 node: {ratio:.2f} ({os.cpu_count()} CPUs, load average "
        f"{load_before[0]:.1f} → {report['load_average_after'][0]:.1f}); details: "
        f"{workdir / 'fleet.json'}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
