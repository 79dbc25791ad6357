"""Interrupted crawls resume (JOBDIR), end to end: real crawl processes against a DemoSite on
127.0.0.1 whose request log says which pages each crawl fetched, and whose gate holds requests
back so a crawl is interrupted at a known point (N pages answered, the rest waiting).

What a resumed crawl fetches again, and why: robots.txt (once per process) and the source's
start URLs (``dont_filter``: new posts appear there while the crawl is stopped). Every other
page is fetched once across the runs. A killed crawl (SIGKILL) keeps the batches it stored and
fetches everything again; a saved job whose source changed is discarded.

The interrupting signal is SIGTERM, as the scheduler sends it: to ``yuqing crawl`` (twice, as
the scheduler's stop does), which stops its crawl process; or to the crawl process directly,
as the runner does on a timeout. No sleep stands in for a condition: the tests wait on the
demo site's request log and poll the crawl's log file.
"""

from __future__ import annotations

import logging
import os
import signal
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.crawler.resume_kit import (
    BOARD,
    WAIT,
    Cli,
    Work,
    assert_saved_job,
    board_pages,
    crawl,
    forum_pages,
    interrupted_crawl,
    release,
    wait_at_gate,
    wait_for_text,
    wait_gone,
)
from yuqing.config import Config
from yuqing.config.sources import ListingSource
from yuqing.crawler import jobdir as jobs
from yuqing.crawler.demo_site import DemoSite
from yuqing.store.models import CrawlRun
from yuqing.store.session import Database


@pytest.fixture
def work(tmp_path: Path, crawl_db: Database) -> Work:
    return Work(tmp_path, crawl_db)


@pytest.fixture
def site() -> Iterator[DemoSite]:
    # live mode: held posts appear only when released, as new posts do between two crawls
    with DemoSite(live=True, release_interval=3600) as demo:
        yield demo


def test_sigterm_to_yuqing_crawl_saves_the_job_and_the_next_crawl_resumes_it(
    work: Work, site: DemoSite, crawl_config: Config
) -> None:
    name, log = "demo-forum", site.state.requests
    # run 1: `yuqing crawl` stopped by the scheduler after 40 answered requests; a second
    # SIGTERM (an impatient operator) must not cut the grace period short
    log.hold_after(40)
    cli = Cli(work, site, name)
    wait_at_gate(site, cli.running, cli.output)
    cli.proc.send_signal(signal.SIGTERM)
    wait_for_text(work.crawl_log(name), "shutting down gracefully")
    cli.proc.send_signal(signal.SIGTERM)
    wait_for_text(work.crawl_log(name), "Closing spider (shutdown)")
    release(site)
    assert cli.proc.wait(WAIT) == 130, cli.output()  # "interrupted"
    first = log.since(0)
    (run1,) = work.runs(name)
    job = assert_saved_job(work, name, run1)
    assert "forcing unclean shutdown" not in work.crawl_log(name).read_text("utf-8")
    assert work.source(name).watermark_at is None  # not moved by a crawl cut short
    # a crawl we stopped says nothing of the source (status "stopped", left out of health)
    assert run1.status == "stopped" and work.source(name).health == "unknown"
    stored_first = len(work.posts(name))
    assert stored_first == run1.items_new > 0  # the batches of run 1 were stored at close

    # a new thread appears while the crawl is stopped: only the start page shows it
    while (released := site.release_next()) is not None and released["channel"] != "forum":
        pass
    assert released is not None

    # run 2: resumes the saved job
    mark = log.count
    run2 = work.run(crawl(work, crawl_config, site, name).run_id)
    second = log.since(mark)
    assert run2.status == "ok" and run2.stats["jobdir"] == "resumed"
    assert run2.stats["jobdir_end"] == "cleared"
    assert run2.stats["resumes_runs"] == job.run_ids == [run1.id]
    assert f"Resuming crawl ({job.pending} requests scheduled)" in work.crawl_log(name).read_text(
        "utf-8"
    )
    assert not run2.stats["incremental"]  # no watermark: nothing of the job was skipped
    assert not work.jobdir(name).exists()
    assert work.source(name).health == "ok"
    # (a) fetched again: robots.txt and the start URL only
    assert set(first) & set(second) == {"GET /robots.txt", "GET /forum/"}
    counts = Counter(first + second)
    assert counts.pop("GET /robots.txt") == counts.pop("GET /forum/") == 2
    assert set(counts.values()) == {1}, [p for p, n in counts.items() if n > 1]
    forum = crawl_config.sources.get(name)
    assert isinstance(forum, ListingSource) and forum.replies is not None
    assert set(counts) | {"GET /forum/"} == forum_pages(site, forum.replies.max_pages)
    assert f"GET /forum/thread/{released['id']}" in second
    # (b) every post stored once: run 2 stored only posts run 1 had not
    posts = work.posts(name)
    assert run2.items_updated == 0 and run1.items_new + run2.items_new == len(posts)
    threads = {int(p.url.rsplit("/", 1)[1]) for p in posts if p.external_id is None}
    assert threads == {i.id for i in site.state.listing("forum")}
    # (c) the watermark: the newest post stored (the thread released meanwhile)
    assert work.source(name).watermark_at == max(p.published_at for p in posts)


def test_two_interruptions_then_the_job_finishes(work: Work, site: DemoSite) -> None:
    """A jsonapi source whose detail requests carry a PostItem, stopped twice."""
    cfg, log = work.config(), site.state.requests
    fetched: list[list[str]] = []
    runs: list[CrawlRun] = []
    carried = 0
    for after in (25, 25):
        mark = log.count
        runs.append(work.run(interrupted_crawl(work, cfg, site, after).run_id))
        fetched.append(log.since(mark))
        job = assert_saved_job(work, BOARD, runs[-1], resumed=carried)
        assert job.run_ids == [r.id for r in runs]
        carried = job.pending or 0
        assert work.source(BOARD).watermark_at is None
    mark = log.count
    summary = crawl(work, cfg, site)
    fetched.append(log.since(mark))
    runs.append(work.run(summary.run_id))
    first, second, third = runs
    assert second.stats["jobdir"] == "resumed" and second.stats["resumes_runs"] == [first.id]
    assert third.stats["resumes_runs"] == [first.id, second.id]
    assert summary.status == "ok" and summary.health == "ok" and third.status == "ok"
    assert not work.jobdir(BOARD).exists()
    start = "GET /board/api/messages?size=10&page=1"
    counts = Counter(p for pages in fetched for p in pages)
    assert counts.pop("GET /robots.txt") == counts.pop(start) == 3
    assert set(counts.values()) == {1}, [p for p, n in counts.items() if n > 1]
    posts = work.posts(BOARD)
    assert {p.external_id for p in posts} == {str(i.id) for i in site.state.listing("board")}
    assert len(board_pages([p for pages in fetched for p in pages])) == len(posts)
    assert sum(r.items_updated for r in runs) == 0
    assert sum(r.items_new for r in runs) == len(posts)
    # the watermark: the newest post the three runs stored together; the last run alone
    # stored only older ones (the first had the first pages)
    assert work.source(BOARD).watermark_at == max(p.published_at for p in posts)
    assert third.stats["newest_published"] < first.stats["newest_published"]


def test_saved_job_of_a_changed_source_is_discarded_and_the_crawl_starts_afresh(
    work: Work, site: DemoSite, caplog: pytest.LogCaptureFixture
) -> None:
    log = site.state.requests
    first = work.run(interrupted_crawl(work, work.config(), site, 25).run_id)
    assert_saved_job(work, BOARD, first)
    stored_first = {p.external_id for p in work.posts(BOARD)}
    fetched_first = board_pages(log.since(0))
    # the source's start URLs change: the saved requests are not this crawl's
    cfg = work.config(start_urls=["{demo}/board/api/messages?size=20"])
    mark = log.count
    with caplog.at_level(logging.WARNING, logger="yuqing.crawler.jobdir"):
        second = work.run(crawl(work, cfg, site).run_id)
    assert second.status == "ok" and second.stats["jobdir"] == "discarded"
    assert "source's configuration" in second.stats["jobdir_reason"]
    assert f"crawl {BOARD}: discarding its saved job" in caplog.text
    again = board_pages(log.since(mark))
    assert set(fetched_first) <= set(again)  # fetched afresh, the seen set was dropped
    posts = work.posts(BOARD)
    assert {p.external_id for p in posts} == {str(i.id) for i in site.state.listing("board")}
    assert second.items_updated == len(stored_first) and second.items_new == len(posts) - len(
        stored_first
    )


def test_killed_resumed_crawl_keeps_its_stored_posts_and_starts_afresh(
    work: Work, site: DemoSite
) -> None:
    """Stopped (saved), resumed, then killed: Scrapy wrote the queue's index at the first
    close only, while the killed run popped and pushed requests and added fingerprints.
    Resuming that would skip pages for good; the job is discarded and everything fetched
    again (the posts already stored are updated, not duplicated)."""
    cfg, log = work.config(), site.state.requests
    first = work.run(interrupted_crawl(work, cfg, site, 25).run_id)
    assert_saved_job(work, BOARD, first)
    summary = interrupted_crawl(work, cfg, site, 25, signal.SIGKILL)
    second = work.run(summary.run_id)
    assert second.stats["jobdir"] == "resumed"
    assert summary.status == "failed" and "killed by SIGKILL" in summary.message
    assert second.status == "failed" and second.stats["jobdir_end"] == "discarded"
    assert not work.jobdir(BOARD).exists()
    assert work.source(BOARD).watermark_at is None
    # what survives: the posts of the batches stored before the kill (here: run 1's, stored
    # when it closed; run 2's items were still buffered)
    survived = {p.external_id for p in work.posts(BOARD)}
    assert len(survived) == first.items_new > 0
    fetched_before = board_pages(log.since(0))
    mark = log.count
    third = work.run(crawl(work, cfg, site).run_id)
    assert third.status == "ok" and third.stats["jobdir"] == "fresh"
    assert set(fetched_before) <= set(board_pages(log.since(mark)))  # all fetched again
    posts = work.posts(BOARD)
    assert {p.external_id for p in posts} == {str(i.id) for i in site.state.listing("board")}
    assert third.items_updated == len(survived)  # stored again, not twice
    assert third.items_new == len(posts) - len(survived)


def test_runner_and_crawl_killed_together_leave_a_job_the_next_crawl_discards(
    work: Work, site: DemoSite, crawl_config: Config
) -> None:
    """Power loss: nobody closes the run or the job; the next crawl does."""
    name, log = "demo-forum", site.state.requests
    log.hold_after(30)
    cli = Cli(work, site, name)
    wait_at_gate(site, cli.running, cli.output)
    child = cli.crawl_pid()
    cli.proc.kill()
    cli.proc.wait(WAIT)
    os.kill(child, signal.SIGKILL)
    release(site)
    wait_gone(child)
    (first,) = work.runs(name)
    assert first.status == "running"
    job = jobs.read_job(work.jobdir(name))
    assert job is not None and job.state == "running"
    fetched_first = log.since(0)
    mark = log.count
    second = work.run(crawl(work, crawl_config, site, name).run_id)
    first = work.run(first.id)
    assert first.status == "failed"
    assert first.error_messages[0] == "the crawl process died without closing its run"
    assert second.status == "ok" and second.stats["jobdir"] == "discarded"
    assert "not seen to close cleanly" in second.stats["jobdir_reason"]
    assert set(fetched_first) - {"GET /robots.txt"} <= set(log.since(mark))
    threads = {int(p.url.rsplit("/", 1)[1]) for p in work.posts(name) if p.external_id is None}
    assert threads == {i.id for i in site.state.listing("forum")}


def test_ctrl_c_on_yuqing_crawl_stops_the_crawl_cleanly(work: Work, site: DemoSite) -> None:
    """Regression guard: a terminal's Ctrl-C goes to the whole process group. The crawl
    process has a session of its own, so it gets only the runner's SIGTERM (with SIGINT as
    well, Scrapy would take the second signal as "stop now" and save nothing)."""
    name = "demo-forum"
    site.state.requests.hold_after(30)
    cli = Cli(work, site, name)
    wait_at_gate(site, cli.running, cli.output)
    os.killpg(cli.pid, signal.SIGINT)
    wait_for_text(work.crawl_log(name), "Closing spider (shutdown)")
    release(site)
    assert cli.proc.wait(WAIT) == 130, cli.output()
    assert "forcing unclean shutdown" not in work.crawl_log(name).read_text("utf-8")
    (run,) = work.runs(name)
    assert_saved_job(work, name, run)
