"""The store worker: the tag and store stages in a process of their own.

Tagging (jieba + scikit-learn) and the store's writes (the full-text index takes the tagger's
words; only without the tagger does it segment the text itself) are CPU-bound Python: on a
thread of the crawl process they hold the GIL the crawl needs. One worker process per crawl
process and database does them instead, so fetching and parsing (crawl process) overlap with
tagging and storing (worker) on two cores.

* Started (``spawn``) by the first crawler's pipelines at open; loads the tagger and the
  dedupe stage's index of recent posts (:mod:`yuqing.crawler.clusters`: the worker clusters
  each batch, in order, before tagging it), opens the database (and, with the tagger off,
  warms the full-text index's own segmenter), once, then says ``ready`` (the crawlers' open
  waits for that without blocking the reactor, as the tagger load used to).
* Batches go over a ``multiprocessing`` queue, in order; every batch is acknowledged with what
  it did (new, updated, tags, failures). At most ``max_pending`` batches are unacknowledged:
  beyond that, the item that flushed a batch waits (asynchronously) for the worker, so Scrapy
  holds back new downloads: back pressure, with the reactor never blocked.
* A crawler's close flushes its last batch and waits for ``finished`` (the worker settles the
  clusters of reposts first); the last crawler to close stops the worker.
* Failures are counted, never lost: a batch that cannot be stored is stored post by post
  (:func:`~yuqing.crawler.storing.write_batch`); if the worker dies, every post it had not
  acknowledged counts as a ``store_error`` drop with the exit code; a worker that cannot start
  makes the crawl fall back to the writer thread.
* The worker exits when told, or when its parent is gone; it ignores Ctrl-C (the crawl process
  handles it and closes the worker in order).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import multiprocessing
import os
import pickle
import queue
import signal
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from multiprocessing.process import BaseProcess
from typing import Any
from zoneinfo import ZoneInfo

from yuqing.config import Config
from yuqing.crawler.clusters import DedupIndex
from yuqing.crawler.health import peak_rss_mb
from yuqing.crawler.items import PostItem
from yuqing.crawler.storing import StoreState, WriteTotals, write_batch

log = logging.getLogger(__name__)
START_TIMEOUT = 300.0  # building a missing tagger model takes a while
STOP_TIMEOUT = 60.0
POLL = 0.01


@dataclass
class WorkerOptions:
    config: Config
    database_url: str
    tagger: bool
    fixed_now: datetime | None = None  # YUQING_NOW (tests)
    log_level: str = "INFO"
    log_format: str = "%(asctime)s %(levelname)s %(name)s: %(message)s"


# -- the worker process ---------------------------------------------------------------------


def _serve(options: WorkerOptions, requests: Any, replies: Any, parent: int) -> None:
    """The worker's main loop (runs in the child)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    logging.basicConfig(level=options.log_level, format=options.log_format)
    try:
        from yuqing.crawler.tagging import TagStage
        from yuqing.store import fts
        from yuqing.store.session import Database

        tagging = TagStage.load(options.config, options.tagger)
        database = Database(options.database_url)
        database.check_schema()
        now = options.fixed_now or datetime.now(ZoneInfo(options.config.settings.timezone))
        index = DedupIndex.load(options.config, database, now)
        if not tagging.active:  # else the tagger's words are indexed (store/fts.py, Indexable)
            fts.words("预热")  # load the full-text segmenter now, not in the first batch
    except Exception as exc:
        log.exception("the store worker could not start")
        replies.put(("failed", f"{type(exc).__name__}: {exc}"[:300]))
        return
    state = StoreState()
    # The tagger's model, its jieba dictionary and the dedupe index live as long as the
    # worker: out of the collector's sight, full collections stop walking them (measured: GC
    # time per crawl 0.42s → 0.08s).
    gc.collect()
    gc.freeze()
    replies.put(("ready", tagging.status, os.getpid()))
    try:
        while True:
            try:
                message = requests.get(timeout=1.0)
            except queue.Empty:
                if os.getppid() != parent:
                    log.warning("the crawl process is gone: the store worker stops")
                    return
                continue
            kind = message[0]
            if kind == "batch":
                _kind, owner, count, payload = message
                try:
                    batch = pickle.loads(payload)
                    tagger = tagging if tagging.active else None
                    totals = write_batch(database, tagger, state, batch, index)
                except Exception as exc:  # a bug: the batch is lost, the worker goes on
                    log.exception("the store worker could not handle a batch")
                    totals = WriteTotals()
                    totals.fail(count, exc)
                replies.put(("done", owner, count, totals))
            elif kind == "finish":
                owner = message[1]
                if state.pending:
                    try:
                        with database.session() as s:
                            state.resolve(s)
                    except Exception:
                        log.exception("could not settle the clusters of reposts")
                replies.put(("finished", owner, peak_rss_mb()))
            elif kind == "stop":
                return
    finally:
        database.dispose()


# -- the crawl process's side ---------------------------------------------------------------


class WorkerGone(RuntimeError):
    pass


@dataclass
class _Owner:
    """One crawler's account with the worker."""

    totals: WriteTotals = field(default_factory=WriteTotals)
    sent: int = 0  # posts submitted
    acked: int = 0  # posts the worker has acknowledged
    finished: bool = False


class StoreWorker:
    """The handle of one worker process, shared by the crawlers of the process (see
    :func:`acquire`). Used from the reactor thread only."""

    def __init__(self, options: WorkerOptions, max_pending: int = 6) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.max_pending = max_pending
        self.requests: Any = ctx.Queue()
        self.replies: Any = ctx.Queue()
        self.process: BaseProcess = ctx.Process(
            target=_serve,
            args=(options, self.requests, self.replies, os.getpid()),
            name="yuqing-store-worker",
            daemon=True,
        )
        self.started = time.monotonic()
        self.process.start()
        self.status: str | None = None  # the tagger's status, once ready
        self.failure: str | None = None  # why the worker cannot be used
        self.peak_rss_mb = 0.0
        self.in_flight = 0  # batches not acknowledged
        self.owners: dict[str, _Owner] = {}
        self.users = 0

    # replies -------------------------------------------------------------------------------
    def poll(self) -> None:
        """Read every reply that has arrived; notice a dead worker."""
        while True:
            try:
                reply = self.replies.get_nowait()
            except queue.Empty:
                break
            except (OSError, EOFError, ValueError):  # the pipe broke with the worker
                break
            self._handle(reply)
        if self.failure is None and not self.process.is_alive():
            self._gone()

    def _handle(self, reply: tuple[Any, ...]) -> None:
        kind = reply[0]
        if kind == "ready":
            self.status = str(reply[1])
            log.info(
                "store worker (pid %s) ready in %.1fs; tagger %s",
                reply[2],
                time.monotonic() - self.started,
                self.status,
            )
        elif kind == "done":
            _kind, owner, count, totals = reply
            account = self.owners.setdefault(owner, _Owner())
            account.acked += count
            account.totals.add(totals)
            self.in_flight -= 1
        elif kind == "finished":
            self.owners.setdefault(reply[1], _Owner()).finished = True
            self.peak_rss_mb = max(self.peak_rss_mb, float(reply[2]))
        elif kind == "failed":
            self.failure = f"the store worker could not start: {reply[1]}"

    def _gone(self) -> None:
        # a last look: replies written just before the exit
        try:
            while True:
                self._handle(self.replies.get(timeout=0.2))
        except (queue.Empty, OSError, EOFError, ValueError):
            pass
        if self.failure is None:
            self.failure = f"the store worker died (exit code {self.process.exitcode})"
        log.error("%s", self.failure)
        self.requests.cancel_join_thread()  # its pipe has no reader any more

    @property
    def usable(self) -> bool:
        return self.failure is None

    async def ready(self) -> bool:
        """Wait (without blocking the reactor) until the worker is ready or has failed."""
        deadline = time.monotonic() + START_TIMEOUT
        while self.status is None and self.failure is None:
            self.poll()
            if self.status is None and self.failure is None:
                if time.monotonic() > deadline:
                    self.failure = f"the store worker did not start in {START_TIMEOUT:g}s"
                    self.process.kill()
                    break
                await _sleep(POLL * 5)
        return self.failure is None

    # batches -------------------------------------------------------------------------------
    def submit(self, owner: str, batch: Sequence[PostItem]) -> bool:
        """Send a batch; True when the caller should wait (:meth:`room`) before going on."""
        account = self.owners.setdefault(owner, _Owner())
        if not batch:
            return False
        if self.failure is not None:
            account.totals.fail(len(batch), self.failure)
            return False
        try:  # here, not in the queue's feeder thread, which would drop a failure silently
            payload = pickle.dumps(list(batch), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:
            log.exception("could not send %d posts to the store worker", len(batch))
            account.totals.fail(len(batch), exc)
            return False
        self.requests.put(("batch", owner, len(batch), payload))
        account.sent += len(batch)
        self.in_flight += 1
        self.poll()
        return self.in_flight > self.max_pending

    async def room(self) -> None:
        """Wait until at most ``max_pending`` batches are unacknowledged."""
        while self.in_flight > self.max_pending and self.failure is None:
            await _sleep(POLL)
            self.poll()

    async def finish(self, owner: str) -> WriteTotals:
        """Wait until the worker has written every batch of ``owner``; its totals."""
        account = self.owners.setdefault(owner, _Owner())
        if self.failure is None:
            self.requests.put(("finish", owner))
            while not account.finished and self.failure is None:
                await _sleep(POLL)
                self.poll()
        lost = account.sent - account.acked
        if lost > 0:  # submitted, never acknowledged: the worker died with them
            account.totals.fail(lost, self.failure or "the store worker stopped")
            account.acked = account.sent
        return account.totals

    def stop(self) -> None:
        if self.process.is_alive():
            with contextlib.suppress(OSError, ValueError):
                self.requests.put(("stop",))
            self.process.join(STOP_TIMEOUT)
            if self.process.is_alive():
                log.error("the store worker did not stop: killing it")
                self.process.kill()
                self.process.join(5)
        self.requests.cancel_join_thread()
        self.requests.close()
        self.replies.close()


async def _sleep(seconds: float) -> None:
    """Sleep on the reactor (Scrapy runs the asyncio reactor; Twisted's otherwise)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        from scrapy.utils.defer import maybe_deferred_to_future
        from twisted.internet import reactor, task

        await maybe_deferred_to_future(task.deferLater(reactor, seconds, lambda: None))
        return
    await asyncio.sleep(seconds)


_WORKERS: dict[str, StoreWorker] = {}


def acquire(options: WorkerOptions, max_pending: int = 6) -> StoreWorker:
    """The process's worker for ``options.database_url`` (started on first use)."""
    worker = _WORKERS.get(options.database_url)
    if worker is None or (worker.users == 0 and not worker.usable):
        worker = _WORKERS[options.database_url] = StoreWorker(options, max_pending)
    worker.users += 1
    return worker


def release(worker: StoreWorker) -> None:
    """One user less; the last one stops the worker."""
    worker.users -= 1
    if worker.users <= 0:
        for key, known in list(_WORKERS.items()):
            if known is worker:
                del _WORKERS[key]
        worker.stop()
