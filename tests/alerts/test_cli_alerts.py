"""`yuqing routes test`, `evaluate`, `escalate`, `incidents …` and `silences …`."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.alerts.factories import add_posts, blanket
from yuqing.app.cli import main
from yuqing.store.db import upgrade
from yuqing.store.session import Database


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    for var in ("YUQING_CONFIG_DIR", "YUQING_DATABASE_URL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("YUQING_DATA_DIR", str(tmp_path / "var"))

    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = Database(f"sqlite:///{tmp_path / 'var' / 'yuqing.db'}")
    upgrade(database.engine)
    return database


def test_routes_test_prints_receivers_and_why(cli) -> None:  # type: ignore[no-untyped-def]
    code, out, err = cli(
        "routes", "test", "district=龙沙区", "sector=life_services", "rule=blanket-shutdown"
    )
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == (
        'labels: district="龙沙区" rule="blanket-shutdown" sector="life_services" '
        'severity="high" (severity from rules.yaml)'
    )
    assert lines[1] == "4 receiver(s):"
    heads = [line.split()[0] for line in lines[2:] if not line.startswith(" " * 5)]
    assert heads == ["dczg", "xfj", "lsq", "scjgj"]
    assert "  lsq      龙沙区人民政府  [routes[4]]" in lines
    assert (
        '           why: matched routes[4]: district="龙沙区"; continue: true, so later routes '
        "were tried too" in lines
    )
    assert "escalates to: dcs when overdue" in out


def test_routes_test_rejects_malformed_labels(cli) -> None:  # type: ignore[no-untyped-def]
    code, _, err = cli("routes", "test", "district")
    assert code == 2
    assert err.strip() == "error: expected LABEL=VALUE, got 'district' (e.g. district=龙沙区)"


def test_evaluate_and_incident_commands(cli, db: Database) -> None:  # type: ignore[no-untyped-def]
    add_posts(db, [blanket()], published=datetime.now().astimezone() - timedelta(minutes=1))
    code, out, err = cli("evaluate")
    assert code == 0, err
    assert out.startswith("posts scanned 1, alerts 2, incidents opened 2,")
    code, out, _ = cli("incidents", "list")
    assert "open" in out and "龙沙区 生活服务业 一刀切式关停" in out
    inc_id = next(
        line.split()[0].lstrip("#") for line in out.splitlines() if "一刀切式关停" in line
    )
    code, out, err = cli("incidents", "ack", inc_id, "--by", "li", "--note", "已核查")
    assert (code, out.strip()) == (0, f"incident #{inc_id} acknowledged by li"), err
    code, _, err = cli("incidents", "ack", inc_id, "--by", "li")
    assert code == 5 and err.startswith(f"error: incident #{inc_id} was already acknowledged by li")
    code, out, _ = cli("incidents", "show", inc_id)
    assert code == 0
    assert "  rule blanket-shutdown, severity high, status acknowledged" in out
    assert "    dczg     routed    via routes[2]; notified 1x" in out
    assert "li: incident.acknowledge note=已核查" in out
    code, out, _ = cli("incidents", "resolve", inc_id, "--by", "wang", "--note", "已纠正")
    assert out.strip() == f"incident #{inc_id} resolved by wang"
    code, out, _ = cli("incidents", "list", "--status", "resolved")
    assert f"#{inc_id}" in out
    code, _, err = cli("incidents", "show", "999")
    assert (code, err.strip()) == (4, "error: no incident #999")
    code, out, _ = cli("escalate")
    assert out.strip() == "escalation notifications: 0"


def test_silence_commands(cli, db: Database) -> None:  # type: ignore[no-untyped-def]
    code, out, err = cli(
        "silences",
        "add",
        "district=龙沙区",
        "rule=~blanket.*",
        "--duration",
        "2h",
        "--comment",
        "演练",
    )
    assert code == 0, err
    assert out.startswith('silence #1: district="龙沙区", rule=~"blanket.*" from ')
    code, out, _ = cli("silences", "list")
    assert "#1" in out and "演练" in out
    code, out, _ = cli("silences", "expire", "1", "--by", "admin")
    assert out.strip() == "silence #1 expired"
    code, out, _ = cli("silences", "list")
    assert out.strip() == "no silences"
    code, _, err = cli("silences", "add", "district=龙沙区")
    assert (code, err.strip()) == (2, "error: give --duration or --end")
