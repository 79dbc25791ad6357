"""Issue 14: after a SIGKILL, `yuqing run` restarts at once (the dead holder's lock is taken
over, not waited out for minutes), and the crawls it had started die with it and free their
source's lock instead of running on in their own sessions."""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from yuqing.config import load
from yuqing.store.models import CrawlRun

from .support import Home, sigkill, stop, wait_for


def test_a_killed_scheduler_is_restarted_on_the_first_attempt(tmp_path: Path) -> None:
    home = Home.make(tmp_path)
    first = home.start("run")
    try:
        wait_for(home.lock_holder, "the scheduler's lock", first, log=home.log)
        dead = home.lock_holder()
        sigkill(first)
        again = home.run("run", "--once")  # at once: no waiting for the heartbeat to go stale
    finally:
        stop(first)
    assert again.returncode == 0, again.stderr
    assert f"took over from {dead} (process {first.pid} is gone)" in again.stderr
    assert home.lock_holder() is None  # released by the clean exit


FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>t</title><link>http://127.0.0.1/</link>
<item><title>龙沙区烧烤店被一刀切关停</title><link>http://127.0.0.1/p/1</link>
<pubDate>Sat, 05 Dec 2026 08:00:00 +0800</pubDate>
<description>整条街的烧烤店全部被关停，证照齐全也不行。</description></item>
</channel></rss>
"""


class _Gate(BaseHTTPRequestHandler):
    """robots.txt: none; the feed: held until the test opens the gate."""

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        server: Any = self.server
        if self.path == "/robots.txt":
            self.send_response(404)
            self.end_headers()
            return
        server.asked.set()
        server.gate.wait(60)
        body = FEED.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def gated_feed() -> Iterator[Any]:
    server: Any = ThreadingHTTPServer(("127.0.0.1", 0), _Gate)
    server.asked, server.gate = threading.Event(), threading.Event()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.gate.set()
    server.shutdown()
    server.server_close()


def _lock_free(path: Path) -> bool:
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True


def test_crawls_die_with_a_killed_scheduler_and_free_their_source(
    tmp_path: Path, gated_feed: Any
) -> None:
    port = gated_feed.server_address[1]
    shipped = "".join(
        f"  - name: {s.name}\n    enabled: false\n" for s in load(env={}).sources.sources
    )
    home = Home.make(
        tmp_path,
        sources=(
            f"sources:\n{shipped}  - name: gated\n    kind: feed\n"
            f"    start_urls: ['http://127.0.0.1:{port}/rss.xml']\n"
        ),
    )
    home.env.update(YUQING_TAGGER="off", YUQING_STORE_WORKER="thread")
    crawl_log = home.data_dir / "logs" / "crawl-gated.log"
    first = home.start("run")
    try:
        wait_for(gated_feed.asked.is_set, "the crawl's request", first, log=home.log)
        sigkill(first)
        # The crawl got SIGTERM from the kernel when its parent died and closes cleanly; once
        # it asks to stop, let its request finish.
        wait_for(
            lambda: "shutting down gracefully" in crawl_log.read_text(errors="replace"),
            "the crawl to be told to stop",
            log=lambda: crawl_log.read_text(errors="replace"),
        )
        gated_feed.gate.set()
        lock = home.data_dir / "crawl-jobs" / "gated.lock"
        wait_for(lambda: _lock_free(lock), "the source's lock to be released")
    finally:
        stop(first)
    with home.db.session() as s:
        (run,) = s.scalars(select(CrawlRun)).all()
        # stopped by the SIGTERM it got when its parent died (not run to its end)
        assert run.status == "stopped"
        assert run.error_messages[0] == "crawl ended: shutdown"
    again = home.run("run", "--once", "--force")  # the source is free: crawled again
    assert again.returncode == 0, again.stderr
    assert "crawl: gated ok" in again.stdout
