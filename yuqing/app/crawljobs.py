"""Crawls as subprocesses (``python -m yuqing crawl NAME``) with the source's timeout.

A subprocess keeps Scrapy's reactor and memory out of the scheduler. It gets the scheduler's
config directory, data dir and database through the environment (not argv: a database URL
may hold a password). On timeout, or when the scheduler stops, the crawl gets SIGTERM (Scrapy
closes the spider cleanly) and, if it is still running after a grace period, SIGKILL.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from sqlalchemy import select

from yuqing import lifeline
from yuqing.config import Config
from yuqing.store.models import Source
from yuqing.store.session import Database

log = logging.getLogger(__name__)
TERM_GRACE_SECONDS = 30.0
# `yuqing crawl` enforces the source's timeout itself; ours is the backstop.
TIMEOUT_MARGIN_SECONDS = 30.0
MAX_PARALLEL = 4


class CrawlRunner:
    def __init__(self, config: Config, stop_event: threading.Event) -> None:
        self.config = config
        self.stop_event = stop_event
        self._procs: dict[str, subprocess.Popen[bytes]] = {}
        self._lock = threading.Lock()
        self._asked: set[int] = set()  # processes already sent SIGTERM

    def command(self, name: str) -> list[str]:
        return [sys.executable, "-m", "yuqing", "crawl", name]

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        lifeline.child_env(env)  # the crawl (in its own session) dies with the scheduler
        settings = self.config.settings
        env["YUQING_DATA_DIR"] = str(settings.data_dir)
        env["YUQING_DATABASE_URL"] = settings.effective_database_url
        if self.config.config_dir is not None:
            env["YUQING_CONFIG_DIR"] = str(self.config.config_dir)
        return env

    def timeout(self, name: str) -> float:
        for src in self.config.sources.sources:
            if src.name == name:
                return src.timeout.total_seconds()
        return 600.0

    def run(self, name: str) -> int | None:
        """Crawl one source; its exit code, or None if it had to be stopped."""
        if self.stop_event.is_set():
            return None
        timeout = self.timeout(name)
        started = time.monotonic()
        log.info("crawl %s: starting", name)
        try:
            proc = subprocess.Popen(
                self.command(name), env=self.environment(), start_new_session=True
            )
        except OSError as exc:
            log.error("crawl %s: cannot start: %s", name, exc)
            return None
        with self._lock:
            self._procs[name] = proc
        try:
            code = self._wait(name, proc, started + timeout + TIMEOUT_MARGIN_SECONDS)
        finally:
            with self._lock:
                self._procs.pop(name, None)
        took = time.monotonic() - started
        if code == 0:
            log.info("crawl %s: done in %.1fs", name, took)
        else:
            log.error("crawl %s: exit code %s after %.1fs", name, code, took)
        return code

    def _wait(self, name: str, proc: subprocess.Popen[bytes], deadline: float) -> int | None:
        while True:
            try:
                return proc.wait(timeout=0.5)
            except subprocess.TimeoutExpired:
                pass
            if time.monotonic() > deadline:
                log.error("crawl %s: timed out; stopping it", name)
                self._terminate(proc)
                return None
            if self.stop_event.is_set():
                # Let Scrapy finish cleanly (it handles SIGTERM), then report its exit code.
                self._terminate(proc)
                return proc.returncode

    def _terminate(self, proc: subprocess.Popen[bytes]) -> None:
        if proc.poll() is not None:
            return
        self._ask_to_stop(proc)
        try:
            proc.wait(timeout=TERM_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def _ask_to_stop(self, proc: subprocess.Popen[bytes]) -> None:
        """SIGTERM, once: Scrapy takes a second signal as "stop now, save nothing", which
        would throw away the crawl's JOBDIR (see yuqing.crawler.jobdir)."""
        with self._lock:
            if proc.pid in self._asked:
                return
            self._asked.add(proc.pid)
        proc.terminate()

    def stop_all(self) -> None:
        with self._lock:
            procs = list(self._procs.items())
        for name, proc in procs:
            if proc.poll() is None:
                log.info("crawl %s: asking it to stop", name)
                self._ask_to_stop(proc)

    def run_many(self, names: list[str]) -> dict[str, int | None]:
        if not names:
            return {}
        with ThreadPoolExecutor(max_workers=min(MAX_PARALLEL, len(names))) as pool:
            codes = list(pool.map(self.run, names))
        return dict(zip(names, codes, strict=True))

    def due_sources(self, db: Database, now: datetime, force: bool = False) -> list[str]:
        """Enabled sources whose interval has passed since their last run (all with ``force``)."""
        enabled = [s for s in self.config.sources.sources if s.enabled]
        if force:
            return [s.name for s in enabled]
        with db.session() as s:
            last = {name: when for name, when in s.execute(select(Source.name, Source.last_run_at))}
        due = []
        for src in enabled:
            when = last.get(src.name)
            if when is None or when + src.interval <= now:
                due.append(src.name)
        return due
