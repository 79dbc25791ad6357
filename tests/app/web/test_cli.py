"""``yuqing users add|list|passwd`` and the ``yuqing web`` command's registration."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from yuqing.app.cli import main


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.chdir(tmp_path)
    for var in ("YUQING_CONFIG_DIR", "YUQING_DATABASE_URL", "YUQING_DATA_DIR"):
        monkeypatch.delenv(var, raising=False)
    args = ["--data-dir", str(tmp_path / "var")]
    assert main([*args, "db", "upgrade"]) == 0
    return args


def run(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, stdin: str, *argv: str
) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_users_add_and_list(
    cli: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    capsys.readouterr()
    code, out, err = run(
        capsys,
        monkeypatch,
        "a-long-password\n",
        *cli,
        "users",
        "add",
        "li",
        "--role",
        "officer",
        "--department",
        "lsq",
        "--password-stdin",
    )
    assert (code, out, err) == (0, "created officer li (lsq)\n", "")
    code, out, _ = run(capsys, monkeypatch, "", *cli, "users", "list")
    assert code == 0 and out.splitlines()[1].split()[:4] == ["li", "officer", "lsq", "yes"]
    code, out, _ = run(
        capsys,
        monkeypatch,
        "new-long-password\n",
        *cli,
        "users",
        "passwd",
        "li",
        "--password-stdin",
    )
    assert (code, out) == (0, "password changed for li\n")


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["--role", "officer"], "a-long-password\n", "error: an officer needs a department"),
        (
            ["--role", "officer", "--department", "zzz"],
            "a-long-password\n",
            "error: unknown department 'zzz' (not in departments.yaml)",
        ),
        (["--role", "boss"], "a-long-password\n", "error: invalid role 'boss'"),
        (["--role", "analyst"], "short\n", "error: password rejected: at least 10 characters"),
    ],
)
def test_users_add_errors(
    cli: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    stdin: str,
    message: str,
) -> None:
    capsys.readouterr()
    code, out, err = run(
        capsys, monkeypatch, stdin, *cli, "users", "add", "li", *args, "--password-stdin"
    )
    assert code == 2 and out == "" and err.startswith(message)


def test_users_add_duplicate(
    cli: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    run(
        capsys,
        monkeypatch,
        "a-long-password\n",
        *cli,
        "users",
        "add",
        "li",
        "--role",
        "admin",
        "--password-stdin",
    )
    code, _, err = run(
        capsys,
        monkeypatch,
        "a-long-password\n",
        *cli,
        "users",
        "add",
        "li",
        "--role",
        "admin",
        "--password-stdin",
    )
    assert code == 2 and err == "error: user 'li' already exists\n"


def test_web_command_is_registered(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["web", "--help"]) == 0
    out = capsys.readouterr().out
    assert "--host" in out and "--port" in out and "--behind-proxy" in out
