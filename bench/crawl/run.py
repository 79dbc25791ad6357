"""Crawl benchmark: the full pipeline (spiders → validate → normalize → dedupe → tag → store)
over a demo site of at least 5,000 posts, against a bare Scrapy spider fetching the same pages
without processing them, in one run.

    .venv/bin/python -m bench.crawl [--posts 5000] [--repeat 3] [--tagger on|off] [--workdir DIR]
    python bench/crawl/run.py ...

1. A DemoSite with ``--posts`` posts (``DemoSite(scale=N)``) serves on 127.0.0.1 in this
   process; the crawls run in child processes, as in production.
2. The tagger model is built (or loaded) first in a child process, so the crawl does not pay
   for training.
3. Each round, interleaved (a busy machine slows all alike; each figure is the best of
   ``--repeat`` rounds):

   * full: every enabled demo source in one crawl process (``crawl_together``) into a new
     SQLite database, recording each request it makes; tagging and storing run in the crawl
     process's store worker (``yuqing.crawler.worker``);
   * bare: one bare spider per source in one process, fetching exactly the recorded requests
     with the crawl's download and engine settings, doing nothing with the responses (the
     baseline: ``bench/crawl/bare.py``);
   * bare, Scrapy defaults: the same with Scrapy's default engine settings (for reference: the
     baseline the first measurements used);
   * spiders only: the crawl with no item pipelines (parsing and link following only), into
     another new database (the breakdown).

Throughput is pages per second from the first spider opened to the last closed (process
start-up, the worker's start and the tagger load are reported apart). Issue 15 retired the
0.8 full/bare target (on 2 cores the pipeline is CPU-bound): the figure is CPU-seconds per
1,000 posts stored and tagged (children's CPU: the crawl process and its store worker)
against the bare spider's CPU for the same pages, and, each turned off in a variant, what GC
freezing and the CoreStats shortcut still save per post. Peak memory is each process's peak
resident set (VmHWM): the crawl process, its store worker, the bare process.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
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

_ROOT = Path(__file__).resolve().parents[2]
KINDS = (
    "full",
    "bare",
    "bare_scrapy_defaults",
    "spiders_only",
    "full_gc_default",
    "full_corestats",
)
# The crawler machinery that served the retired full/bare ratio, each measured by turning it off
# (issue 15): GcFreeze (yuqing.crawler.gcfreeze) and ScrapedCounter (CoreStats' item_scraped
# receiver disconnected, items counted by the last pipeline; yuqing.crawler.health).
VARIANTS = {
    "full_gc_default": {"YUQING_GC_FREEZE": "off"},
    "full_corestats": {"ITEM_PIPELINES_BASE": "{}"},
}


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


def _prepare_tagger(data_dir: Path) -> float:
    """Build or load the tagger model in a child (it is saved under the data dir)."""
    code = (
        "from yuqing.config import load; from yuqing.nlp.loader import load_tagger; "
        f"load_tagger(load(overrides={{'data_dir': {str(data_dir)!r}}}, env={{}}))"
    )
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, cwd=_ROOT, env=_env())
    return time.perf_counter() - started


def _cpu() -> tuple[float, float]:
    """CPU seconds so far of this process (the demo site's threads) and of its finished
    children (crawl process, store worker, bare process)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime


def _cpu_since(before: tuple[float, float]) -> dict[str, float]:
    now = _cpu()
    return {
        "server_cpu_s": round(now[0] - before[0], 2),
        "children_cpu_s": round(now[1] - before[1], 2),
    }


def _crawl(config: Config, names: list[str], url: str, settings: dict[str, str]) -> dict[str, Any]:
    started, cpu = time.perf_counter(), _cpu()
    summaries = crawl_together(config, names, demo_url=url, timeout=3600, settings=settings)
    wall = time.perf_counter() - started
    used = _cpu_since(cpu)
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
            stats = [r.stats or {} for r in runs]
            return {
                "seconds": (end - start).total_seconds(),
                "process_seconds": wall,
                "pages": sum(r.pages for r in runs),
                "items": sum(r.items_scraped for r in runs),
                "dropped": sum(r.items_dropped for r in runs),
                "drops": {f"{r.source_id}": r.drops for r in runs if r.drops},
                "posts_stored": posts,
                "posts_tagged": tagged,
                "clusters": clusters,
                "peak_rss_mb": max(float(st.get("peak_rss_mb", 0)) for st in stats),
                "worker_peak_rss_mb": max(
                    float(st.get("store_worker_peak_rss_mb", 0)) for st in stats
                ),
                "per_source": {s.source: s.items_scraped for s in summaries},
                **used,
            }
    finally:
        db.dispose()


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(_ROOT)}


def _bare_run(urls: Path, result: Path, scrapy_defaults: bool) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "bench.crawl.bare", str(urls), str(result)]
    if scrapy_defaults:
        cmd.append("--scrapy-defaults")
    started, cpu = time.perf_counter(), _cpu()
    subprocess.run(cmd, env=_env(), check=True, cwd=_ROOT)
    figures: dict[str, Any] = json.loads(result.read_text(encoding="utf-8"))
    figures["process_seconds"] = time.perf_counter() - started
    figures.update(_cpu_since(cpu))
    return figures


def _round(
    n: int, workdir: Path, names: list[str], url: str, tagger: str, model_dir: Path
) -> dict[str, dict[str, Any]]:
    """One run of each kind, interleaved; fresh databases (a second crawl would be
    incremental)."""
    quiet = {"LOG_LEVEL": "WARNING"}
    here = workdir / f"round{n}"
    urls = here / "requests.tsv"
    full_cfg = _config(here / "full")
    _share_model(model_dir, here / "full" / "var")
    out = {
        "full": _crawl(
            full_cfg,
            names,
            url,
            {**quiet, "YUQING_RECORD_URLS": str(urls), "YUQING_TAGGER": tagger},
        )
    }
    out["bare"] = _bare_run(urls, here / "bare.json", scrapy_defaults=False)
    out["bare_scrapy_defaults"] = _bare_run(urls, here / "bare-defaults.json", True)
    out["spiders_only"] = _crawl(
        _config(here / "spiders"), names, url, {**quiet, "ITEM_PIPELINES": "{}"}
    )
    for kind, extra in VARIANTS.items():
        cfg = _config(here / kind)
        _share_model(model_dir, here / kind / "var")
        out[kind] = _crawl(cfg, names, url, {**quiet, "YUQING_TAGGER": tagger, **extra})
    posts = out["full"]["posts_stored"]
    for figures in out.values():
        figures["pages_per_s"] = figures["pages"] / figures["seconds"]
        # the bare kinds and spiders-only store nothing: their CPU per 1,000 of the posts the
        # full crawl stored (the same pages)
        stored = figures.get("posts_stored") or posts or 1
        figures["cpu_s_per_1000_posts"] = figures["children_cpu_s"] * 1000 / stored
    return out


def _share_model(model_dir: Path, data_dir: Path) -> None:
    """The model prepared once, linked into a round's data dir (no rebuild per round)."""
    target = data_dir / "models"
    if model_dir.exists() and not target.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        target.symlink_to(model_dir, target_is_directory=True)


def _best(rounds: list[dict[str, dict[str, Any]]], kind: str) -> dict[str, Any]:
    """The round with the least CPU per 1,000 posts (a busy machine only adds to it)."""
    return min((r[kind] for r in rounds), key=lambda f: f["cpu_s_per_1000_posts"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=5000, help="posts on the demo site")
    parser.add_argument("--repeat", type=int, default=3, help="rounds; the best of each counts")
    parser.add_argument("--tagger", choices=("on", "off"), default="on")
    parser.add_argument("--workdir", type=Path, default=None, help="keep files here")
    args = parser.parse_args(argv)
    if args.posts < 5000:
        parser.error("--posts must be at least 5000 (the demo site's benchmark scale)")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="yuqing-bench-crawl-"))
    workdir.mkdir(parents=True, exist_ok=True)
    config = _config(workdir / "model")
    names = [n for n in enabled_sources(config) if config.sources.get(n).uses_demo]
    model_data = workdir / "model" / "var"
    tagger_load = _prepare_tagger(model_data) if args.tagger == "on" else 0.0
    load_before = os.getloadavg()
    rounds = []
    with DemoSite(scale=args.posts) as site:
        print(f"demo site: {site.base_url}, {sum(site.state.count().values())} posts")
        for n in range(1, args.repeat + 1):
            rounds.append(
                _round(n, workdir, names, site.base_url, args.tagger, model_data / "models")
            )
            line = ", ".join(f"{k} {rounds[-1][k]['pages_per_s']:.0f}" for k in KINDS)
            print(f"round {n}: pages/s {line}")
    best = {k: _best(rounds, k) for k in KINDS}
    rates = {k: best[k]["pages_per_s"] for k in KINDS}
    ratio = rates["full"] / rates["bare"]

    def cpu(kind: str) -> float:
        return float(best[kind]["cpu_s_per_1000_posts"])

    report = {
        "posts_on_site": args.posts,
        "sources": names,
        "tagger": args.tagger,
        "tagger_load_seconds": round(tagger_load, 2),
        "cpus": os.cpu_count(),
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
        "repeat": args.repeat,
        "best": best,
        "rounds": rounds,
        "throughput_pages_per_s": {k: round(v, 1) for k, v in rates.items()},
        "ratio": round(ratio, 3),
        "ratio_vs_bare_scrapy_defaults": round(rates["full"] / rates["bare_scrapy_defaults"], 3),
        "ratio_spiders_only_vs_bare": round(rates["spiders_only"] / rates["bare"], 3),
        "ratio_full_vs_spiders_only": round(rates["full"] / rates["spiders_only"], 3),
        "cpu_s_per_1000_posts": {k: round(best[k]["cpu_s_per_1000_posts"], 2) for k in KINDS},
        # > 1: turning the machinery off costs that much more CPU per post (it pays)
        "cpu_ratio_gc_default_vs_full": round(cpu("full_gc_default") / cpu("full"), 3),
        "cpu_ratio_corestats_vs_full": round(cpu("full_corestats") / cpu("full"), 3),
        "cpu_ratio_full_vs_bare": round(cpu("full") / cpu("bare"), 3),
    }
    (workdir / "results.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    _print(report, best, rates, ratio, workdir)
    return 0


def _print(
    report: dict[str, Any],
    best: dict[str, dict[str, Any]],
    rates: dict[str, float],
    ratio: float,
    workdir: Path,
) -> None:
    full, bare, spiders = best["full"], best["bare"], best["spiders_only"]
    defaults = best["bare_scrapy_defaults"]
    load = report["load_average_before"][0], report["load_average_after"][0]
    print(
        f"sources: {', '.join(report['sources'])} (tagger {report['tagger']}); "
        f"{report['cpus']} CPUs, load average {load[0]:.1f} → {load[1]:.1f}; "
        f"best of {report['repeat']} interleaved rounds"
    )
    print(
        f"full pipeline: {full['pages']} pages, {full['items']} items "
        f"({full['posts_stored']} posts stored, {full['posts_tagged']} tagged, "
        f"{full['clusters']} clusters) in {full['seconds']:.1f}s = {rates['full']:.0f} pages/s; "
        f"peak RSS crawl process {full['peak_rss_mb']:.0f} MB, "
        f"store worker {full['worker_peak_rss_mb']:.0f} MB"
    )
    print(
        f"bare spider:   {bare['pages']} pages in {bare['seconds']:.1f}s = "
        f"{rates['bare']:.0f} pages/s; peak RSS {bare['peak_rss_mb']:.0f} MB"
    )
    print(
        f"bare spider, Scrapy's default engine settings: {defaults['seconds']:.1f}s = "
        f"{rates['bare_scrapy_defaults']:.0f} pages/s"
    )
    print(
        f"spiders only (parse + follow links, no pipelines): {spiders['pages']} pages in "
        f"{spiders['seconds']:.1f}s = {rates['spiders_only']:.0f} pages/s; "
        f"peak RSS {spiders['peak_rss_mb']:.0f} MB"
    )
    print(
        f"start-up: full process {full['process_seconds']:.1f}s wall in all (store worker "
        f"start included), bare {bare['process_seconds']:.1f}s; tagger build/load beforehand "
        f"{report['tagger_load_seconds']:.1f}s"
    )
    print(
        "CPU seconds (start-up included; the demo site's are this process's): "
        + "; ".join(
            f"{k} {best[k]['children_cpu_s']:.1f} + demo site {best[k]['server_cpu_s']:.1f}"
            for k in KINDS
        )
    )
    per = report["cpu_s_per_1000_posts"]
    print(
        f"CPU-seconds per 1,000 posts stored and tagged: full {per['full']:.2f}, bare "
        f"Scrapy fetching the same pages {per['bare']:.2f} "
        f"(full/bare {report['cpu_ratio_full_vs_bare']:.2f}), "
        f"spiders only {per['spiders_only']:.2f}"
    )
    print(
        f"machinery (CPU per post with it off / on; > 1 pays): GC freezing "
        f"{report['cpu_ratio_gc_default_vs_full']:.3f} ({per['full_gc_default']:.2f}), "
        f"CoreStats' receiver kept {report['cpu_ratio_corestats_vs_full']:.3f} "
        f"({per['full_corestats']:.2f})"
    )
    print(
        f"ratio full/bare throughput: {ratio:.2f} (for reference; issue 15 retired its target); "
        f"full/bare with Scrapy defaults {report['ratio_vs_bare_scrapy_defaults']:.2f}, "
        f"spiders-only/bare {report['ratio_spiders_only_vs_bare']:.2f}, "
        f"full/spiders-only {report['ratio_full_vs_spiders_only']:.2f}"
    )
    print(f"details: {workdir / 'results.json'}")


if __name__ == "__main__":
    raise SystemExit(main())
