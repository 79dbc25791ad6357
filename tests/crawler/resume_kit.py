"""Helpers of the resume tests (test_resume.py, test_resume_job.py): a config with a test
source, crawls interrupted at the demo site's gate, and what to read back (runs, posts, the
saved job, the crawl's own stats)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from yuqing.config import Config, load
from yuqing.crawler import jobdir as jobs
from yuqing.crawler.demo_site import DemoSite
from yuqing.crawler.demo_site.render_forum import FLOORS_PER_PAGE, THREADS_PER_PAGE
from yuqing.crawler.runner import CrawlSummary, crawl_source, running_crawls
from yuqing.store.models import CrawlRun, Post, Source
from yuqing.store.session import Database

ROOT = Path(__file__).resolve().parents[2]
# the store worker process, as crawls run in production
SETTINGS = {
    "YUQING_TAGGER": "off",
    "YUQING_STORE_WORKER": "process",
    "YUQING_RETRY_BACKOFF": "0.05",
}
WAIT = 120.0  # the longest any condition is waited for (a bound, never a timing assertion)
BOARD = "resume-board"
BOARD_SOURCE: dict[str, Any] = {
    "name": BOARD,
    "kind": "jsonapi",
    "start_urls": ["{demo}/board/api/messages?size=10"],
    "items": "data.list",
    "fields": {
        "external_id": "tid",
        "url": "url",
        "title": "title",
        "text": "content",
        "author": "nickname",
        "published": "createTime",
    },
    # each post's page is fetched: the requests carry the PostItem in cb_kwargs
    "detail": {"text": "div.message-content"},
    "pagination": {"type": "page", "param": "page", "start": 1},
    "time_format": "epoch",
    "max_pages": 50,
    "concurrency": 2,
    "download_delay": 0,
}


class Work:
    """A config directory (sources.yaml with the test source), data dir and database."""

    def __init__(self, root: Path, db: Database) -> None:
        self.root, self.db = root, db

    def config(self, **changes: Any) -> Config:
        cfg_dir = self.root / "config"
        cfg_dir.mkdir(exist_ok=True)
        source = {**BOARD_SOURCE, **changes}
        (cfg_dir / "sources.yaml").write_text(json.dumps({"sources": [source]}), "utf-8")
        return load(
            cfg_dir,
            overrides={"data_dir": str(self.root / "var"), "database_url": self.db.url},
            env={"YUQING_AUTHOR_HASH_KEY": "test-key"},
        )

    def jobdir(self, name: str) -> Path:
        return self.root / "var" / "crawl-jobs" / name

    def crawl_log(self, name: str) -> Path:
        return self.root / "var" / "logs" / f"crawl-{name}.log"

    def run(self, run_id: int | None) -> CrawlRun:
        with self.db.session() as s:
            row = s.get(CrawlRun, run_id)
            assert row is not None
            s.expunge(row)
            return row

    def source(self, name: str) -> Source:
        with self.db.session() as s:
            row = s.execute(select(Source).where(Source.name == name)).scalar_one()
            s.expunge(row)
            return row

    def posts(self, name: str) -> list[Post]:
        with self.db.session() as s:
            rows = list(
                s.execute(
                    select(Post)
                    .join(Source, Source.id == Post.source_id)
                    .where(Source.name == name)
                ).scalars()
            )
            s.expunge_all()
            return rows

    def runs(self, name: str) -> list[CrawlRun]:
        with self.db.session() as s:
            rows = list(
                s.execute(
                    select(CrawlRun)
                    .join(Source, Source.id == CrawlRun.source_id)
                    .where(Source.name == name)
                    .order_by(CrawlRun.id)
                ).scalars()
            )
            s.expunge_all()
            return rows


class Background:
    """``crawl_source`` on a thread, as ``yuqing crawl`` runs it."""

    def __init__(self, fn: Callable[[], CrawlSummary]) -> None:
        self.result: CrawlSummary | None = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, args=(fn,), daemon=True)
        self.thread.start()

    def _run(self, fn: Callable[[], CrawlSummary]) -> None:
        try:
            self.result = fn()
        except BaseException as exc:  # reported by join()
            self.error = exc

    def join(self) -> CrawlSummary:
        self.thread.join(WAIT)
        assert not self.thread.is_alive(), "the crawl did not end"
        if self.error is not None:
            raise self.error
        assert self.result is not None
        return self.result


def wait_for_text(path: Path, text: str) -> None:
    """Poll ``path`` until it contains ``text``."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if path.exists() and text in path.read_text("utf-8", errors="replace"):
            return
        time.sleep(0.05)
    pytest.fail(f"{path.name} never said {text!r}")


def wait_at_gate(
    site: DemoSite, alive: Callable[[], bool], output: Callable[[], str] = str
) -> None:
    """Until a request waits at the site's gate (the crawl is mid-way, N pages answered)."""
    deadline = time.monotonic() + WAIT
    while not site.state.requests.wait_for(lambda lg: lg.waiting > 0, 0.2):
        assert alive(), f"the crawl ended before it reached the gate: {output()}"
        assert time.monotonic() < deadline, f"the crawl never reached the gate: {output()}"


def release(site: DemoSite) -> None:
    site.state.requests.release()
    assert site.state.requests.wait_for(lambda lg: lg.waiting == 0, WAIT)


def crawl(work: Work, cfg: Config, site: DemoSite, name: str = BOARD) -> CrawlSummary:
    return crawl_source(cfg, name, site.base_url, settings=SETTINGS)


def interrupted_crawl(
    work: Work, cfg: Config, site: DemoSite, after: int, sig: int = signal.SIGTERM
) -> CrawlSummary:
    """A crawl of ``BOARD`` that gets ``sig`` once ``after`` requests were answered (SIGTERM:
    like the runner on a timeout; SIGKILL: a crash). After SIGTERM the requests held at the
    gate are let through once the spider is closing, so no new request starts meanwhile."""
    site.state.requests.hold_after(after)
    bg = Background(lambda: crawl(work, cfg, site))
    wait_at_gate(site, bg.thread.is_alive)
    os.kill(running_crawls()[BOARD], sig)
    if sig == signal.SIGTERM:
        wait_for_text(work.crawl_log(BOARD), "Closing spider (shutdown)")
    release(site)
    return bg.join()


def dumped_stat(log_text: str, key: str) -> int:
    """A figure of Scrapy's closing stats dump in a crawl log (0 when absent)."""
    found = re.findall(rf"'{re.escape(key)}': (\d+)", log_text)
    return int(found[-1]) if found else 0


def assert_saved_job(work: Work, name: str, run: CrawlRun, resumed: int = 0) -> jobs.Job:
    """The run was interrupted cleanly and its JOBDIR holds exactly the requests it had not
    fetched (Scrapy's own count: the ``resumed`` requests it started with, plus those it
    enqueued, minus those it dequeued)."""
    assert run.status == "stopped" and run.stats["close_reason"] == "shutdown"
    assert run.stats["jobdir_end"] == "saved"
    assert run.error_messages[0].startswith("interrupted (shutdown): ")
    job = jobs.read_job(work.jobdir(name))
    assert job is not None and job.state == "interrupted" and job.run_ids[-1] == run.id
    text = work.crawl_log(name).read_text("utf-8")
    enqueued = dumped_stat(text, "scheduler/enqueued/disk")
    pending = resumed + enqueued - dumped_stat(text, "scheduler/dequeued/disk")
    assert pending > 0
    assert job.pending == run.stats["pending_requests"] == pending
    assert jobs.pending_requests(work.jobdir(name)) == pending
    assert (work.jobdir(name) / "requests.seen").stat().st_size > 0
    assert "scheduler/unserializable" not in text, "a request could not be saved"
    return job


def board_pages(fetched: list[str]) -> list[str]:
    return [p for p in fetched if p.startswith("GET /board/message/")]


def forum_pages(site: DemoSite, reply_pages: int) -> set[str]:
    """Every page a complete crawl of demo-forum fetches (robots.txt aside)."""
    items = site.state.listing("forum")
    threads = [i for i in items if "pinned" not in i.post["flags"]]
    pages = {"GET /forum/", "GET /forum/thread/0"}  # the broken thread page is linked too
    pages |= {f"GET /forum/?pn={k}" for k in range(2, -(-len(threads) // THREADS_PER_PAGE) + 1)}
    for item in items:
        pages.add(f"GET /forum/thread/{item.id}")
        last = min(-(-(item.post["replies"] + 1) // FLOORS_PER_PAGE), reply_pages)
        pages |= {f"GET /forum/thread/{item.id}?pn={k}" for k in range(2, last + 1)}
    return pages


class Cli:
    """``yuqing crawl NAME`` as the scheduler starts it (in a session of its own)."""

    def __init__(self, work: Work, site: DemoSite, name: str) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("YUQING_", "SCRAPY_"))}
        env.update(SETTINGS, YUQING_AUTHOR_HASH_KEY="test-key")
        args = ["--data-dir", str(work.root / "var"), "--database-url", work.db.url]
        self.out = work.root / f"cli-{name}-{time.monotonic_ns()}.out"
        with open(self.out, "wb") as fh:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "yuqing", *args, "crawl", name, "--demo-url", site.base_url],
                env=env,
                cwd=ROOT,
                stdout=fh,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def pid(self) -> int:
        return self.proc.pid

    def running(self) -> bool:
        return self.proc.poll() is None

    def output(self) -> str:
        return self.out.read_text("utf-8", errors="replace")

    def crawl_pid(self) -> int:
        """The crawl process it started (found by its parent pid)."""
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == self.pid:
                    found.append(int(entry.name))
        assert len(found) == 1, f"children of `yuqing crawl`: {found}; {self.output()}"
        return found[0]


def wait_gone(pid: int) -> None:
    """Until every thread of process ``pid`` has exited (its files, and locks, are closed:
    the main thread of a killed process is a zombie before its other threads are done)."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        try:
            threads = list(Path(f"/proc/{pid}/task").iterdir())
        except OSError:
            return
        states = []
        for thread in threads:
            try:
                states.append((thread / "stat").read_text().rsplit(")", 1)[1].split()[0])
            except OSError:
                continue
        if all(state in ("Z", "X") for state in states):
            return
        time.sleep(0.05)
    pytest.fail(f"process {pid} did not die")
