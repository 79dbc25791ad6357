"""The benchmarks still run (at toy sizes, so CI notices when one rots). No timing is
asserted: the figures they print are only read by people (see bench/)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _bench(*args: str, timeout: float = 240) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-m", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    return proc.stdout


def test_alerts_benchmark_runs() -> None:
    out = _bench("bench.alerts", "--posts", "2000")
    assert "evaluate 1,000 new posts" in out and "peak Python memory" in out


def test_queries_benchmark_runs() -> None:
    out = _bench("bench.queries", "--posts", "2000", "--days", "10")
    assert "search '整条街都关了'" in out


def test_tagging_benchmark_runs(shared_data: Path, models_data_dir: Path) -> None:
    # the session's model (tests/conftest.py), not a build of its own (issue 15)
    out = _bench(
        "bench.tagging",
        "--data",
        str(shared_data),
        "--limit",
        "50",
        "--repeat",
        "1",
        "--data-dir",
        str(models_data_dir),
    )
    assert "model load" in out


def test_triage_benchmark_runs(shared_data: Path, models_data_dir: Path) -> None:
    """Issue 11: pushed precision, triage share and recall on realdev, and --suggest (on the
    session's model, issue 15)."""
    out = _bench(
        "bench.triage",
        "--data",
        str(shared_data),
        "--limit",
        "120",
        "--suggest",
        "--data-dir",
        str(models_data_dir),
    )
    assert "recall p+t" in out and "baseline" in out
    assert "suggested bands" in out


def test_crawl_benchmark_refuses_a_site_below_its_scale() -> None:
    """bench.crawl needs ≥ 5,000 posts (about a minute a round): here only its argument check;
    its parts (bare spider, engine settings) are tested in tests/crawler/test_crawl_cost.py."""
    proc = subprocess.run(
        [sys.executable, "-m", "bench.crawl", "--posts", "100"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2 and "--posts must be at least 5000" in proc.stderr


def test_extract_benchmark_runs(shared_data: Path) -> None:
    if not (shared_data / "news-pages" / "expected.json").exists():
        pytest.skip("no news-pages in ../shared/data")
    out = _bench(
        "bench.extract", "--data", str(shared_data), "--repeat", "1", "--limit", "3", "--misses"
    )
    assert "body_start" in out and "trafilatura" in out and "x the parse" in out


@pytest.mark.parametrize("name", ["alerts", "queries", "tagging", "crawl", "triage", "extract"])
def test_every_benchmark_has_help(name: str) -> None:
    assert "usage" in _bench(f"bench.{name}", "--help", timeout=120)
