"""Issue 15: a crawl Scrapyd runs on a node keeps its own JOBDIR's bookkeeping (JobGuard):
a job saved cleanly is resumed, one whose process was killed is discarded and its run closed,
and nothing happens unless the dispatcher asks for it (YUQING_JOB_GUARD=on)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from yuqing.config import Config
from yuqing.crawler import jobdir as jobs
from yuqing.crawler.errors import SourceLocked
from yuqing.crawler.jobguard import JobGuard
from yuqing.crawler.sourcelock import STALE_AFTER, holder_of
from yuqing.store import crawl as crawl_store
from yuqing.store.models import CrawlRun, ProcessLock
from yuqing.store.session import Database

SOURCE = "demo-board"


class BoardSpider(Spider):
    name = SOURCE


def _guard(cfg: Config, jobdir: Path, run_id: int, on: str = "on") -> JobGuard:
    crawler = Crawler(
        BoardSpider,
        {
            "YUQING_CONFIG": cfg,
            "JOBDIR": str(jobdir),
            "YUQING_RUN_ID": str(run_id),
            "YUQING_JOB_GUARD": on,
        },
    )
    return JobGuard.from_crawler(crawler)


def _run(db: Database) -> int:
    with db.session() as s:
        return crawl_store.start_run(s, SOURCE, "jsonapi")


def _print(cfg: Config) -> str:
    return jobs.fingerprint(cfg, cfg.sources.get(SOURCE), None)


def test_off_unless_the_dispatcher_asks_issue_15(
    tmp_path: Path, crawl_config: Config, crawl_db: Database
) -> None:
    with pytest.raises(NotConfigured):
        _guard(crawl_config, tmp_path / "job", _run(crawl_db), on="off")


def test_a_killed_crawls_jobdir_is_discarded_and_its_run_closed_issue_15(
    tmp_path: Path, crawl_config: Config, crawl_db: Database
) -> None:
    jobdir = tmp_path / "job"
    dead = _run(crawl_db)
    jobdir.mkdir()
    (jobdir / "requests.seen").write_text("f00\n", encoding="utf-8")
    jobs.write_job(jobdir, jobs.Job(_print(crawl_config), state="running", run_ids=[dead]))
    new = _run(crawl_db)
    guard = _guard(crawl_config, jobdir, new)
    assert not (jobdir / "requests.seen").exists()  # the seen set of a killed crawl is gone
    assert guard.job.run_ids == [new]
    with crawl_db.session() as s:
        old_run, new_run = s.get(CrawlRun, dead), s.get(CrawlRun, new)
        assert old_run is not None and new_run is not None
        assert old_run.status == "failed"
        assert old_run.error_messages == ["the crawl process died without closing its run"]
        assert new_run.stats["jobdir"] == "discarded"
    assert jobs.read_job(jobdir) is not None and jobs.read_job(jobdir).state == "running"  # type: ignore[union-attr]


def test_a_cleanly_saved_jobdir_is_resumed_issue_15(
    tmp_path: Path, crawl_config: Config, crawl_db: Database
) -> None:
    jobdir = tmp_path / "job"
    first = _run(crawl_db)
    with crawl_db.session() as s:
        crawl_store.fail_run(s, first, "stopped", "interrupted")
    jobdir.mkdir()
    jobs.write_job(
        jobdir,
        jobs.Job(
            _print(crawl_config),
            state="interrupted",
            run_ids=[first],
            pending=3,
            saved_at=crawl_store.utcnow().isoformat(),
        ),
    )
    second = _run(crawl_db)
    guard = _guard(crawl_config, jobdir, second)
    assert guard.job.run_ids == [first, second]
    with crawl_db.session() as s:
        run = s.get(CrawlRun, second)
        assert run is not None and run.stats["jobdir"] == "resumed"
        assert run.stats["resumes_runs"] == [first]


def test_a_second_crawl_of_the_source_is_refused_while_the_first_holds_its_lock_issue_15(
    tmp_path: Path, crawl_config: Config, crawl_db: Database
) -> None:
    """The first crawl still runs on a node whose Scrapyd died; the crawl dispatched again is
    refused before it touches a JOBDIR, its run closed naming the holder; once the first
    closes (its lock released), a crawl of the source starts."""
    first = _guard(crawl_config, tmp_path / "n1-job", _run(crawl_db))
    assert holder_of(crawl_db, SOURCE) is not None
    second = _run(crawl_db)
    with pytest.raises(SourceLocked, match=r"^another crawl of 'demo-board' is running \("):
        _guard(crawl_config, tmp_path / "n2-job", second)
    assert not (tmp_path / "n2-job").exists()
    with crawl_db.session() as s:
        run = s.get(CrawlRun, second)
        assert run is not None and run.status == "failed"
        assert run.error_messages[0].startswith("refused: another crawl of 'demo-board'")
    first.spider_closed(BoardSpider(), "finished")
    assert holder_of(crawl_db, SOURCE) is None
    third = _guard(crawl_config, tmp_path / "n2-job", _run(crawl_db))
    assert third.lock is not None and third.lock.lock.held
    third.spider_closed(BoardSpider(), "finished")


def test_a_lock_whose_holder_stopped_beating_is_taken_over_issue_15(
    tmp_path: Path, crawl_config: Config, crawl_db: Database
) -> None:
    """The first crawl was killed with its node on another host: its heartbeat goes stale."""
    with crawl_db.session() as s:
        old = crawl_store.utcnow() - STALE_AFTER - timedelta(seconds=1)
        s.add(
            ProcessLock(
                name="crawl:demo-board",
                holder="elsewhere:1:abcd0123:00000000:1",
                acquired_at=old,
                heartbeat_at=old,
            )
        )
    assert holder_of(crawl_db, SOURCE) is None
    guard = _guard(crawl_config, tmp_path / "job", _run(crawl_db))
    assert guard.lock is not None and guard.lock.lock.held
    guard.spider_closed(BoardSpider(), "finished")
