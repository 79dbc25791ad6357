"""Crawl benchmark: the full pipeline (spiders → validate → normalize → dedupe → tag → store)
over a demo site of at least 5,000 posts, against a bare Scrapy spider fetching the same pages
without processing them, in one run.

    .venv/bin/python -m bench.crawl [--posts 5000] [--tagger on|off] [--workdir DIR]
    python bench/crawl/run.py ...

1. A DemoSite with ``--posts`` posts (``DemoSite(scale=N)``) serves on 127.0.0.1 in this
   process; the crawls run in child processes, as in production.
2. The tagger model is built (or loaded) first in a child process, so the crawl does not pay
   for training.
3. Full run: every enabled demo source in one crawl process (``crawl_together``), into a new
   SQLite database, recording each request it makes.
4. Baseline: one bare spider per source in one process, fetching exactly the recorded
   requests with the same per-source concurrency, doing nothing with the responses.
5. For the breakdown, also the same spiders with no item pipelines (parsing and link
   following only), into another new database.

Throughput is pages per second from the first spider opened to the last closed (process
start-up and the tagger load are reported apart). Target: full / bare >= 0.8. Peak memory is
each crawl process's peak resident set (VmHWM).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a file: python bench/crawl/run.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import func, select

from yuqing.config import Config, load
from yuqing.crawler.demo_site import DemoSite
from yuqing.crawler.runner import enabled_sources
from yuqing.crawler.together import crawl_together
from yuqing.store.db import upgrade
from yuqing.store.models import CrawlRun, Post, PostTag
from yuqing.store.session import Database

TARGET = 0.8
_ROOT = Path(__file__).resolve().parents[2]


def _config(workdir: Path) -> Config:
    db_url = f"sqlite:///{workdir / 'bench.db'}"
    config = load(
        overrides={"data_dir": str(workdir / "var"), "database_url": db_url},
        env={"YUQING_AUTHOR_HASH_KEY": "bench-key"},
    )
    db = Database(db_url)
    upgrade(db.engine)
    db.dispose()
    return config


def _prepare_tagger(workdir: Path) -> float:
    """Build or load the tagger model in a child (it is saved under the data dir)."""
    code = (
        "from yuqing.config import load; from yuqing.nlp.tagger import load_tagger; "
        f"load_tagger(load(overrides={{'data_dir': {str(workdir / 'var')!r}}}, env={{}}))"
    )
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, cwd=_ROOT, env=_env())
    return time.perf_counter() - started


def _crawl(config: Config, names: list[str], url: str, settings: dict[str, str]) -> dict[str, Any]:
    started = time.perf_counter()
    summaries = crawl_together(config, names, demo_url=url, timeout=3600, settings=settings)
    wall = time.perf_counter() - started
    failed = [s.line() for s in summaries if not s.ok]
    if failed:
        raise SystemExit("crawl failed:\n" + "\n".join(failed))
    db = Database(config.settings.effective_database_url)
    try:
        with db.session() as s:
            runs = list(s.execute(select(CrawlRun)).scalars())
            posts = s.execute(select(func.count()).select_from(Post)).scalar_one()
            tagged = s.execute(select(func.count()).select_from(PostTag)).scalar_one()
            clusters = s.execute(select(func.count(func.distinct(Post.cluster_id)))).scalar_one()
            start = min(r.started_at for r in runs)
            end = max(r.finished_at for r in runs if r.finished_at is not None)
            return {
                "seconds": (end - start).total_seconds(),
                "process_seconds": wall,
                "pages": sum(r.pages for r in runs),
                "items": sum(r.items_scraped for r in runs),
                "dropped": sum(r.items_dropped for r in runs),
                "posts_stored": posts,
                "posts_tagged": tagged,
                "clusters": clusters,
                "peak_rss_mb": max(float(r.stats.get("peak_rss_mb", 0)) for r in runs),
                "per_source": {s.source: s.items_scraped for s in summaries},
            }
    finally:
        db.dispose()


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(_ROOT)}


def _bare_run(urls: Path, result: Path, concurrency: int) -> dict[str, Any]:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "bench.crawl.bare", str(urls), str(result), str(concurrency)],
        env=_env(),
        check=True,
        cwd=_ROOT,
    )
    figures: dict[str, Any] = json.loads(result.read_text(encoding="utf-8"))
    figures["process_seconds"] = time.perf_counter() - started
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=5000, help="posts on the demo site")
    parser.add_argument("--tagger", choices=("on", "off"), default="on")
    parser.add_argument("--workdir", type=Path, default=None, help="keep files here")
    args = parser.parse_args(argv)
    if args.posts < 5000:
        parser.error("--posts must be at least 5000 (the demo site's benchmark scale)")
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="yuqing-bench-crawl-"))
    workdir.mkdir(parents=True, exist_ok=True)
    config = _config(workdir / "full")
    names = [n for n in enabled_sources(config) if config.sources.get(n).uses_demo]
    concurrency = max(config.sources.get(n).concurrency for n in names)
    tagger_load = _prepare_tagger(workdir / "full") if args.tagger == "on" else 0.0
    urls = workdir / "requests.tsv"
    urls.unlink(missing_ok=True)
    quiet = {"LOG_LEVEL": "WARNING"}
    with DemoSite(scale=args.posts) as site:
        print(f"demo site: {site.base_url}, {sum(site.state.count().values())} posts")
        full = _crawl(
            config,
            names,
            site.base_url,
            {**quiet, "YUQING_RECORD_URLS": str(urls), "YUQING_TAGGER": args.tagger},
        )
        bare = _bare_run(urls, workdir / "bare.json", concurrency)
        spiders = _crawl(
            _config(workdir / "spiders"), names, site.base_url, {**quiet, "ITEM_PIPELINES": "{}"}
        )
    rates = {
        k: r["pages"] / r["seconds"]
        for k, r in (("full", full), ("bare", bare), ("spiders_only", spiders))
    }
    ratio = rates["full"] / rates["bare"]
    report = {
        "posts_on_site": args.posts,
        "sources": names,
        "tagger": args.tagger,
        "tagger_load_seconds": round(tagger_load, 2),
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
        "full": full,
        "bare": bare,
        "spiders_only": spiders,
        "throughput_pages_per_s": {k: round(v, 1) for k, v in rates.items()},
        "ratio": round(ratio, 3),
        "ratio_spiders_only_vs_bare": round(rates["spiders_only"] / rates["bare"], 3),
        "ratio_full_vs_spiders_only": round(rates["full"] / rates["spiders_only"], 3),
        "target": TARGET,
    }
    (workdir / "results.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(
        f"sources: {', '.join(names)} (tagger {args.tagger}); {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    print(
        f"full pipeline: {full['pages']} pages, {full['items']} items "
        f"({full['posts_stored']} posts stored, {full['posts_tagged']} tagged, "
        f"{full['clusters']} clusters) in {full['seconds']:.1f}s = {rates['full']:.0f} pages/s; "
        f"peak RSS {full['peak_rss_mb']:.0f} MB"
    )
    print(
        f"bare spider:   {bare['pages']} pages in {bare['seconds']:.1f}s = "
        f"{rates['bare']:.0f} pages/s; peak RSS {bare['peak_rss_mb']:.0f} MB"
    )
    print(
        f"spiders only (parse + follow links, no pipelines): {spiders['pages']} pages in "
        f"{spiders['seconds']:.1f}s = {rates['spiders_only']:.0f} pages/s; "
        f"peak RSS {spiders['peak_rss_mb']:.0f} MB"
    )
    print(
        f"start-up: full process {full['process_seconds']:.1f}s wall in all, bare "
        f"{bare['process_seconds']:.1f}s; tagger build/load beforehand {tagger_load:.1f}s"
    )
    verdict = "meets" if ratio >= TARGET else "BELOW"
    print(
        f"ratio full/bare throughput: {ratio:.2f} ({verdict} the {TARGET} target); "
        f"spiders-only/bare {report['ratio_spiders_only_vs_bare']:.2f}, "
        f"full/spiders-only {report['ratio_full_vs_spiders_only']:.2f}"
    )
    print(f"details: {workdir / 'results.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
