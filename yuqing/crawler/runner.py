"""Run crawls: each source in its own ``scrapy crawl`` subprocess, with a timeout.

    from yuqing.crawler.runner import crawl_sources
    summaries = crawl_sources(config, ["demo-board", "demo-forum"], demo_url=site.base_url)

The runner creates the crawl_runs row first and hands its id to the crawl, so a crawl that
times out or crashes still leaves a row (``timeout`` / ``failed``) and updates the source's
health. The crawl's log is ``<data_dir>/logs/crawl-<source>.log``.

Interrupted crawls resume. Each crawl keeps its Scrapy job state in
``<data_dir>/crawl-jobs/<source>`` (JOBDIR; see :mod:`yuqing.crawler.jobdir`). A crawl stopped
with SIGTERM (the scheduler stopping, its timeout, Ctrl-C on ``yuqing crawl``) closes cleanly:
its row is ``stopped`` (``timeout`` after a timeout) with "interrupted (shutdown): N requests
saved" (health leaves such runs out) and
``stats.jobdir_end = "saved"``, the watermark does not move, and the next crawl of the source
(``stats.jobdir = "resumed"``) fetches the saved requests, skips every page the earlier runs
fetched, and fetches again only robots.txt and the source's start URLs (they are
``dont_filter``: new posts appear there; a JSON API without ``detail`` thus stores its first
page's posts again, as updates). When it finishes, the JOBDIR is cleared and the watermark
moves to the newest post the runs stored together. A JOBDIR that cannot be trusted
is discarded with the reason logged and in ``stats.jobdir_reason``: the process was killed
(SIGKILL, a crash: posts of batches already stored stay, everything else is fetched again), the
source's settings or the demo URL changed, it is older than ``recent_window``. The crawl process
runs in a session of its own, so Ctrl-C reaches only the runner, which sends one SIGTERM
(Scrapy takes a second signal as "stop now", uncleanly), then SIGKILL after
:data:`GRACE_SECONDS`; a lock (``crawl-jobs/<source>.lock``) refuses a second crawl of a
source that is being crawled.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from yuqing import lifeline
from yuqing.config import Config
from yuqing.crawler import jobdir as jobs
from yuqing.crawler.errors import CrawlError, SourceDisabled
from yuqing.store import crawl as crawl_store
from yuqing.store.models import CrawlRun, Source
from yuqing.store.session import Database

log = logging.getLogger(__name__)
GRACE_SECONDS = 20.0
_ERROR_LINE = re.compile(r"^(?:[\w.]+\.)?(\w*(?:Error|Exception|Errors)): (.+)$")


@dataclass
class CrawlSummary:
    source: str
    status: str  # ok / failed / timeout
    run_id: int | None = None
    pages: int = 0
    items_scraped: int = 0
    items_new: int = 0
    items_updated: int = 0
    items_dropped: int = 0
    drops: dict[str, int] = field(default_factory=dict)
    errors: int = 0
    duration_s: float = 0.0
    health: str = "unknown"
    health_reason: str = ""
    message: str = ""
    log_path: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def line(self) -> str:
        """The progress line printed per source."""
        drops = ", ".join(f"{k}={v}" for k, v in sorted(self.drops.items()))
        text = (
            f"{self.source}: {self.status} in {self.duration_s:.1f}s — {self.items_scraped} items "
            f"({self.items_new} new, {self.items_updated} updated), {self.items_dropped} dropped"
            f"{f' ({drops})' if drops else ''}, {self.errors} errors; health {self.health}"
        )
        if self.ok and self.health in ("degraded", "failing") and self.health_reason:
            text += f" ({self.health_reason})"
        return text + (f" — {self.message}" if self.message and not self.ok else "")


def enabled_sources(config: Config) -> list[str]:
    return [s.name for s in config.sources.sources if s.enabled]


def crawl_env(config: Config, demo_url: str | None, run_id: int) -> dict[str, str]:
    env = dict(os.environ)
    settings = config.settings
    env["YUQING_DATA_DIR"] = str(settings.data_dir.resolve())
    url = settings.effective_database_url
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        url = "sqlite:///" + str(Path(url[len("sqlite:///") :]).resolve())
    env["YUQING_DATABASE_URL"] = url
    if config.config_dir is not None:
        env["YUQING_CONFIG_DIR"] = str(Path(config.config_dir).resolve())
    else:
        env.pop("YUQING_CONFIG_DIR", None)
    if demo_url:
        env["YUQING_DEMO_URL"] = demo_url
    env["YUQING_RUN_ID"] = str(run_id)
    env["SCRAPY_SETTINGS_MODULE"] = "yuqing.crawler.settings"
    env["PYTHONUNBUFFERED"] = "1"
    lifeline.child_env(env)  # the crawl process (own session) dies with its runner
    return env


def last_error(log_path: Path) -> str:
    try:
        lines = log_path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    for line in reversed(lines[-400:]):
        m = _ERROR_LINE.match(line.strip())
        if m:
            return f"{m.group(1)}: {m.group(2)}"[:300]
    return ""


def crawl_source(
    config: Config,
    name: str,
    demo_url: str | None = None,
    timeout: float | None = None,
    force: bool = False,
    settings: dict[str, Any] | None = None,
    database: Database | None = None,
) -> CrawlSummary:
    """Crawl one source in a subprocess and return what it did (never raises for a failed
    crawl: that is a summary with status ``failed`` or ``timeout``)."""
    try:
        source = config.sources.get(name)
    except KeyError:
        raise CrawlError(f"no source named {name!r} in sources.yaml") from None
    if not source.enabled and not force:
        raise SourceDisabled(name)
    if source.uses_demo and not demo_url and not os.environ.get("YUQING_DEMO_URL"):
        raise CrawlError(f"source {name!r} needs the demo site: give its URL (--demo-url)")
    limit = timeout if timeout is not None else source.timeout.total_seconds()
    db = database or Database.from_settings(config.settings)
    try:
        db.check_schema()
        data_dir = config.settings.data_dir.resolve()
        jobdir = data_dir / "crawl-jobs" / name
        with jobs.locked(jobdir) as lock_fd:
            url = demo_url or os.environ.get("YUQING_DEMO_URL")
            mode, why, job = jobs.prepare(db, jobdir, source, jobs.fingerprint(config, source, url))
            with db.session() as s:
                run_id = crawl_store.start_run(s, name, source.kind, source.model_dump(mode="json"))
                jobs.note_start(s, run_id, mode, why, job)
            job.run_ids.append(run_id)
            jobs.write_job(jobdir, job)
            log_path = data_dir / "logs" / f"crawl-{name}.log"
            log_path.parent.mkdir(parents=True, exist_ok=True)
            cmd = [sys.executable, "-m", "scrapy", "crawl", name, "-s", f"JOBDIR={jobdir}"]
            for key, value in (settings or {}).items():
                cmd += ["-s", f"{key}={value}"]
            started = time.monotonic()
            child = CrawlProcess(name)
            try:
                status = child.run(
                    cmd, crawl_env(config, demo_url, run_id), log_path, limit, lock_fd
                )
            except BaseException:  # interrupted (Ctrl-C, SIGTERM): the crawl was stopped
                jobs.settle(db, jobdir, job, child.returncode)
                with db.session() as s:
                    crawl_store.fail_run(s, run_id, "stopped", "interrupted")
                raise
            _, settled = jobs.settle(db, jobdir, job, child.returncode)
        message = ""
        with db.session() as s:
            if status == "timeout":
                message = f"timed out after {limit:g}s"
                crawl_store.mark_timeout(s, run_id, message)
            elif crawl_store.run_status(s, run_id) == "running":
                message = (
                    last_error(log_path) or settled or f"crawl process exited with status {status}"
                )
                crawl_store.fail_run(s, run_id, "failed", message)
        summary = summary_of(db, name, run_id, message, str(log_path))
        summary.duration_s = round(time.monotonic() - started, 2)
        return summary
    finally:
        if database is None:
            db.dispose()


_RUNNING: dict[int, CrawlProcess] = {}
_RUNNING_LOCK = threading.Lock()


class CrawlProcess:
    """One crawl subprocess, in a session of its own (a terminal's Ctrl-C reaches the runner
    only). It gets SIGTERM at most once: Scrapy takes a second SIGTERM or SIGINT as "stop now"
    and exits without saving its JOBDIR."""

    def __init__(self, name: str = "") -> None:
        self.name = name
        self.proc: subprocess.Popen[bytes] | None = None
        self._terminated = False
        self._lock = threading.Lock()

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None else None

    @property
    def returncode(self) -> int | None:
        return self.proc.poll() if self.proc is not None else None

    def run(
        self, cmd: list[str], env: dict[str, str], log_path: Path, limit: float, *pass_fds: int
    ) -> str:
        """Run the crawl; its exit status as a string, or "timeout". A crawl past its time,
        or whose runner is interrupted, is stopped (see :meth:`stop`)."""
        with open(log_path, "w", encoding="utf-8") as out:
            self.proc = subprocess.Popen(
                cmd,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                pass_fds=pass_fds,
            )
            with _RUNNING_LOCK:
                _RUNNING[self.proc.pid] = self
            try:
                return str(self.proc.wait(timeout=limit))
            except subprocess.TimeoutExpired:
                self.stop()
                return "timeout"
            except BaseException:
                self.stop()
                raise
            finally:
                with _RUNNING_LOCK:
                    _RUNNING.pop(self.proc.pid, None)

    def terminate(self) -> None:
        """Send SIGTERM unless it was sent already (or the process has exited)."""
        with self._lock:
            if self._terminated or self.proc is None or self.proc.poll() is not None:
                return
            self._terminated = True
        self.proc.send_signal(signal.SIGTERM)

    def stop(self, grace: float | None = None) -> None:
        """SIGTERM (Scrapy closes the spider and saves its JOBDIR state), then SIGKILL after
        ``grace`` seconds. Interrupting the wait (a second Ctrl-C, a scheduler's repeated
        SIGTERM) does not cut the grace period short: the interruption is raised after."""
        if self.proc is None:
            return
        self.terminate()
        deadline = time.monotonic() + (GRACE_SECONDS if grace is None else grace)
        interrupted: BaseException | None = None
        while True:
            try:
                if self.proc.poll() is not None:
                    break
                left = deadline - time.monotonic()
                if left <= 0:
                    log.warning("crawl %s did not stop in time: killing it", self.name or self.pid)
                    self.proc.kill()
                    self.proc.wait()
                    break
                self.proc.wait(timeout=left)
            except subprocess.TimeoutExpired:
                continue
            except KeyboardInterrupt as exc:
                log.info("crawl %s: still stopping (it saves its state)", self.name or self.pid)
                interrupted = exc
        if interrupted is not None:
            raise interrupted


def running_crawls() -> dict[str, int]:
    """Source name → process id of the crawls this process is running now."""
    with _RUNNING_LOCK:
        return {child.name: pid for pid, child in _RUNNING.items()}


def stop_all() -> None:
    """Stop every crawl process this runner started (SIGTERM, then SIGKILL after the grace
    period); the threads that run them settle their jobs as usual."""
    with _RUNNING_LOCK:
        children = list(_RUNNING.values())
    for child in children:
        child.terminate()
    for child in children:
        child.stop()


def run_process(cmd: list[str], env: dict[str, str], log_path: Path, limit: float) -> str:
    """Run a crawl process (see :class:`CrawlProcess`); its exit status, or "timeout"."""
    return CrawlProcess().run(cmd, env, log_path, limit)


def stop_process(proc: subprocess.Popen[Any]) -> None:
    """SIGTERM, then SIGKILL after :data:`GRACE_SECONDS` (one signal of each at most)."""
    child = CrawlProcess()
    child.proc = proc
    child.stop()


def summary_of(db: Database, name: str, run_id: int, message: str, log_path: str) -> CrawlSummary:
    with db.session() as s:
        run = s.get(CrawlRun, run_id)
        assert run is not None
        src = s.get(Source, run.source_id)
        return CrawlSummary(
            source=name,
            status=run.status,
            run_id=run_id,
            pages=run.pages,
            items_scraped=run.items_scraped,
            items_new=run.items_new,
            items_updated=run.items_updated,
            items_dropped=run.items_dropped,
            drops=dict(run.drops or {}),
            errors=run.errors,
            duration_s=run.duration_s or 0.0,
            health=src.health if src is not None else "unknown",
            health_reason=(src.health_reason or "") if src is not None else "",
            message=message or (str(run.error_messages[0]) if run.error_messages else ""),
            log_path=log_path,
        )


@contextlib.contextmanager
def demo_site_for(
    config: Config, names: Sequence[str], demo_url: str | None
) -> Iterator[str | None]:
    """The demo site's URL: ``demo_url`` if given, else a DemoSite started for the duration
    when any of ``names`` needs it."""
    needed = any(config.sources.get(n).uses_demo for n in names if _known(config, n))
    if demo_url or not needed or os.environ.get("YUQING_DEMO_URL"):
        yield demo_url or os.environ.get("YUQING_DEMO_URL") or None
        return
    from yuqing.crawler.demo_site import DemoSite

    with DemoSite() as site:
        log.info("started the demo site at %s for this crawl", site.base_url)
        yield site.base_url


def _known(config: Config, name: str) -> bool:
    return any(s.name == name for s in config.sources.sources)


def crawl_sources(
    config: Config,
    names: Sequence[str] | None = None,
    demo_url: str | None = None,
    timeout: float | None = None,
    on_progress: Callable[[CrawlSummary], None] | None = None,
    parallel: int = 1,
    force: bool = False,
    settings: dict[str, Any] | None = None,
) -> list[CrawlSummary]:
    """Crawl ``names`` (default: every enabled source), ``parallel`` at a time; calls
    ``on_progress`` with each summary as it finishes; returns the summaries in input order.
    Sources using ``{demo}`` get a DemoSite started for them when ``demo_url`` is not given."""
    names = list(names) if names is not None else enabled_sources(config)
    for name in names:
        source = config.sources.get(name) if _known(config, name) else None
        if source is None:
            raise CrawlError(f"no source named {name!r} in sources.yaml")
        if not source.enabled and not force:
            raise SourceDisabled(name)
    with demo_site_for(config, names, demo_url) as url:

        def one(name: str) -> CrawlSummary:
            summary = crawl_source(config, name, url, timeout, force, settings)
            if on_progress is not None:
                on_progress(summary)
            return summary

        if parallel <= 1:
            return [one(n) for n in names]
        with ThreadPoolExecutor(max_workers=parallel) as pool:
            futures = [pool.submit(one, n) for n in names]
            try:
                return [f.result() for f in futures]
            except BaseException:  # Ctrl-C or SIGTERM lands here, not in the crawl threads
                for f in futures:
                    f.cancel()
                stop_all()
                raise
