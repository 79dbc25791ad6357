"""Issue 14: a database that cannot be used is one line naming it (no driver class names)."""

from __future__ import annotations

from pathlib import Path

import pytest

from yuqing.app.cli import main
from yuqing.store.errors import DatabaseUnavailable
from yuqing.store.session import Database


@pytest.mark.parametrize(
    "url", ["mysql://u:secret@db.example/yuqing", "postgresql+psycopg2://u@h/d", "oracle://h/d"]
)
def test_an_unsupported_url_lists_the_supported_ones(url: str) -> None:
    with pytest.raises(DatabaseUnavailable) as err:
        Database(url)
    msg = str(err.value)
    assert "secret" not in msg
    assert "unsupported database" in msg
    assert msg.endswith(
        "(supported: sqlite, e.g. sqlite:///var/yuqing.db, and postgresql+psycopg, e.g. "
        "postgresql+psycopg://user@host/db)"
    )


def test_a_damaged_sqlite_file_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "yuqing.db"
    bad.write_bytes(b"this is not a database file" * 100)
    db = Database(f"sqlite:///{bad}")
    with pytest.raises(DatabaseUnavailable) as err:
        db.check_schema()
    db.dispose()
    assert str(err.value) == (
        f"cannot open database sqlite:///{bad}: {bad} is not a database (damaged, or not a "
        "SQLite file)"
    )


def test_the_cli_says_it_in_one_line_with_an_exit_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for var in ("YUQING_CONFIG_DIR", "YUQING_DATABASE_URL", "YUQING_DATA_DIR"):
        monkeypatch.delenv(var, raising=False)
    (tmp_path / "bad.db").write_bytes(b"garbage" * 200)
    code = main(["--database-url", "sqlite:///bad.db", "sources", "list"])
    _out, err = capsys.readouterr()
    assert code == 3
    assert err.splitlines() == [
        "error: cannot open database sqlite:///bad.db: bad.db is not a database (damaged, or "
        "not a SQLite file)"
    ]
    code = main(["--database-url", "mysql://u@h/db", "sources", "list"])
    _out, err = capsys.readouterr()
    assert code == 3
    assert len(err.splitlines()) == 1 and "MySQLdb" not in err and "Error" not in err
    assert "unsupported database 'mysql'" in err
