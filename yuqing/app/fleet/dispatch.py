"""The scheduler's crawl runner for ``crawl.backend: scrapyd``.

For each due crawl, :class:`FleetRunner` creates the ``crawl_runs`` row (with the node and the
Scrapyd job id), schedules ``scrapy crawl <source>`` on the least-loaded healthy node
(``schedule.json`` with ``YUQING_RUN_ID``, the source's ``JOBDIR`` on that node and
``YUQING_JOB_GUARD``), and polls ``listjobs.json`` until the job finishes. The crawl process on
the node writes its posts and closes its row in the shared database, as a local crawl does.

A node that does not answer for ``node_dead_after_seconds`` (or that restarted and forgot the
job) is dead for this crawl: the run is closed as ``failed`` ("node … died") and the crawl is
dispatched again — to the same node when it is back (its JOBDIR is resumed where it was saved
cleanly, see :mod:`yuqing.crawler.jobguard`), else to another node, where the spider starts
from the source's watermark. Posts are upserted on their key and alerts are keyed on
incidents, so a crawl run twice stores and alerts nothing twice.

A node whose Scrapyd died may leave its crawl running. Each fleet crawl holds its source's lock
(:mod:`yuqing.crawler.sourcelock`), so the crawl is dispatched again only once that lock is
released or stale (the first crawl ended, or died with its host); one that starts anyway is
refused by the lock before it crawls.

What else a node may do, and what the runner does (issue 15):

* a job still ``pending`` on its node after ``pending_timeout_seconds`` (the node's slots are
  taken by other work) is cancelled there and dispatched to another node;
* a node that refuses the schedule (an error JSON, an HTML page, 401) is skipped for this
  crawl; once every node refused it the crawl fails until its next turn, instead of leaving
  a failed run every poll;
* a schedule that timed out may still have reached the node: the runner looks for the job
  there before it gives up on it;
* the nodes are asked for their status in parallel: a hung node costs one timeout, not one
  per node.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Collection, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from yuqing.app.crawljobs import TIMEOUT_MARGIN_SECONDS, CrawlRunner
from yuqing.app.fleet.client import NodeError, ScrapydClient
from yuqing.config import Config
from yuqing.config.crawl import ScrapydNode
from yuqing.crawler.sourcelock import holder_of
from yuqing.store import crawl as crawl_store
from yuqing.store.models import CrawlRun
from yuqing.store.session import Database

log = logging.getLogger(__name__)


@dataclass
class NodeStatus:
    """One node as ``daemonstatus.json`` (and this scheduler) see it."""

    name: str
    url: str
    max_jobs: int
    healthy: bool = False
    running: int = 0
    pending: int = 0
    error: str = ""
    kind: str = ""  # the NodeError's kind when not healthy (auth, timeout, …)

    @property
    def load(self) -> float:
        return (self.running + self.pending) / self.max_jobs

    @property
    def free(self) -> bool:
        return self.healthy and self.running + self.pending < self.max_jobs


def node_status(client: ScrapydClient) -> NodeStatus:
    node = client.node
    status = NodeStatus(node.name, node.url, node.max_jobs)
    try:
        body = client.daemonstatus()
        running, pending = int(body.get("running", 0)), int(body.get("pending", 0))
    except NodeError as exc:
        status.error, status.kind = str(exc), exc.kind
        return status
    except (TypeError, ValueError):
        status.error = f"scrapyd node {node.name}: daemonstatus.json: unexpected answer {body}"
        status.kind = "answer"
        return status
    status.healthy, status.running, status.pending = True, running, pending
    return status


def node_statuses(clients: Iterable[ScrapydClient]) -> list[NodeStatus]:
    """:func:`node_status` of each node, asked in parallel, in the clients' order."""
    todo = list(clients)
    if len(todo) <= 1:
        return [node_status(c) for c in todo]
    with ThreadPoolExecutor(max_workers=min(16, len(todo)), thread_name_prefix="node") as pool:
        return list(pool.map(node_status, todo))


def least_loaded(statuses: list[NodeStatus], exclude: Collection[str] = ()) -> NodeStatus | None:
    """The healthy node with a free slot and the lowest load (ties: the first configured)."""
    free = [s for s in statuses if s.free and s.name not in exclude]
    return min(free, key=lambda s: s.load) if free else None


class FleetRunner(CrawlRunner):
    """:class:`~yuqing.app.crawljobs.CrawlRunner` with the crawls on Scrapyd nodes."""

    def __init__(self, config: Config, stop_event: threading.Event, db: Database) -> None:
        super().__init__(config, stop_event)
        self.db = db
        crawl = config.settings.crawl
        self.project = crawl.project
        self.poll = crawl.poll_seconds
        self.dead_after = crawl.node_dead_after_seconds
        self.pending_timeout = crawl.pending_timeout_seconds
        self.clients = {n.name: ScrapydClient(n) for n in crawl.nodes}
        self._dispatch_lock = threading.Lock()
        self._jobs: dict[str, tuple[str, str]] = {}  # source → (node, job id) running now
        self._cancelled: set[str] = set()  # job ids sent SIGTERM (a second one is "stop now")
        self._waiting: set[str] = set()  # sources waiting for an earlier crawl's lock

    def statuses(self) -> list[NodeStatus]:
        return node_statuses(self.clients.values())

    def run(self, name: str) -> int | None:
        """Crawl ``name`` on the fleet; 0 if its run ended ``ok``, 1 if it failed, None if it
        was stopped (the scheduler stopping, the source's timeout)."""
        deadline = time.monotonic() + self.timeout(name) + TIMEOUT_MARGIN_SECONDS
        prefer: str | None = None  # the node that died under this crawl: its JOBDIR is there
        tried: set[str] = set()
        refused: set[str] = set()  # nodes that refused to schedule it
        while not self.stop_event.is_set():
            if time.monotonic() > deadline:
                log.error("crawl %s: no node finished it in time", name)
                return None
            picked = self._dispatch(name, prefer, tried, refused)
            if picked is None:
                if refused >= set(self.clients):
                    log.error(
                        "crawl %s: every node refused it (%s); trying again at its next turn",
                        name,
                        ", ".join(sorted(refused)),
                    )
                    return 1
                self.stop_event.wait(self.poll)
                continue
            node, job_id, run_id = picked
            outcome = self._watch(name, node, job_id, run_id, deadline)
            if outcome == "died":
                prefer = node.name
                tried.add(node.name)
                continue
            if outcome == "stuck":  # pending there too long: another node, not that one
                prefer = None
                tried.add(node.name)
                continue
            return outcome if isinstance(outcome, int) else None
        return None

    def _dispatch(
        self, name: str, prefer: str | None, tried: set[str], refused: set[str] | None = None
    ) -> tuple[ScrapydNode, str, int] | None:
        held = holder_of(self.db, name)
        if held is not None:  # an earlier crawl of it still runs (its node's Scrapyd died)
            holder, age = held
            log.log(
                logging.DEBUG if name in self._waiting else logging.WARNING,
                "crawl %s: an earlier crawl still holds its lock (%s, heartbeat %.0fs ago); "
                "waiting for it to end",
                name,
                holder,
                age,
            )
            self._waiting.add(name)
            return None
        self._waiting.discard(name)
        with self._dispatch_lock:
            statuses = self.statuses()
            by_name = {s.name: s for s in statuses}
            chosen = by_name.get(prefer) if prefer else None
            if chosen is None or not chosen.free:
                chosen = least_loaded(statuses, exclude=tried) or least_loaded(statuses)
            if chosen is None:
                errors = "; ".join(s.error or f"{s.name}: full" for s in statuses)
                down = any(not s.healthy for s in statuses)
                log.log(
                    logging.WARNING if down else logging.DEBUG,  # full: the crawl just waits
                    "crawl %s: no healthy node with a free slot (%s)",
                    name,
                    errors,
                )
                return None
            client = self.clients[chosen.name]
            node = client.node
            source = self.config.sources.get(name)
            with self.db.session() as s:
                run_id = crawl_store.start_run(s, name, source.kind, source.model_dump(mode="json"))
                job_id = f"{name}-{run_id}"
                run = s.get(CrawlRun, run_id)
                assert run is not None
                run.node, run.job_id = node.name, job_id
            settings = {
                "YUQING_RUN_ID": str(run_id),
                "JOBDIR": f"{node.jobs_dir.rstrip('/')}/{name}",
                "YUQING_JOB_GUARD": "on",
            }
            demo = os.environ.get("YUQING_DEMO_URL")
            if demo:
                settings["YUQING_DEMO_URL"] = demo
            try:
                client.schedule(self.project, name, job_id, settings)
            except NodeError as exc:
                if not (exc.kind == "timeout" and self._reached(client, job_id)):
                    log.error("crawl %s: cannot dispatch to %s: %s", name, node.name, exc)
                    self._close(run_id, "failed", f"dispatch to node {node.name} failed: {exc}")
                    tried.add(node.name)
                    if refused is not None:
                        refused.add(node.name)
                    return None
                log.warning("crawl %s: %s; the node has the job all the same", name, exc)
            self._jobs[name] = (node.name, job_id)
        log.info("crawl %s: dispatched to %s as job %s (run %s)", name, node.name, job_id, run_id)
        return node, job_id, run_id

    def _reached(self, client: ScrapydClient, job_id: str) -> bool:
        """Whether a schedule whose answer was lost reached the node (the job is listed)."""
        try:
            return client.listjobs(self.project).state(job_id) is not None
        except NodeError:
            return False

    def _watch(
        self, name: str, node: ScrapydNode, job_id: str, run_id: int, deadline: float
    ) -> int | str | None:
        """Poll until the job ends: 0/1 by its run's status, "died", or None when stopped."""
        client = self.clients[node.name]
        unreachable_since: float | None = None
        pending_since: float | None = None
        cancelled = False
        try:
            while True:
                if not cancelled and (self.stop_event.is_set() or time.monotonic() > deadline):
                    cancelled = True
                    why = "the scheduler stopped" if self.stop_event.is_set() else "timed out"
                    log.info("crawl %s: %s; cancelling job %s on %s", name, why, job_id, node.name)
                    self._cancel(client, job_id)
                try:
                    state = client.listjobs(self.project).state(job_id)
                    unreachable_since = None
                except NodeError as exc:
                    now = time.monotonic()
                    unreachable_since = unreachable_since or now
                    if now - unreachable_since >= self.dead_after:
                        self._close(run_id, "failed", f"node {node.name} died: {exc}")
                        log.error("crawl %s: node %s died; dispatching again", name, node.name)
                        return "died"
                    state = "running"
                if state is None and self._status(run_id) != "running":
                    state = "finished"  # it ended, then the node restarted and forgot it
                if state is None:  # the node restarted and forgot its jobs
                    self._close(run_id, "failed", f"node {node.name} lost job {job_id}")
                    log.error(
                        "crawl %s: node %s lost job %s; dispatching again", name, node.name, job_id
                    )
                    return "died"
                if state == "finished":
                    return self._finished(name, run_id, cancelled)
                pending_since = (pending_since or time.monotonic()) if state == "pending" else None
                if (
                    not cancelled
                    and pending_since is not None
                    and time.monotonic() - pending_since >= self.pending_timeout
                ):
                    taken = self._take_back(client, name, job_id, run_id)
                    if taken == "pending":
                        return "stuck"
                    pending_since = None  # not taken back: watch it again
                    cancelled = taken == "running"  # it started as it was cancelled: SIGTERM
                if self.stop_event.is_set():  # wait() would return at once
                    time.sleep(min(self.poll, 1.0))
                else:
                    self.stop_event.wait(self.poll)
        finally:
            self._jobs.pop(name, None)

    def _take_back(self, client: ScrapydClient, name: str, job_id: str, run_id: int) -> str:
        """Cancel a job stuck in pending; the state it was cancelled in: ``pending`` (it never
        started: dispatch it elsewhere), ``running`` (it started meanwhile and got SIGTERM),
        or ``""`` (the cancel failed, or the job had ended: keep watching)."""
        try:
            prev = client.cancel(self.project, job_id, signal="TERM")
        except NodeError as exc:
            log.warning("crawl %s: cannot take back pending job %s: %s", name, job_id, exc)
            return ""
        if prev != "pending":
            if prev == "running":
                log.warning("crawl %s: job %s started as it was taken back", name, job_id)
            return prev or ""
        why = (
            f"job {job_id} was still pending on node {client.name} after "
            f"{self.pending_timeout:g}s (no free slot there); dispatched elsewhere"
        )
        self._close(run_id, "failed", why)
        log.error("crawl %s: %s", name, why)
        return "pending"

    def _status(self, run_id: int) -> str | None:
        with self.db.session() as s:
            return crawl_store.run_status(s, run_id)

    def _finished(self, name: str, run_id: int, cancelled: bool) -> int | None:
        status = self._status(run_id)
        if status == "running":  # the process ended without closing its run (killed)
            message = "stopped" if cancelled else "crawl process ended without closing its run"
            self._close(run_id, "stopped" if cancelled else "failed", message)
            status = "stopped" if cancelled else "failed"
        log.info("crawl %s: run %s %s", name, run_id, status)
        if cancelled:
            return None
        return 0 if status == "ok" else 1

    def _cancel(self, client: ScrapydClient, job_id: str) -> None:
        with self._dispatch_lock:
            if job_id in self._cancelled:
                return
            self._cancelled.add(job_id)
        try:
            client.cancel(self.project, job_id, signal="TERM")
        except NodeError as exc:
            log.warning("cancel %s: %s", job_id, exc)

    def _close(self, run_id: int, status: str, message: str) -> None:
        with self.db.session() as s:
            crawl_store.fail_run(s, run_id, status, message)

    def stop_all(self) -> None:
        """Ask the nodes to stop this scheduler's running jobs (SIGTERM: JOBDIRs are saved)."""
        for name, (node, job_id) in list(self._jobs.items()):
            log.info("crawl %s: cancelling job %s on %s", name, job_id, node)
            self._cancel(self.clients[node], job_id)


def crawl_runner(config: Config, stop_event: threading.Event, db: Database) -> CrawlRunner:
    """The scheduler's crawl runner for ``crawl.backend`` (local subprocesses by default)."""
    if config.settings.crawl.backend == "scrapyd":
        return FleetRunner(config, stop_event, db)
    return CrawlRunner(config, stop_event)
