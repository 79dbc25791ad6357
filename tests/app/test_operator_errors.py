"""Issue 14: every operator error is one line with an exit code, naming the file and the
reason, and no exception class names (those need --debug)."""

from __future__ import annotations

from pathlib import Path

import pytest

from yuqing.app.cli import main


@pytest.fixture
def home(cli_home: Path) -> Path:
    tmp_path = cli_home
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    (tmp_path / "bad.db").write_bytes(b"not a database " * 100)
    return tmp_path


BLOCKED = "afile is a file, not a directory"
DIGEST = ["--data-dir", "var", "digest", "--date", "2026-11-27", "--department", "city"]


@pytest.mark.parametrize(
    ("args", "code", "line"),
    [
        (
            ["--data-dir", "var", "export", "posts", "--out", "afile/p.csv"],
            73,
            f"cannot write afile/p.csv: {BLOCKED}",
        ),
        (
            ["--data-dir", "var", "sql", "SELECT 1", "--format", "csv", "--out", "afile/q.csv"],
            73,
            f"cannot write afile/q.csv: {BLOCKED}",
        ),
        (
            [*DIGEST, "--out", "afile/d"],
            73,
            f"cannot write afile/d/city.html: {BLOCKED}",
        ),
        (
            ["--data-dir", "afile/var", "sources", "list"],
            3,
            "cannot open database sqlite:///afile/var/yuqing.db: cannot create afile/var: "
            "Not a directory",
        ),
        (
            ["--database-url", "sqlite:///bad.db", "db", "upgrade"],
            3,
            "cannot open database sqlite:///bad.db: bad.db is not a database (damaged, or not a "
            "SQLite file)",
        ),
        (
            ["--database-url", "sqlite:///bad.db", "sql", "SELECT * FROM posts"],
            2,
            "bad.db is not a database (damaged, or not a SQLite file)",
        ),
    ],
)
def test_one_line_per_operator_error(
    capsys: pytest.CaptureFixture[str], home: Path, args: list[str], code: int, line: str
) -> None:
    got = main(args)
    _out, err = capsys.readouterr()
    assert (got, err.splitlines()) == (code, [f"error: {line}"])
