"""Resumable crawls: the bookkeeping around Scrapy's JOBDIR (``<data_dir>/crawl-jobs/<source>``).

Scrapy keeps a crawl's pending requests (``requests.queue``), the fingerprints of every request
it scheduled (``requests.seen``) and ``spider.state`` in the JOBDIR, and writes the queue's
index when the spider *closes*. A JOBDIR is therefore only as good as the way its crawl ended:

* closed cleanly before the end (SIGTERM: the scheduler stopping, a timeout, Ctrl-C): the queue
  holds exactly what was still to fetch, and the next crawl resumes it;
* killed (SIGKILL, OOM, power loss): the seen set says pages were scheduled that the queue
  never saved; resuming would skip them for good. Such a JOBDIR is discarded.

The runner records which case it is in ``yuqing-job.json`` next to Scrapy's files (state
``running`` while the process runs, ``interrupted`` once it closed cleanly with requests
pending) together with a fingerprint of what the requests depend on (the source's settings,
the demo site's URL, the Scrapy version). Before a crawl, :func:`prepare` resumes the job or
discards it with a logged reason: a job file missing or still ``running`` (the process died),
another fingerprint (the source changed, e.g. its start URLs), older than the source's
``recent_window`` (posts published meanwhile could slip past the incremental cut-off), or
nothing pending. A lock file (``<source>.lock``, held by the runner and inherited by the crawl
process) keeps two crawls of one source from sharing a JOBDIR.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import re
import shutil
import signal
import struct
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from yuqing.atomic import write_atomic
from yuqing.config import Config
from yuqing.config.sources import AnySource
from yuqing.crawler.errors import CrawlError
from yuqing.store import crawl as crawl_store
from yuqing.store.models import CrawlRun, Source
from yuqing.store.session import Database
from yuqing.store.types import utcnow

log = logging.getLogger(__name__)
JOB_FILE = "yuqing-job.json"
JOB_FORMAT = 1
# Source settings that do not change which requests a crawl makes or how it reads them.
NOT_IN_FINGERPRINT = frozenset({"title", "note", "enabled", "interval", "timeout"})
_PRIORITY_FILE = re.compile(r"-?\d+")


@dataclass
class Job:
    """What ``yuqing-job.json`` says about the JOBDIR."""

    fingerprint: str
    state: str = "running"  # running (the process may have died) / interrupted (resumable)
    run_ids: list[int] = field(default_factory=list)  # the runs of this job, oldest first
    saved_at: str | None = None  # when it was interrupted (ISO, UTC)
    pending: int | None = None  # requests saved in the queue
    newest: str | None = None  # newest post stored by the job's interrupted runs (ISO)
    format: int = JOB_FORMAT


def fingerprint(config: Config, source: AnySource, demo_url: str | None) -> str:
    """What the saved requests depend on: a change means the saved queue is not this crawl's."""
    settings = {
        k: v for k, v in source.model_dump(mode="json").items() if k not in NOT_IN_FINGERPRINT
    }
    if source.keywords == "rules":
        settings["keywords"] = list(config.rules.search_keywords)
    try:
        scrapy_version = version("scrapy")
    except PackageNotFoundError:  # pragma: no cover
        scrapy_version = "?"
    data = {
        "format": JOB_FORMAT,
        "source": settings,
        "demo_url": (demo_url or "").rstrip("/") if source.uses_demo else "",
        "scrapy": scrapy_version,
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


def read_job(jobdir: Path) -> Job | None:
    try:
        data = json.loads((jobdir / JOB_FILE).read_text(encoding="utf-8"))
        job = Job(**data)
    except (OSError, ValueError, TypeError):
        return None
    return job if job.format == JOB_FORMAT else None


def write_job(jobdir: Path, job: Job) -> None:
    write_atomic(jobdir / JOB_FILE, json.dumps(asdict(job), indent=1))


def pending_requests(jobdir: Path) -> int | None:
    """Requests saved in Scrapy's disk queues (None when they cannot be read). Reads queuelib's
    files: a LIFO queue (a file per priority) starts with its size, a FIFO queue (the start
    requests, a directory) has it in ``info.json``; both are written when the spider closes."""
    root = jobdir / "requests.queue"
    if not root.is_dir():
        return 0
    total = 0
    try:
        for path in root.rglob("*"):
            if path.name == "info.json":
                total += int(json.loads(path.read_text(encoding="utf-8"))["size"])
            elif path.is_file() and _PRIORITY_FILE.fullmatch(path.name):
                with path.open("rb") as fh:
                    head = fh.read(4)
                total += struct.unpack(">L", head)[0] if len(head) == 4 else 0
    except (OSError, ValueError, KeyError, TypeError, struct.error):
        return None
    return total


@contextlib.contextmanager
def locked(jobdir: Path) -> Iterator[int]:
    """Hold ``<jobdir>.lock``; yields its file descriptor (pass it to the crawl process so the
    lock lasts as long as the crawl, even if the runner dies first)."""
    jobdir.parent.mkdir(parents=True, exist_ok=True)
    path = jobdir.with_name(jobdir.name + ".lock")
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise CrawlError(
                f"source {jobdir.name!r} is being crawled by another process ({path} is locked)"
            ) from None
        yield fd
    finally:
        os.close(fd)


def discard(jobdir: Path, why: str) -> None:
    if jobdir.exists():
        log.warning(
            "crawl %s: discarding its saved job (the next crawl starts afresh): %s",
            jobdir.name,
            why,
        )
        shutil.rmtree(jobdir, ignore_errors=True)


def prepare(db: Database, jobdir: Path, source: AnySource, print_: str) -> tuple[str, str, Job]:
    """Before a crawl: ``(mode, reason, job)``; mode ``fresh`` (no saved job), ``resumed`` or
    ``discarded`` (reason says why). ``job`` is the job this crawl continues or starts."""
    if not jobdir.exists():
        return "fresh", "", Job(print_)
    old = read_job(jobdir)
    why = _why_not_resume(old, source, print_)
    if old is not None and why is None:
        log.info(
            "crawl %s: resuming the job of run(s) %s (%s requests pending)",
            source.name,
            ", ".join(map(str, old.run_ids)),
            old.pending,
        )
        return "resumed", "", Job(print_, run_ids=list(old.run_ids), newest=old.newest)
    why = why or "no readable job file"
    if old is not None and old.state == "running" and old.run_ids:
        # the process died: its row may still say "running" (nobody closed it)
        with db.session() as s:
            health = crawl_store.fail_run(
                s, old.run_ids[-1], "failed", "the crawl process died without closing its run"
            )
        if health is not None:
            log.warning(
                "crawl %s: run %d never closed; marked failed", source.name, old.run_ids[-1]
            )
    discard(jobdir, why)
    return "discarded", why, Job(print_)


def _why_not_resume(old: Job | None, source: AnySource, print_: str) -> str | None:
    if old is None:
        return None
    if old.state != "interrupted":
        return (
            "its crawl process was not seen to close cleanly (killed, crashed, or its runner "
            "died), so the saved queue cannot be trusted"
        )
    if old.fingerprint != print_:
        return "the source's configuration (or the demo site's URL) changed since it was saved"
    if not old.pending:
        return "nothing was left to fetch"
    age = utcnow() - datetime.fromisoformat(old.saved_at or "1970-01-01T00:00:00+00:00")
    if age > source.recent_window:
        return f"saved {age} ago, longer than the source's recent_window ({source.recent_window})"
    return None


def settle(db: Database, jobdir: Path, job: Job, returncode: int | None) -> tuple[str, str]:
    """After the crawl process of ``job``'s last run exited with ``returncode``: clear the
    JOBDIR of a finished crawl, keep that of a cleanly interrupted one, discard that of a
    killed one. Returns ``(outcome, message)``; outcome ``cleared``, ``saved``, ``discarded``
    or ``running`` (the process still runs: the job file stays ``running``, the next crawl
    decides)."""
    run_id = job.run_ids[-1]
    with db.session() as s:
        run = s.get(CrawlRun, run_id)
        stats = dict(run.stats or {}) if run is not None else {}
        status = run.status if run is not None else "running"
        reason = stats.get("close_reason") if status != "running" else None
    if returncode is None:
        return "running", ""
    if returncode < 0 or reason is None:
        how = f"exited with status {returncode} before closing the spider"
        if returncode < 0:
            try:
                how = f"was killed by {signal.Signals(-returncode).name}"
            except ValueError:
                how = f"was killed by signal {-returncode}"
        message = f"the crawl process {how}; its saved job is discarded"
        discard(jobdir, f"the crawl process {how}")
        _note(db, run_id, {"jobdir_end": "discarded"}, message)
        return "discarded", message
    if reason == "finished":
        shutil.rmtree(jobdir, ignore_errors=True)
        if len(job.run_ids) > 1 and status == "ok":
            _finish_chain(db, run_id, job)
        _note(db, run_id, {"jobdir_end": "cleared"}, None)
        return "cleared", ""
    pending = pending_requests(jobdir)
    if not pending:
        why = "nothing was left to fetch" if pending == 0 else "its queue cannot be read"
        discard(jobdir, why)
        _note(db, run_id, {"jobdir_end": "discarded", "jobdir_end_reason": why}, None)
        return "discarded", ""
    newest = [t for t in (job.newest, stats.get("newest_published")) if t]
    job.state, job.pending, job.saved_at = "interrupted", pending, utcnow().isoformat()
    job.newest = max(newest, key=datetime.fromisoformat) if newest else None
    write_job(jobdir, job)
    message = f"interrupted ({reason}): {pending} requests saved; the next crawl resumes them"
    _note(db, run_id, {"jobdir_end": "saved", "pending_requests": pending}, message)
    log.info("crawl %s: %s (%s)", jobdir.name, message, jobdir)
    return "saved", message


def _finish_chain(db: Database, run_id: int, job: Job) -> None:
    """A resumed crawl finished: every run of the job together stored the whole crawl, so the
    watermark may move to the newest post any of them stored (the last run alone stored only
    what the earlier ones left)."""
    if not job.newest:
        return
    with db.session() as s:
        run = s.get(CrawlRun, run_id)
        source = s.get(Source, run.source_id) if run is not None else None
        if source is not None:
            crawl_store.advance_watermark(s, source.name, datetime.fromisoformat(job.newest))


def note_start(s: Session, run_id: int, mode: str, reason: str, job: Job) -> None:
    """Say on the new run's row how it relates to a saved job."""
    run = s.get(CrawlRun, run_id)
    assert run is not None
    extra: dict[str, Any] = {"jobdir": mode}
    if reason:
        extra["jobdir_reason"] = reason
    if mode == "resumed":
        extra["resumes_runs"] = list(job.run_ids)
    run.stats = {**(run.stats or {}), **extra}


def _note(db: Database, run_id: int, stats: dict[str, Any], message: str | None) -> None:
    with db.session() as s:
        run = s.get(CrawlRun, run_id)
        if run is None:
            return
        run.stats = {**(run.stats or {}), **stats}
        if message and run.status != "running":
            run.error_messages = [message, *(run.error_messages or [])][: crawl_store.MAX_MESSAGES]
            s.flush()
            source = s.get(Source, run.source_id)
            assert source is not None
            health = crawl_store.evaluate_health(s, source.id)
            source.health, source.health_reason = health.health, health.reason
