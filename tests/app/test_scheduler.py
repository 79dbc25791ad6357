"""The scheduler process: its lock, its jobs, step chaining, crawl subprocesses, signals."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import TypeAdapter
from sqlalchemy import select

from tests.alerts.delivery_support import add_incident, add_notification, statuses
from yuqing.alerts.receivers import WebhookReceiver
from yuqing.app.errors import SchedulerLocked
from yuqing.app.proclock import DbLock
from yuqing.app.scheduler import Runtime, _next_run, build_scheduler
from yuqing.config import Config
from yuqing.config.sources import Source, SourcesFile
from yuqing.store.db import upgrade
from yuqing.store.models import Department, ProcessLock, SchedulerJob
from yuqing.store.session import Database
from yuqing.store.types import utcnow

ROOT = Path(__file__).resolve().parents[2]
SOURCE = TypeAdapter(Source)


def _with_sources(config: Config, *specs: dict[str, Any]) -> Config:
    sources = [SOURCE.validate_python(s) for s in specs]
    return config.model_copy(update={"sources": SourcesFile(sources=sources)})


def _feed(name: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "kind": "feed", "start_urls": ["http://127.0.0.1:1/rss.xml"], **extra}


# -- the lock ------------------------------------------------------------------------------


def test_a_second_lock_holder_is_refused(database: Database, clock: Any) -> None:
    first = DbLock(database, clock=clock)
    first.acquire()
    second = DbLock(database, clock=clock)
    with pytest.raises(SchedulerLocked) as err:
        second.acquire()
    assert first.holder in str(err.value)
    assert "another `yuqing run` is using this database" in str(err.value)
    first.release()
    second.acquire()  # free again
    assert second.held


def test_a_stale_lock_is_taken_over_with_a_log_line(
    sqlite_database: Database, clock: Any, caplog: pytest.LogCaptureFixture
) -> None:
    dead = DbLock(sqlite_database, stale_after=timedelta(minutes=2), clock=clock)
    dead.acquire()
    clock.advance(minutes=1)
    with pytest.raises(SchedulerLocked):
        DbLock(sqlite_database, stale_after=timedelta(minutes=2), clock=clock).acquire()
    clock.advance(minutes=2)
    heir = DbLock(sqlite_database, stale_after=timedelta(minutes=2), clock=clock)
    with caplog.at_level(logging.WARNING, logger="yuqing.app.proclock"):
        heir.acquire()
    assert "took over from " + dead.holder in caplog.text
    assert dead.heartbeat() is False  # the old holder learns it lost the lock
    assert heir.heartbeat() is True
    with sqlite_database.session() as s:
        assert s.scalars(select(ProcessLock.holder)).one() == heir.holder


def test_heartbeats_keep_a_lock_fresh(sqlite_database: Database, clock: Any) -> None:
    holder = DbLock(sqlite_database, stale_after=timedelta(minutes=2), clock=clock)
    holder.acquire()
    for _ in range(5):
        clock.advance(minutes=1)
        assert holder.heartbeat()
    with pytest.raises(SchedulerLocked):
        DbLock(sqlite_database, stale_after=timedelta(minutes=2), clock=clock).acquire()


# -- jobs ----------------------------------------------------------------------------------


def test_missed_runs_happen_once_now_and_future_runs_keep_the_sooner_time() -> None:
    now = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
    assert _next_run(now - timedelta(days=1), now + timedelta(hours=23), now) == now
    assert _next_run(now + timedelta(minutes=5), now + timedelta(minutes=15), now) == (
        now + timedelta(minutes=5)
    )
    assert _next_run(None, now + timedelta(hours=1), now) == now + timedelta(hours=1)


def test_jobs_are_stored_in_the_database_with_explicit_ids(
    config: Config, sqlite_database: Database
) -> None:
    cfg = _with_sources(config, _feed("news", interval="10m"), _feed("off", enabled=False))
    runtime = Runtime(cfg, sqlite_database)
    scheduler = build_scheduler(runtime)
    try:
        jobs = {j.id: j for j in scheduler.get_jobs()}
        assert set(jobs) == {"crawl:news", "evaluate", "deliver", "escalate", "digest", "purge"}
        for job in jobs.values():
            assert job.coalesce is True and job.max_instances == 1
            assert job.misfire_grace_time == 300
        assert jobs["crawl:news"].args == ("crawl", "news")
        assert jobs["deliver"].trigger.interval == timedelta(seconds=30)
        digest = jobs["digest"].next_run_time
        assert (digest.hour, digest.minute, str(digest.tzinfo)) == (8, 0, "Asia/Shanghai")
    finally:
        scheduler.shutdown(wait=False)
    # A restart with the source gone: its job is removed, the others replaced, not doubled.
    scheduler = build_scheduler(Runtime(_with_sources(config), sqlite_database))
    scheduler.shutdown(wait=False)
    with sqlite_database.session() as s:
        ids = sorted(s.scalars(select(SchedulerJob.id)))
    assert ids == ["deliver", "digest", "escalate", "evaluate", "purge"]


def test_a_step_kicked_while_running_runs_again_once(
    config: Config, sqlite_database: Database
) -> None:
    runtime = Runtime(config, sqlite_database)
    calls = []

    def evaluate() -> None:
        calls.append(len(calls))
        if len(calls) == 1:
            runtime.kick("evaluate")
            runtime.kick("evaluate")  # two kicks while running: one more run

    runtime.evaluate = evaluate  # type: ignore[method-assign]
    runtime.run_step("evaluate")
    assert calls == [0, 1]


def test_a_failing_step_is_logged_and_does_not_raise(
    config: Config, sqlite_database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    runtime = Runtime(config, sqlite_database)

    def escalate() -> None:
        raise RuntimeError("boom")

    runtime.escalate = escalate  # type: ignore[method-assign]
    runtime.run_step("escalate")
    assert "step escalate failed" in caplog.text


# -- crawl subprocesses --------------------------------------------------------------------


def test_a_crawl_past_its_timeout_is_stopped(
    config: Config, sqlite_database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = _with_sources(config, _feed("slow", timeout="1s"))
    runtime = Runtime(cfg, sqlite_database)
    monkeypatch.setattr("yuqing.app.crawljobs.TIMEOUT_MARGIN_SECONDS", 0.0)
    monkeypatch.setattr(
        runtime.crawler,
        "command",
        lambda name: [sys.executable, "-c", "import time; time.sleep(60)"],
    )
    assert runtime.crawler.run("slow") is None
    assert runtime.crawler._procs == {}


def test_a_crawl_gets_the_schedulers_settings_and_its_success_kicks_evaluate(
    config: Config, sqlite_database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = _with_sources(config, _feed("news"))
    runtime = Runtime(cfg, sqlite_database)
    expected = str(cfg.settings.data_dir)
    check = f"import os, sys; sys.exit(0 if os.environ['YUQING_DATA_DIR'] == {expected!r} else 3)"
    monkeypatch.setattr(runtime.crawler, "command", lambda name: [sys.executable, "-c", check])
    kicked = []
    monkeypatch.setattr(runtime, "kick", kicked.append)
    assert runtime.crawl("news") == 0
    assert kicked == ["evaluate"]


def test_stopping_terminates_a_running_crawl(
    config: Config, sqlite_database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = _with_sources(config, _feed("slow", timeout="5m"))
    runtime = Runtime(cfg, sqlite_database)
    monkeypatch.setattr(
        runtime.crawler,
        "command",
        lambda name: [sys.executable, "-c", "import time; time.sleep(60)"],
    )
    codes: list[int | None] = []
    t = threading.Thread(target=lambda: codes.append(runtime.crawler.run("slow")))
    t.start()
    while not runtime.crawler._procs:
        time.sleep(0.02)
    runtime.request_stop()
    t.join(timeout=60)
    assert codes == [-signal.SIGTERM]


def test_a_stopping_crawl_gets_sigterm_once(
    config: Config,
    sqlite_database: Database,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """Regression (crawl resume): Scrapy takes a second SIGTERM as "stop now, save nothing",
    which throws the JOBDIR away; stop_all and the waiting loop must not both send one."""
    cfg = _with_sources(config, _feed("slow", timeout="5m"))
    runtime = Runtime(cfg, sqlite_database)
    marks, ready = tmp_path / "sigterms", tmp_path / "ready"
    child = (
        "import signal, time, pathlib\n"
        f"p = pathlib.Path({str(marks)!r})\n"
        "signal.signal(signal.SIGTERM, lambda *a: p.open('a').write('x'))\n"
        f"pathlib.Path({str(ready)!r}).touch()\n"
        "end = time.monotonic() + 60\n"
        "while time.monotonic() < end and not p.exists(): time.sleep(0.01)\n"
        "time.sleep(1.0)\n"  # the grace period a crawl uses to save its job
    )
    monkeypatch.setattr(runtime.crawler, "command", lambda name: [sys.executable, "-c", child])
    codes: list[int | None] = []
    t = threading.Thread(target=lambda: codes.append(runtime.crawler.run("slow")))
    t.start()
    while not ready.exists():
        time.sleep(0.02)
    runtime.request_stop()
    t.join(timeout=60)
    assert codes == [0]
    assert marks.read_text() == "x"


def test_due_sources_follow_their_interval(
    config: Config, sqlite_database: Database, clock: Any
) -> None:
    from yuqing.store.models import Source as SourceRow

    cfg = _with_sources(config, _feed("a", interval="15m"), _feed("b", interval="15m"))
    with sqlite_database.session() as s:
        s.add(SourceRow(name="a", kind="feed", last_run_at=clock() - timedelta(minutes=5)))
    runtime = Runtime(cfg, sqlite_database)
    assert runtime.crawler.due_sources(sqlite_database, clock()) == ["b"]
    assert runtime.crawler.due_sources(sqlite_database, clock(), force=True) == ["a", "b"]
    assert runtime.crawler.due_sources(sqlite_database, clock() + timedelta(minutes=10)) == [
        "a",
        "b",
    ]


# -- the real process ----------------------------------------------------------------------


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[WebhookReceiver]:
    with WebhookReceiver(tmp_path / "hook.jsonl") as r:
        yield r


@pytest.fixture
def home(tmp_path: Path, receiver: WebhookReceiver) -> tuple[list[str], Database, dict[str, str]]:
    """A config dir whose department `tst` has a webhook to ``receiver``; a migrated DB."""
    cfg_dir = tmp_path / "cfg"
    cfg_dir.mkdir()
    (cfg_dir / "departments.yaml").write_text(
        "departments:\n  - code: tst\n    name: 测试单位\n    kind: office\n    channels:\n"
        f"      - type: webhook\n        url: {receiver.url}\n      - type: file\n",
        encoding="utf-8",
    )
    (cfg_dir / "sources.yaml").write_text("sources: []\n", encoding="utf-8")
    data_dir = tmp_path / "var"
    db = Database(f"sqlite:///{data_dir / 'yuqing.db'}")
    upgrade(db.engine)
    env = {k: v for k, v in os.environ.items() if not k.startswith("YUQING_")}
    return (
        [sys.executable, "-m", "yuqing", "--config", str(cfg_dir), "--data-dir", str(data_dir)],
        db,
        env,
    )


def _wait_for(predicate: Any, proc: subprocess.Popen[str], what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        if proc.poll() is not None:
            raise AssertionError(f"process exited ({proc.returncode}) before {what}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def _lock_taken(db: Database) -> bool:
    with db.session() as s:
        return s.scalars(select(ProcessLock)).first() is not None


def test_second_run_refuses_and_sigterm_exits_cleanly(home: Any) -> None:
    base, db, env = home
    first = subprocess.Popen([*base, "run"], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for(lambda: _lock_taken(db), first, "the lock")
        second = subprocess.run(
            [*base, "run"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
        )
        assert second.returncode == 4
        assert "another `yuqing run` is using this database" in second.stderr
        first.send_signal(signal.SIGTERM)
        _out, err = first.communicate(timeout=60)
    finally:
        if first.poll() is None:
            first.kill()
    assert first.returncode == 0, err
    assert "scheduler: stopped" in err
    assert not _lock_taken(db)


def test_sigterm_finishes_the_send_in_flight_and_a_restart_sends_the_rest_once(
    home: Any, receiver: WebhookReceiver
) -> None:
    base, db, env = home
    inc = add_incident(db, utcnow())
    keys = [
        add_notification(
            db, utcnow(), incident_id=inc, department="tst", channel="webhook#0", sequence=i
        )
        for i in range(1, 6)
    ]
    receiver.delay_seconds = 1.0  # each send takes a second
    proc = subprocess.Popen([*base, "run"], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for(lambda: bool(receiver.keys()), proc, "the first send")
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    received = receiver.keys()
    st = statuses(db)
    assert "sending" not in st.values()  # the send in flight was finished and recorded
    assert sorted(k for k, v in st.items() if v == "sent") == sorted(received)
    assert len(received) < len(keys)  # it stopped early instead of sending everything
    receiver.delay_seconds = 0
    done = subprocess.run(
        [*base, "run", "--once"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert Counter(receiver.keys()) == Counter(keys)  # the rest, and nothing twice
    assert "tst" in done.stdout and "sent 5" in done.stdout


def test_run_once_delivers_and_prints_a_summary_per_department(home: Any) -> None:
    base, db, env = home
    inc = add_incident(db, utcnow())
    add_notification(db, utcnow(), incident_id=inc, department="tst", channel="file#1")
    done = subprocess.run(
        [*base, "run", "--once"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "crawl: no source due" in done.stdout
    assert "deliver: sent 1" in done.stdout
    assert "tst      测试单位: sent 1" in done.stdout
    assert not _lock_taken(db)
    with db.session() as s:  # synced from departments.yaml at start-up
        tst = s.get(Department, "tst")
        assert tst is not None and (tst.name, tst.active) == ("测试单位", True)
