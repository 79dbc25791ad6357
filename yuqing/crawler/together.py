"""Several sources in one crawl process: one Scrapy reactor, one tagger load, one start-up.

    summaries = crawl_together(config, ["demo-board", "demo-forum"], demo_url=url)

Used by ``yuqing demo`` and the tests, where start-up dominates; the scheduler crawls each
source in its own process (``runner.crawl_source``) so one source cannot hold up another.
Each spider still writes its own crawl_runs row. There is no JOBDIR here (a crawl cut short
starts over next time).

``python -m yuqing.crawler.together NAME... [-s KEY=VALUE]...`` is the child process.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from yuqing.config import Config
from yuqing.crawler.errors import CrawlError, SourceDisabled
from yuqing.crawler.runner import (
    CrawlSummary,
    crawl_env,
    demo_site_for,
    last_error,
    run_process,
    summary_of,
)
from yuqing.store import crawl as crawl_store
from yuqing.store.models import CrawlRun, Source
from yuqing.store.session import Database
from yuqing.store.types import utcnow

log = logging.getLogger(__name__)


def crawl_together(
    config: Config,
    names: Sequence[str],
    demo_url: str | None = None,
    timeout: float | None = None,
    settings: dict[str, Any] | None = None,
    on_progress: Callable[[CrawlSummary], None] | None = None,
    force: bool = False,
) -> list[CrawlSummary]:
    """Crawl ``names`` in one subprocess; a summary per source, in input order."""
    sources = []
    for name in names:
        try:
            source = config.sources.get(name)
        except KeyError:
            raise CrawlError(f"no source named {name!r} in sources.yaml") from None
        if not source.enabled and not force:
            raise SourceDisabled(name)
        sources.append(source)
    limit = timeout if timeout is not None else max(s.timeout.total_seconds() for s in sources)
    db = Database.from_settings(config.settings)
    try:
        db.check_schema()
        with demo_site_for(config, names, demo_url) as url:
            log_path = Path(config.settings.data_dir).resolve() / "logs" / "crawl-together.log"
            log_path.parent.mkdir(parents=True, exist_ok=True)
            cmd = [sys.executable, "-m", "yuqing.crawler.together", *names]
            for key, value in (settings or {}).items():
                cmd += ["-s", f"{key}={value}"]
            env = crawl_env(config, url, 0)
            env.pop("YUQING_RUN_ID")
            since = utcnow() - timedelta(seconds=1)
            started = time.monotonic()
            status = run_process(cmd, env, log_path, limit)
            took = round(time.monotonic() - started, 2)
        message = f"timed out after {limit:g}s" if status == "timeout" else ""
        if status not in ("0", "timeout"):
            message = last_error(log_path) or f"crawl process exited with status {status}"
        out = []
        for source in sources:
            run_id = _close_run(db, source.name, source.kind, since, status, message)
            summary = summary_of(db, source.name, run_id, message, str(log_path))
            if not summary.duration_s:
                summary.duration_s = took
            if on_progress is not None:
                on_progress(summary)
            out.append(summary)
        return out
    finally:
        db.dispose()


def _close_run(db: Database, name: str, kind: str, since: Any, status: str, message: str) -> int:
    """The run the child wrote for ``name``; failed/timeout rows for what it left open."""
    with db.session() as s:
        run_id = s.execute(
            select(CrawlRun.id)
            .join(Source, Source.id == CrawlRun.source_id)
            .where(Source.name == name, CrawlRun.started_at >= since)
            .order_by(CrawlRun.id.desc())
            .limit(1)
        ).scalar()
        if run_id is None:
            run_id = crawl_store.start_run(s, name, kind)
        if status == "timeout":
            crawl_store.mark_timeout(s, run_id, message)
        elif crawl_store.run_status(s, run_id) == "running":
            crawl_store.fail_run(s, run_id, "failed", message or "the crawl did not finish")
        return run_id


def main(argv: list[str]) -> int:
    """The child: run every named spider in one CrawlerProcess."""
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.project import get_project_settings

    from yuqing.crawler.storing import resolve_all

    names: list[str] = []
    settings = get_project_settings()
    args = iter(argv)
    for arg in args:
        if arg == "-s":
            key, _, value = next(args).partition("=")
            settings.set(key, value, priority="cmdline")
        else:
            names.append(arg)
    process = CrawlerProcess(settings)
    crawlers = [process.create_crawler(name) for name in names]
    for crawler in crawlers:
        process.crawl(crawler)
    process.start()
    resolve_all()  # reposts whose original another crawler stored after them
    reasons = [c.stats.get_value("finish_reason") if c.stats else None for c in crawlers]
    return 0 if all(r == "finished" for r in reasons) else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
