"""bench.web_load's load model (issue 15 item 4): think time between requests, and the report
(requests/s, p50/p95/p99 per page, ratios to the static file of the same run). No timing is
asserted; a synthetic run checks the arithmetic."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import pytest

from bench.web_load.__main__ import BASELINE, Run, cpu_s, parse_think, report
from tests.bench.test_smoke import _bench


def test_think_time_is_min_max_seconds_or_zero() -> None:
    assert parse_think("1,3") == (1.0, 3.0)
    assert parse_think("0") == (0.0, 0.0)
    assert parse_think("2") == (2.0, 2.0)
    assert parse_think("0.5,1.5") == (0.5, 1.5)


@pytest.mark.parametrize("bad", ["3,1", "-1,2", "1,2,3"])
def test_a_bad_think_time_names_the_option_and_the_value(bad: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match=f"--think: .*{bad!r}"):
        parse_think(bad)


def test_report_gives_rate_percentiles_and_ratios_to_the_static_file() -> None:
    run = Run(
        times={
            "inbox": [float(x) for x in range(1, 101)],  # 1..100 ms
            "incident": [600.0] * 100,
            BASELINE: [10.0] * 100,
        },
        seconds=30.0,
        worker_cpu_s=3.0,
    )
    args = argparse.Namespace(think=(1.0, 3.0), root=Path("/x"), workers=2, officers=50, rounds=10)
    out = report(run, 1_000_000, 177, args)
    assert "300 requests in 30 s: 10.0 requests/s" in out
    assert "workers' CPU 10.0 ms per request (0.10 cores)" in out
    assert "think 1-3 s" in out and "1,000,000 posts" in out
    inbox = next(line for line in out.splitlines() if line.startswith("inbox"))
    assert inbox.split()[1:5] == ["100", "50", "95", "99"]  # n, p50, p95, p99 (ms)
    assert inbox.split()[5:8] == ["5.0", "9.5", "9.9"] and inbox.endswith("ok")
    assert next(x for x in out.splitlines() if x.startswith("incident")).endswith("MISSED")
    zero = argparse.Namespace(**{**vars(args), "think": (0.0, 0.0)})
    assert "no think time" in report(run, 1, 1, zero)


def test_cpu_of_this_process_and_of_a_gone_one() -> None:
    assert cpu_s([os.getpid()]) > 0
    assert cpu_s([2**22 + 12345]) == 0  # no such process: counts nothing


@pytest.mark.parametrize("module", ["bench.web_load", "bench.web_load.profile"])
def test_help_and_skip_without_a_database(module: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert "--root" in _bench(module, "--help", timeout=120)
    monkeypatch.delenv("YUQING_SCALE_URL", raising=False)
    assert "skipped" in _bench(module, timeout=120)
