"""Command line of the scale benchmark (see the package README)."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from yuqing.store.db import normalize_url, upgrade


def _dsn(url: str) -> str:
    return (
        make_url(normalize_url(url))
        .set(drivername="postgresql")
        .render_as_string(hide_password=False)
    )


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.scale")
    ap.add_argument(
        "--url",
        default=os.environ.get("YUQING_SCALE_URL"),
        help="PostgreSQL database to fill and measure (YUQING_SCALE_URL)",
    )
    sub = ap.add_subparsers(dest="cmd", required=True)
    p_load = sub.add_parser("load", help="add generated posts up to --posts (COPY)")
    p_load.add_argument("--posts", type=int, default=10_000_000)
    p_load.add_argument("--workers", type=int, default=2, help="parallel COPY connections")
    p_measure = sub.add_parser("measure", help="measure the database as it is now")
    p_measure.add_argument("--out", type=Path, required=True, help="JSON file of the figures")
    p_measure.add_argument("--ingest", type=int, default=20_000)
    p_measure.add_argument("--skip-purge", action="store_true")
    p_measure.add_argument("--purge-only", action="store_true", help="only the month's purge")
    p_measure.add_argument(
        "--purge-days", type=int, default=30, help="purge this many of the oldest days"
    )
    p_report = sub.add_parser("report", help="growth between two measure files")
    p_report.add_argument("small", type=Path)
    p_report.add_argument("large", type=Path)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    if args.cmd == "report":
        from bench.scale.measure import report

        report(json.loads(args.small.read_text()), json.loads(args.large.read_text()))
        return
    if not args.url:
        print("PostgreSQL: skipped (give --url or set YUQING_SCALE_URL)")
        return
    url = normalize_url(args.url)
    engine = create_engine(url)
    with engine.connect() as c:
        if c.dialect.name != "postgresql":
            sys.exit("bench.scale: PostgreSQL only")
        c.execute(text("SELECT 1"))
    upgrade(engine)
    engine.dispose()
    if args.cmd == "load":
        from bench.scale.generate import load

        timings = load(_dsn(url), args.posts, workers=args.workers)
        print(json.dumps({"posts": args.posts, **{k: round(v, 1) for k, v in timings.items()}}))
    else:
        from bench.scale.measure import measure

        figures = measure(
            url,
            args.ingest,
            purge=not args.skip_purge,
            only_purge=args.purge_only,
            purge_days=args.purge_days,
        )
        args.out.write_text(json.dumps(figures, indent=2, ensure_ascii=False))
        print(json.dumps(figures, indent=2, ensure_ascii=False))
