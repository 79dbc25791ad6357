"""The crawl runner and the commands: subprocess crawls with a timeout, failure accounting,
`yuqing crawl`, `yuqing sources list`, `yuqing demo-site serve`, `scrapy list`."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.crawler.conftest import E2E_SETTINGS, Crawled
from yuqing.app.cli import main
from yuqing.config import Config
from yuqing.crawler.errors import CrawlError, SourceDisabled
from yuqing.crawler.runner import crawl_source, demo_site_for
from yuqing.store.models import CrawlRun, Source

ROOT = Path(__file__).resolve().parents[2]


def cli_args(crawled: Crawled) -> list[str]:
    cfg = crawled.config
    assert cfg.config_dir is not None
    return [
        "--config",
        str(cfg.config_dir),
        "--data-dir",
        str(cfg.settings.data_dir),
        "--database-url",
        str(cfg.settings.database_url),
    ]


def test_scrapy_list_prints_the_configured_sources() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("YUQING_", "SCRAPY_"))}
    out = subprocess.run(
        [sys.executable, "-m", "scrapy", "list"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout.split()
    assert {"demo-board", "demo-forum", "demo-weibo", "demo-news", "demo-county"} <= set(out)
    assert "liuyan-qiqihar" in out  # disabled sources are listed too


def test_crawl_that_overruns_its_timeout_is_recorded(crawled: Crawled) -> None:
    summary = crawl_source(
        crawled.config, "slow", crawled.site.base_url, timeout=1.0, settings=E2E_SETTINGS
    )
    assert summary.status == "timeout" and "timed out after 1s" in summary.message
    with crawled.db.session() as s:
        run = s.get(CrawlRun, summary.run_id)
        src = s.execute(select(Source).where(Source.name == "slow")).scalar_one()
        assert run is not None and run.status == "timeout" and run.finished_at is not None
        assert src.health == "degraded" and src.last_success_at is None


def test_disabled_and_unknown_sources_are_refused(crawled: Crawled) -> None:
    with pytest.raises(SourceDisabled, match=r"liuyan-qiqihar.*disabled"):
        crawl_source(crawled.config, "liuyan-qiqihar")
    with pytest.raises(CrawlError, match="no source named 'nope'"):
        crawl_source(crawled.config, "nope")


def test_demo_site_is_started_when_no_url_is_given(config: Config) -> None:
    env_url = os.environ.pop("YUQING_DEMO_URL", None)
    try:
        with demo_site_for(config, ["demo-board"], None) as url:
            assert url and url.startswith("http://127.0.0.1:")
            with urllib.request.urlopen(f"{url}/board/api/messages?page=1") as resp:
                assert resp.status == 200
        with demo_site_for(config, ["liuyan-qiqihar"], None) as url:
            assert url is None  # not needed
    finally:
        if env_url is not None:
            os.environ["YUQING_DEMO_URL"] = env_url


def test_crawl_command_prints_a_line_per_source_and_fails_if_one_fails(
    crawled: Crawled, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            *cli_args(crawled),
            "crawl",
            "demo-news",
            "unreachable",
            "--demo-url",
            crawled.site.base_url,
            "--parallel",
            "2",
        ]
    )
    captured = capsys.readouterr()
    out = captured.out.splitlines()
    assert any(line.startswith("demo-news: ok in ") for line in out), out
    assert any(
        line.startswith("unreachable: failed in ") and "page:connection=1" in line for line in out
    ), out
    assert out[-1].startswith("crawled 2 source(s): ")
    assert code == 4 and "1 crawl(s) failed: unreachable" in captured.err
    # a crawl that fetched nothing is a failed run, and its source is degraded
    with crawled.db.session() as s:
        src = s.execute(select(Source).where(Source.name == "unreachable")).scalar_one()
        run = s.execute(select(CrawlRun).where(CrawlRun.source_id == src.id)).scalar_one()
        assert run.status == "failed" and run.pages == 0 and run.errors >= 1
        assert src.health == "degraded" and src.last_success_at is None


def test_sources_list_shows_health_and_last_success(
    crawled: Crawled, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*cli_args(crawled), "sources", "list"]) == 0
    out = capsys.readouterr().out
    lines = {line.split()[0]: line for line in out.splitlines()[1:]}
    assert lines["demo-board"].split()[3] == "ok"
    assert "stored" in lines["demo-board"] and lines["demo-board"].split()[4].startswith("20")
    # issue 12: the last run's drops by reason, under the source
    faults = out[out.index("\nfaults ") :].splitlines()[2]
    assert faults.strip().startswith(
        "↳ dropped 7: missing_title=2, page:http_500=1, page:not_html=1, page:not_text=1"
    )
    assert lines["liuyan-qiqihar"].split()[2:4] == ["no", "unknown"]


def test_demo_site_serve_command(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "yuqing",
            "--data-dir",
            str(tmp_path),
            "demo-site",
            "serve",
            "--port",
            "0",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=tmp_path,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        url = first.split()[2]
        assert first.startswith("demo site: http://127.0.0.1:")
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"{url}/robots.txt", timeout=5) as resp:
                    assert b"Disallow: /forum/private/" in resp.read()
                break
            except OSError:
                import time

                time.sleep(0.1)
        else:
            pytest.fail("the demo site did not answer")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
