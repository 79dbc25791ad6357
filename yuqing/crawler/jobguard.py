"""The JOBDIR bookkeeping of :mod:`yuqing.crawler.jobdir`, inside the crawl process — for
crawls that no yuqing runner starts: those Scrapyd runs on a node (``crawl.backend: scrapyd``,
issue 15). On with ``YUQING_JOB_GUARD=on`` (the fleet's dispatcher sets it).

Before Scrapy opens the JOBDIR (extensions are made before the engine), the guard runs
:func:`~yuqing.crawler.jobdir.prepare`: a job saved cleanly (SIGTERM: ``cancel.json``, the
node's shutdown) is resumed; one whose process died (its node was killed) is discarded — its
seen set lists pages its queue never saved — and the spider starts from the watermark. When
the spider closes, :func:`~yuqing.crawler.jobdir.settle` clears, saves or discards it, as the
local runner does after its subprocess.

First of all the guard takes the source's lock (:mod:`yuqing.crawler.sourcelock`): a crawl
dispatched again while the first still runs (its node's Scrapyd died, not the crawl) is refused.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

from yuqing.crawler import jobdir as jobs
from yuqing.crawler.context import context_for
from yuqing.crawler.errors import SourceLocked
from yuqing.crawler.sourcelock import SourceLock
from yuqing.store import crawl as crawl_store

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler

log = logging.getLogger(__name__)
_ON = ("on", "1", "true", "yes")


class JobGuard:
    def __init__(
        self, crawler: Crawler, jobdir: Path, job: jobs.Job, lock: SourceLock | None = None
    ) -> None:
        self.crawler = crawler
        self.jobdir = jobdir
        self.job = job
        self.lock = lock

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if str(settings.get("YUQING_JOB_GUARD", "off")).lower() not in _ON:
            raise NotConfigured
        path, run_id = settings.get("JOBDIR"), settings.get("YUQING_RUN_ID")
        name = getattr(crawler.spidercls, "name", None)
        if not path or not run_id or not name:
            raise NotConfigured
        ctx = context_for(crawler)
        source = ctx.config.sources.get(name)
        jobdir = Path(path)
        jobdir.parent.mkdir(parents=True, exist_ok=True)
        if jobdir.is_dir() and not any(jobdir.iterdir()):
            jobdir.rmdir()  # made empty just now by Scrapy's SpiderState: nothing was saved
        db = ctx.database()
        lock = SourceLock(db, name)
        try:
            lock.acquire()  # before the JOBDIR: another crawl of the source may be using it
        except SourceLocked as exc:
            log.error("crawl %s refused: %s", name, exc)
            with db.session() as s:
                crawl_store.fail_run(s, int(run_id), "failed", f"refused: {exc}")
            raise
        print_ = jobs.fingerprint(ctx.config, source, ctx.demo_url or None)
        mode, why, job = jobs.prepare(db, jobdir, source, print_)
        with db.session() as s:
            jobs.note_start(s, int(run_id), mode, why, job)
        job.run_ids.append(int(run_id))
        jobdir.mkdir(parents=True, exist_ok=True)
        jobs.write_job(jobdir, job)  # state "running" until the spider closes
        guard = cls(crawler, jobdir, job, lock)
        # after RunRecorder's (an extension made before this one): the run is closed by then
        crawler.signals.connect(guard.spider_closed, signal=signals.spider_closed)
        return guard

    def spider_closed(self, spider: Any, reason: str) -> None:
        try:
            jobs.settle(context_for(self.crawler).database(), self.jobdir, self.job, 0)
        finally:
            if self.lock is not None:
                self.lock.release()
