"""crawl_runs rows, source health, watermarks (store/crawl.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from yuqing.store import crawl as crawl_store
from yuqing.store.crawl import RunCounts
from yuqing.store.models import CrawlRun, Source
from yuqing.store.posts import PostRecord, upsert_posts
from yuqing.store.session import Database

T0 = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)


def run(db: Database, counts: RunCounts, incremental: bool = True, source: str = "s") -> str:
    with db.session() as s:
        rid = crawl_store.start_run(s, source, "feed")
    counts.stats.setdefault("incremental", incremental)
    with db.session() as s:
        return crawl_store.finish_run(s, rid, counts).health


def ok(items: int, **kw: Any) -> RunCounts:
    return RunCounts(status="ok", pages=max(1, items // 10), items_scraped=items, **kw)


def source_row(db: Database, name: str = "s") -> Source:
    with db.session() as s:
        row = s.execute(select(Source).where(Source.name == name)).scalar_one()
        s.expunge(row)
        return row


def test_a_run_records_its_counts_and_drops(sqlite_database: Database) -> None:
    counts = ok(40, items_new=30, items_updated=10, items_dropped=2, errors=1)
    counts.drops = {"missing_title": 2, "page:http_500": 1}
    counts.error_messages = ["page:http_500 http://x/: 500"]
    assert run(sqlite_database, counts) == "ok"
    with sqlite_database.session() as s:
        row = s.execute(select(CrawlRun)).scalar_one()
        assert (row.status, row.items_scraped, row.items_new, row.items_dropped) == (
            "ok",
            40,
            30,
            2,
        )
        assert row.drops == {"missing_title": 2, "page:http_500": 1}
        assert row.finished_at is not None and row.duration_s is not None
        assert row.stats["incremental"] is True
    src = source_row(sqlite_database)
    assert src.last_success_at is not None and src.last_run_at is not None


def test_a_failed_run_degrades_the_source(sqlite_database: Database) -> None:
    run(sqlite_database, ok(40))
    failed = RunCounts(status="failed", errors=3, error_messages=["page:connection: refused"])
    assert run(sqlite_database, failed) == "degraded"
    assert "refused" in (source_row(sqlite_database).health_reason or "")


def test_repeated_failures_make_it_failing_and_success_heals(sqlite_database: Database) -> None:
    for _ in range(crawl_store.FAILING_AFTER - 1):
        assert run(sqlite_database, RunCounts(status="failed", errors=1)) == "degraded"
    assert run(sqlite_database, RunCounts(status="timeout", errors=1)) == "failing"
    assert run(sqlite_database, ok(20)) == "ok"


def test_crawls_we_stopped_say_nothing_of_the_source(sqlite_database: Database) -> None:
    """A crawl stopped by us (scheduler shutdown, Ctrl-C; it resumes from its JOBDIR) is
    left out of health: neither degraded nor, three times over, failing."""
    assert run(sqlite_database, RunCounts(status="stopped", pages=3)) == "unknown"
    assert run(sqlite_database, ok(40)) == "ok"
    for _ in range(3):
        assert run(sqlite_database, RunCounts(status="stopped", pages=3)) == "ok"
    assert source_row(sqlite_database).health_reason == "last crawl ok: 40 items"


def test_far_fewer_items_than_recent_incremental_runs_degrades(sqlite_database: Database) -> None:
    run(sqlite_database, ok(400), incremental=False)  # the first, full crawl
    for items in (40, 38, 45):
        assert run(sqlite_database, ok(items)) == "ok"
    assert run(sqlite_database, ok(3)) == "degraded"
    assert "median 40" in (source_row(sqlite_database).health_reason or "")


def test_a_full_first_crawl_is_no_baseline(sqlite_database: Database) -> None:
    run(sqlite_database, ok(400), incremental=False)
    assert run(sqlite_database, ok(12)) == "ok"


def test_zero_items_degrades(sqlite_database: Database) -> None:
    run(sqlite_database, ok(30))
    assert run(sqlite_database, ok(0)) == "degraded"


def test_most_requests_failing_degrades(sqlite_database: Database) -> None:
    counts = RunCounts(status="ok", pages=10, items_scraped=5, errors=6)
    assert run(sqlite_database, counts) == "degraded"


def test_fail_run_closes_only_a_running_row(sqlite_database: Database) -> None:
    with sqlite_database.session() as s:
        rid = crawl_store.start_run(s, "s", "feed")
    with sqlite_database.session() as s:
        health = crawl_store.fail_run(s, rid, "failed", "process died")
        assert health is not None and health.health == "degraded"
    with sqlite_database.session() as s:
        assert crawl_store.fail_run(s, rid, "failed", "again") is None
        assert crawl_store.run_status(s, rid) == "failed"


def test_timeout_overrides_what_a_stopped_crawl_recorded(sqlite_database: Database) -> None:
    with sqlite_database.session() as s:
        rid = crawl_store.start_run(s, "s", "feed")
        crawl_store.finish_run(s, rid, RunCounts(status="failed", items_scraped=3))
        crawl_store.mark_timeout(s, rid, "timed out after 5s")
    with sqlite_database.session() as s:
        row = s.get(CrawlRun, rid)
        assert row is not None and row.status == "timeout"
        assert row.error_messages[0] == "timed out after 5s" and row.items_scraped == 3


def test_watermark_only_moves_forward(sqlite_database: Database) -> None:
    with sqlite_database.session() as s:
        crawl_store.advance_watermark(s, "s", T0)
        crawl_store.advance_watermark(s, "s", T0 - timedelta(days=1))
    with sqlite_database.session() as s:
        assert crawl_store.watermark(s, "s") == T0
        crawl_store.advance_watermark(s, "s", T0 + timedelta(hours=1))
    with sqlite_database.session() as s:
        assert crawl_store.watermark(s, "s") == T0 + timedelta(hours=1)


def test_known_posts_and_dedup_candidates(sqlite_database: Database) -> None:
    records = [
        PostRecord(
            "s",
            f"http://x/{i}",
            f"t{i}",
            f"text {i}",
            T0 - timedelta(days=i),
            f"h{i}",
            simhash=(1 << 63) + i if i % 2 else None,
        )
        for i in range(4)
    ]
    with sqlite_database.session() as s:
        upsert_posts(s, records)
    with sqlite_database.session() as s:
        known = crawl_store.known_posts(s, "s", T0 - timedelta(days=2))
        assert sorted(known.values()) == [T0 - timedelta(days=2), T0 - timedelta(days=1), T0]
        cands = crawl_store.recent_for_dedup(s, T0 - timedelta(days=10), limit=3)
        assert [c.title for c in cands] == ["t1", "t2", "t3"]  # newest 3, oldest first
        assert cands[0].simhash == (1 << 63) + 1  # unsigned again


def test_source_overview_shows_the_last_run(sqlite_database: Database) -> None:
    run(sqlite_database, ok(10), source="a")
    run(sqlite_database, RunCounts(status="failed", errors=2), source="a")
    (row,) = crawl_store.source_overview(sqlite_database.sessions())
    assert (row.name, row.health, row.last_status, row.last_errors) == (
        "a",
        "degraded",
        "failed",
        2,
    )
    assert row.last_success_at is not None
