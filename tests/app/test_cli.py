"""The `yuqing` command: exit codes and one-line errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from yuqing.app.cli import main
from yuqing.store.db import head_revision


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for var in ("YUQING_CONFIG_DIR", "YUQING_DATABASE_URL", "YUQING_DATA_DIR"):
        monkeypatch.delenv(var, raising=False)


def test_config_check_on_shipped_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "config", "check")
    assert code == 0, err
    assert out.startswith("configuration OK")
    assert "departments: 28" in out and "gazetteer: 齐齐哈尔, 16 districts" in out


def test_config_check_on_broken_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    conf = tmp_path / "conf"
    conf.mkdir()
    (conf / "routing.yaml").write_text("routes:\n  - receiver: zjjj\n", encoding="utf-8")
    code, out, err = run(capsys, "--config", str(conf), "config", "check")
    assert code == 2
    assert (
        err.strip() == f"{conf / 'routing.yaml'}: routes[0].receiver: undefined department 'zjjj'"
    )
    assert out == ""


def test_config_error_in_other_command_is_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    conf = tmp_path / "conf"
    conf.mkdir()
    (conf / "settings.yaml").write_text("retention_days: -1\n", encoding="utf-8")
    code, _out, err = run(capsys, "--config", str(conf), "db", "upgrade")
    assert code == 2
    assert err.splitlines() == [
        f"error: {conf / 'settings.yaml'}: retention_days: "
        "Input should be greater than or equal to 1 (got -1)"
    ]
    assert "Traceback" not in err


def test_config_show_redacts_secrets(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("YUQING_SMTP_PASSWORD", "topsecret")
    code, out, _ = run(capsys, "config", "show")
    assert code == 0
    assert "smtp_password: <set>" in out and "topsecret" not in out
    assert "timezone: Asia/Shanghai" in out


def test_db_upgrade_then_status(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "--data-dir", str(tmp_path / "d"), "db", "upgrade")
    assert code == 0 and f"upgraded empty -> {head_revision()}" in out
    assert (tmp_path / "d" / "yuqing.db").exists()
    code, out, _ = run(capsys, "--data-dir", str(tmp_path / "d"), "db", "status")
    assert code == 0 and "up to date" in out and "posts: 0" in out


def test_db_status_on_empty_database_exits_non_zero(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = run(capsys, "--database-url", f"sqlite:///{tmp_path}/e.db", "db", "status")
    assert code == 1 and "needs `yuqing db upgrade`" in out


def test_bad_database_url_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--database-url", "nosuchdb://x", "db", "upgrade")
    assert code == 3
    assert err.startswith(
        "error: cannot open database nosuchdb://x: unsupported database 'nosuchdb' (supported: "
        "sqlite, e.g. sqlite:///var/yuqing.db, and postgresql+psycopg"
    )  # issue 14: the supported ones are listed
    assert len(err.strip().splitlines()) == 1


def test_help_lists_only_working_commands(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--help")
    assert code == 0
    for command in ("config", "db", "demo"):
        assert command in out


def test_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "frobnicate")
    assert code == 2 and "No such command" in err


def test_console_script_and_module_entry_point(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "yuqing", "--version"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0 and proc.stdout.startswith("yuqing ")


def test_command_table_matches_what_modules_register() -> None:
    """COMMAND_MODULES drives lazy imports: every command must map to the module defining it."""
    import importlib

    import typer

    from yuqing.app.cli import COMMAND_MODULES

    for module in set(COMMAND_MODULES.values()):
        probe = typer.Typer()
        importlib.import_module(f"yuqing.app.commands.{module}").register(probe)
        names = {c.name or c.callback.__name__ for c in probe.registered_commands if c.callback}
        names |= {g.name for g in probe.registered_groups if g.name}
        expected = {cmd for cmd, mod in COMMAND_MODULES.items() if mod == module}
        assert names == expected, module


def test_only_the_needed_command_module_is_imported() -> None:
    from yuqing.app.cli import modules_for

    assert modules_for(["--config", "conf", "db", "status"]) == ["db_cmd"]
    assert modules_for(["-c", "crawl", "config", "check"]) == ["config_cmd"]
    assert len(modules_for(["--help"])) == len(set(modules_for(["--help"])))
    assert "web_cmd" in modules_for(["--help"]) and "web_cmd" in modules_for(["frobnicate"])
