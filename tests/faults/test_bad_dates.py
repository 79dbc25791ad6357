"""Issue 14: out-of-range dates (9999-12-31, 0001-01-01, huge durations) are one-line usage
errors on the command line and parse errors in crawled pages, never an OverflowError. (The
web's date parameters are covered by the web tests.)"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from yuqing.app.cli import main
from yuqing.crawler.dates import DateParseError, parse_datetime

RANGE = "is out of range (from 1900-01-01 to 9998-12-31)"


@pytest.fixture
def data_dir(cli_home: Path) -> Path:
    return cli_home / "var"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["export", "posts", "--until", "9999-12-31"], f"--until: '9999-12-31' {RANGE}"),
        (["export", "posts", "--since", "0001-01-01"], f"--since: '0001-01-01' {RANGE}"),
        (["export", "posts", "--since", "999999999d"], f"--since: '999999999d' {RANGE}"),
        (["digest", "--date", "9999-12-31"], f"--date: '9999-12-31' {RANGE}"),
        (["digest", "--date", "0001-01-01"], f"--date: '0001-01-01' {RANGE}"),
        (["search", "一刀切", "--since", "0001-01-01"], f"--since: '0001-01-01' {RANGE}"),
        (
            ["search", "一刀切", "--until", "9999-12-31T00:00"],
            f"--until: '9999-12-31T00:00' {RANGE}",
        ),
        (["retag", "--since", "0001-01-01"], f"--since: '0001-01-01' {RANGE}"),
    ],
)
def test_out_of_range_dates_on_the_command_line(
    capsys: pytest.CaptureFixture[str], data_dir: Path, args: list[str], message: str
) -> None:
    code = main(["--data-dir", str(data_dir), "--log-level", "WARNING", *args])
    _out, err = capsys.readouterr()
    assert (code, err.splitlines()) == (2, [f"error: {message}"])


def test_the_last_day_in_range_still_works(
    capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    code = main(["--data-dir", str(data_dir), "export", "posts", "--until", "9998-12-31"])
    assert code == 0, capsys.readouterr().err


@pytest.mark.parametrize(
    "value",
    [
        "0001-01-01 00:00",
        "0001年1月1日",
        "9999-12-31 23:59:59",
        "9999-12-31T23:59:59+00:00",
        "Fri, 31 Dec 9999 23:59:59 +0800",
        -62135596800,
        1e20,
        "99999999999天前",
    ],
)
def test_crawled_dates_out_of_range_are_parse_errors(value: object) -> None:
    now = datetime(2026, 12, 1, tzinfo=UTC)
    try:
        parsed = parse_datetime(value, now)
    except DateParseError:
        return
    parsed.astimezone(UTC)  # whatever parses can be stored as UTC
