"""A source's health reason reads in Chinese on the pages (issue 13: the dashboard showed
``last crawl ok: 82 items``)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from yuqing.alerts.health_text import health_reason_zh
from yuqing.store import crawl
from yuqing.store.models import Source
from yuqing.store.session import Database


@pytest.mark.parametrize(
    ("reason", "zh"),
    [
        ("last crawl ok: 82 items", "上次采集正常：82 条"),
        ("the last 3 crawls failed (HTTP 503)", "最近 3 次采集均失败（HTTP 503）"),
        ("last crawl timeout: 2 errors", "上次采集超时：2 errors"),
        ("12 of 20 requests failed", "20 个请求中 12 个失败"),
        ("stored nothing: 5 entries listed, none stored (robots=5)",
         "未存入帖文：列出 5 条，均未存入 (robots=5)"),
        ("mostly garbled text: 9 posts dropped as garbled_text, 1 kept (set the source's "
         "encoding)", "多为乱码：丢弃 9 条，保留 1 条（请设置该采集源的编码）"),
        ("last crawl scraped 2 items; recent runs median 40",
         "上次采集 2 条，明显少于近期中位数 40 条"),
        ("no crawl has finished yet", "尚无完成的采集"),
        ("3 failed runs: HTTP 503", "3 failed runs: HTTP 503"),  # another shape: as recorded
        (None, ""),
    ],
)  # fmt: skip
def test_health_reasons_in_chinese(reason: str | None, zh: str) -> None:
    assert health_reason_zh(reason) == zh


def test_the_reason_the_store_writes_is_translated(database: Database) -> None:
    """What :func:`yuqing.store.crawl` records after a good crawl, not a hand-written copy."""
    with database.session() as s:
        run = crawl.start_run(s, "demo-board", "listing", {})
        crawl.finish_run(s, run, crawl.RunCounts(status="ok", items_scraped=82, items_new=82))
        src = s.scalar(select(Source).where(Source.name == "demo-board"))
        assert src is not None
        assert health_reason_zh(src.health_reason) == "上次采集正常：82 条"
