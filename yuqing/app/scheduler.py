"""The one scheduler process (``yuqing run``): APScheduler 3 with its job store in our database.

Jobs (explicit ids, ``replace_existing``, ``coalesce``, ``max_instances=1``, misfire grace from
schedule.yaml): ``crawl:<source>`` per enabled source at its interval (``python -m yuqing crawl
NAME`` in a subprocess with the source's timeout), ``evaluate``, ``deliver``, ``escalate``,
``digest`` (daily at ``digest_at``) and ``purge`` (retention, daily at ``purge_at``).

Steps chain: a crawl that succeeds runs ``evaluate`` at once, and ``evaluate``/``escalate`` run
``deliver`` at once, so a collected post reaches its receivers in seconds, not minutes; the
intervals are the safety net. Only one scheduler runs per database (:class:`DbLock`). On
start (``serve`` and ``run_once``) the departments table is synced from departments.yaml.
SIGTERM/SIGINT stop new work, let the running steps finish (a crawl subprocess gets SIGTERM and
shuts down cleanly; delivery stops after the current notification) and exit 0. State lives in
the database, so a restart loses nothing and the outbox sends nothing twice.
"""

from __future__ import annotations

import importlib
import logging
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from types import FrameType
from typing import Any

from yuqing.alerts.outbox import DeliveryPolicy, DeliveryResult, deliver_due
from yuqing.app.fleet.dispatch import crawl_runner
from yuqing.app.leader import Renewals
from yuqing.app.proclock import DbLock
from yuqing.config import Config
from yuqing.store import departments, retention
from yuqing.store.dbclock import database_clock
from yuqing.store.session import Database
from yuqing.store.types import utcnow

log = logging.getLogger(__name__)

STEPS = ("evaluate", "deliver", "escalate", "digest", "purge")
DELIVER_BATCH = 100
_RUNTIME: Runtime | None = None


def _optional(module: str, attr: str) -> Callable[..., Any] | None:
    """``module.attr`` if that module exists yet (other issues add some of them)."""
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name == module:
            return None
        raise
    fn = getattr(mod, attr, None)
    return fn if callable(fn) else None


@dataclass
class Runtime:
    """What the jobs work with; one per scheduler process (jobs find it through ``_RUNTIME``)."""

    config: Config
    db: Database
    policy: DeliveryPolicy = field(default_factory=DeliveryPolicy)
    stop_event: threading.Event = field(default_factory=threading.Event)
    scheduler: Any = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _running: set[str] = field(default_factory=set)
    _again: set[str] = field(default_factory=set)
    _missing: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.crawler = crawl_runner(self.config, self.stop_event, self.db)  # local or Scrapyd

    @property
    def stopping(self) -> bool:
        return self.stop_event.is_set()

    def request_stop(self) -> None:
        if not self.stop_event.is_set():
            log.info("scheduler: stopping (finishing the running steps)")
        self.stop_event.set()
        self.crawler.stop_all()

    def sync_departments(self) -> None:
        """Mirror departments.yaml into the ``departments`` table (at start-up). A failure is
        logged: the table is for analysts and history, routing reads the config."""
        try:
            with self.db.session() as s:
                departments.sync(s, self.config.departments.departments)
        except Exception:
            log.exception("scheduler: could not sync the departments table")

    # -- steps ------------------------------------------------------------------------------

    def crawl(self, source: str) -> int | None:
        code = self.crawler.run(source)
        if code == 0:
            self.kick("evaluate")
        return code

    def evaluate(self) -> Any:
        fn = self._hook("yuqing.alerts.evaluate", "evaluate")
        if fn is None:
            return None
        result = fn(self.config, self.db)  # it logs its own summary
        if getattr(result, "notifications", 1):
            self.kick("deliver")
        return result

    def deliver(self) -> DeliveryResult:
        total = DeliveryResult()
        while not self.stopping:
            result = deliver_due(
                self.config,
                self.db,
                now=database_clock(self.db)(),  # leases compared on one clock (issue 15)
                limit=DELIVER_BATCH,
                policy=self.policy,
                should_stop=self.stop_event.is_set,
            )
            for name in ("sent", "retried", "dead", "deferred", "reclaimed"):
                setattr(total, name, getattr(total, name) + getattr(result, name))
            total.errors += result.errors
            if result.attempted < DELIVER_BATCH:
                break
        return total

    def escalate(self) -> Any:
        fn = self._hook("yuqing.alerts.escalation", "escalate")
        if fn is None:
            return None
        count = fn(self.config, self.db)
        if count:
            log.info("escalate: %s escalation notification(s)", count)
            self.kick("deliver")
        return count

    def digest(self) -> Any:
        fn = self._hook("yuqing.alerts.digest", "run_scheduled")
        if fn is None:
            return None
        result = fn(self.config, self.db)
        self.kick("deliver")
        return result

    def purge(self) -> retention.PurgeResult:
        return retention.purge(self.db, self.config.settings.retention_days)

    def _hook(self, module: str, attr: str) -> Callable[..., Any] | None:
        fn = _optional(module, attr)
        if fn is None and module not in self._missing:
            self._missing.add(module)
            log.warning("%s.%s is not available yet: skipping that step", module, attr)
        return fn

    # -- running and chaining ---------------------------------------------------------------

    def run_step(self, step: str) -> None:
        """Run ``step``; again at once if it was kicked while running. Errors are logged."""
        with self._lock:
            if step in self._running:
                self._again.add(step)
                return
            self._running.add(step)
        try:
            while not self.stopping:
                try:
                    getattr(self, step)()
                except Exception:
                    log.exception("scheduler: step %s failed", step)
                with self._lock:
                    if step not in self._again:
                        break
                    self._again.discard(step)
        finally:
            with self._lock:
                self._running.discard(step)
                self._again.discard(step)

    def kick(self, step: str) -> None:
        """Run ``step`` as soon as possible (after the current run, if it is running)."""
        if self.stopping:
            return
        with self._lock:
            if step in self._running:
                self._again.add(step)
                return
        if self.scheduler is not None:
            try:
                self.scheduler.modify_job(step, next_run_time=utcnow())
            except Exception as exc:  # JobLookupError, or the scheduler is shutting down
                log.debug("kick %s: %s", step, exc)


def run_job(step: str, arg: str | None = None) -> None:
    """The APScheduler job target (a module-level function: jobs are stored by reference)."""
    runtime = _RUNTIME
    if runtime is None:
        log.error("job %s fired outside a running scheduler", step)
        return
    if step == "crawl" and arg is not None:
        runtime.crawl(arg)
    else:
        runtime.run_step(step)


# -- the long-running process --------------------------------------------------------------


def _next_run(existing: datetime | None, default: datetime | None, now: datetime) -> Any:
    """A missed run happens once, now; otherwise the sooner of the stored and the new time."""
    if existing is not None and existing <= now:
        return now
    if existing is not None and default is not None:
        return min(existing, default)
    return default


def build_scheduler(runtime: Runtime) -> Any:
    """A started-but-paused BackgroundScheduler with every job added (or replaced)."""
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    cfg = runtime.config
    sched = cfg.schedule
    tz = cfg.settings.timezone
    sources = [s for s in cfg.sources.sources if s.enabled]
    scheduler = BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=runtime.db.engine)},
        executors={"default": ThreadPoolExecutor(max_workers=len(sources) + len(STEPS) + 1)},
        job_defaults={
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": max(1, int(sched.misfire_grace.total_seconds())),
        },
        timezone=tz,
    )
    scheduler.start(paused=True)
    now = utcnow()
    jitter = int(sched.crawl_jitter.total_seconds()) or None
    wanted: dict[str, tuple[Any, list[Any], datetime | None]] = {}
    for src in sources:
        trigger = IntervalTrigger(seconds=src.interval.total_seconds(), jitter=jitter, timezone=tz)
        wanted[f"crawl:{src.name}"] = (trigger, ["crawl", src.name], now)
    for step, every in (
        ("evaluate", sched.evaluate_every),
        ("deliver", sched.deliver_every),
        ("escalate", sched.escalate_every),
    ):
        wanted[step] = (IntervalTrigger(seconds=every.total_seconds(), timezone=tz), [step], now)
    for step, at in (("digest", sched.digest_at), ("purge", sched.purge_at)):
        hour, minute = (int(x) for x in at.split(":"))
        trigger = CronTrigger(hour=hour, minute=minute, timezone=tz)
        wanted[step] = (trigger, [step], trigger.get_next_fire_time(None, now))
    for job in scheduler.get_jobs():
        if job.id not in wanted:
            log.info("scheduler: removing job %s (no longer configured)", job.id)
            scheduler.remove_job(job.id)
    for job_id, (trigger, args, default) in wanted.items():
        old = scheduler.get_job(job_id)
        scheduler.add_job(
            run_job,
            trigger,
            args=args,
            id=job_id,
            name=job_id,
            replace_existing=True,
            next_run_time=_next_run(old.next_run_time if old else None, default, now),
        )
    return scheduler


def serve(runtime: Runtime, lock: DbLock, heartbeat_every: float = 15.0) -> bool:
    """Run until SIGTERM/SIGINT (True) or until the lock is lost (False); the caller holds
    ``lock``."""
    global _RUNTIME
    _RUNTIME = runtime
    previous = _install_signals(runtime)
    scheduler = None
    kept = True
    try:
        runtime.sync_departments()
        scheduler = build_scheduler(runtime)
        runtime.scheduler = scheduler
        scheduler.resume()
        jobs = ", ".join(sorted(j.id for j in scheduler.get_jobs()))
        log.info("scheduler: running as %s; jobs: %s", lock.holder, jobs)
        renewals = Renewals(lock.stale_after)
        while not runtime.stop_event.wait(heartbeat_every):
            try:
                if not renewals.renew(lock.heartbeat):
                    kept = False
                    break
            except Exception:
                log.exception("scheduler: heartbeat failed (database unavailable?)")
                if renewals.expired():  # a standby may lead by now: fence (issue 15)
                    log.error("scheduler: lease not renewed for %s; stopping", lock.stale_after)
                    kept = False
                    break
    finally:
        runtime.request_stop()
        if scheduler is not None:
            scheduler.shutdown(wait=True)
        runtime.scheduler = None
        _RUNTIME = None
        _restore_signals(previous)
        log.info("scheduler: stopped")
    return kept


def _install_signals(runtime: Runtime) -> dict[int, Any]:
    previous: dict[int, Any] = {}
    if threading.current_thread() is not threading.main_thread():
        return previous

    def handler(signum: int, _frame: FrameType | None) -> None:
        log.info("scheduler: got %s", signal.Signals(signum).name)
        runtime.request_stop()

    for sig in (signal.SIGTERM, signal.SIGINT):
        previous[sig] = signal.signal(sig, handler)
    return previous


def _restore_signals(previous: dict[int, Any]) -> None:
    for sig, old in previous.items():
        signal.signal(sig, old)


# -- one cycle (`yuqing run --once`) -------------------------------------------------------


@dataclass
class CycleReport:
    crawled: dict[str, int | None] = field(default_factory=dict)
    evaluation: Any = None
    delivery: DeliveryResult = field(default_factory=DeliveryResult)
    failed_steps: list[str] = field(default_factory=list)


def run_once(runtime: Runtime, force: bool = False) -> CycleReport:
    """Crawl every due source (all with ``force``), evaluate, deliver; then return."""
    report = CycleReport()
    previous = _install_signals(runtime)
    try:
        runtime.sync_departments()
        due = runtime.crawler.due_sources(runtime.db, utcnow(), force=force)
        report.crawled = runtime.crawler.run_many(due)
        report.failed_steps += [f"crawl:{n}" for n, code in report.crawled.items() if code != 0]
        for step in ("evaluate", "deliver"):
            if runtime.stopping:
                break
            try:
                result = getattr(runtime, step)()
            except Exception:
                log.exception("run --once: step %s failed", step)
                report.failed_steps.append(step)
                continue
            if step == "evaluate":
                report.evaluation = result
            else:
                report.delivery = result
    finally:
        _restore_signals(previous)
    return report


def heartbeat_interval(lock: DbLock) -> float:
    return max(1.0, min(15.0, lock.stale_after.total_seconds() / 4))


__all__ = [
    "CycleReport",
    "DbLock",
    "Runtime",
    "build_scheduler",
    "run_job",
    "run_once",
    "serve",
]
