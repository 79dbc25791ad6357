"""The departments table mirrors departments.yaml (yuqing.store.departments.sync): synced by
``yuqing db upgrade`` and at scheduler start-up; departments removed from the config are marked
inactive and keep their names, so the analysts' view and the web still name them."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from sqlalchemy import select, text

from yuqing.app.cli import main
from yuqing.app.scheduler import Runtime, run_once
from yuqing.config import Config
from yuqing.config.departments import Department as Configured
from yuqing.store import departments
from yuqing.store.models import Department, Incident, IncidentDepartment
from yuqing.store.session import Database
from yuqing.store.types import utcnow


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for var in ("YUQING_CONFIG_DIR", "YUQING_DATABASE_URL", "YUQING_DATA_DIR"):
        monkeypatch.delenv(var, raising=False)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def table(db: Database) -> dict[str, tuple[str, str, str | None, str | None, list[str], bool]]:
    with db.session() as s:
        return {
            d.code: (d.name, d.kind, d.district, d.escalate_to, d.contacts, d.active)
            for d in s.scalars(select(Department))
        }


def dept(code: str, name: str, **kw: object) -> Configured:
    return Configured.model_validate({"code": code, "name": name, "kind": "bureau", **kw})


def sync(db: Database, depts: list[Configured]) -> departments.SyncResult:
    with db.session() as s:
        return departments.sync(s, depts)


def test_sync_adds_every_configured_department(database: Database, config: Config) -> None:
    result = sync(database, config.departments.departments)
    rows = table(database)
    assert len(rows) == len(config.departments.departments) == result.configured
    assert result.added == [d.code for d in config.departments.departments]
    assert rows["lsq"] == ("龙沙区人民政府", "district", "龙沙区", "dcs", [], True)
    assert rows["dcs"][:2] == ("市政府督查室", "office")
    again = sync(database, config.departments.departments)
    assert not again.changed
    assert str(again) == f"departments: {again.configured} configured; in sync"


def test_changed_removed_and_restored_departments(database: Database) -> None:
    sync(
        database,
        [
            dept("hbj", "市环境保护局", contacts=["0452-1234567"]),
            dept("zjj", "市住建局"),
            dept("dcs", "市政府督查室"),
        ],
    )
    # 2026: 环保局 becomes 生态环境局 under a new code, 住建局 gets its full name
    result = sync(
        database,
        [
            dept("sthjj", "市生态环境局", escalate_to="dcs"),
            dept("zjj", "市住房和城乡建设局"),
            dept("dcs", "市政府督查室"),
        ],
    )
    assert (result.added, result.updated, result.deactivated) == (["sthjj"], ["zjj"], ["hbj"])
    assert str(result) == (
        "departments: 3 configured; 1 added (sthjj); 1 updated (zjj); 1 marked inactive (hbj)"
    )
    rows = table(database)
    assert rows["hbj"] == ("市环境保护局", "bureau", None, None, ["0452-1234567"], False)  # kept
    assert rows["zjj"][0] == "市住房和城乡建设局" and rows["zjj"][5] is True
    assert rows["sthjj"] == ("市生态环境局", "bureau", None, "dcs", [], True)
    assert not sync(
        database,
        [
            dept("sthjj", "市生态环境局", escalate_to="dcs"),
            dept("zjj", "市住房和城乡建设局"),
            dept("dcs", "市政府督查室"),
        ],
    ).changed
    # back in the config: active again, with the config's name
    back = sync(database, [dept("hbj", "市环保局"), dept("dcs", "市政府督查室")])
    assert back.updated == ["hbj"] and sorted(back.deactivated) == ["sthjj", "zjj"]
    assert table(database)["hbj"][0::5] == ("市环保局", True)
    with database.session() as s:
        assert departments.names(s) == {
            "hbj": "市环保局",
            "zjj": "市住房和城乡建设局",
            "sthjj": "市生态环境局",
            "dcs": "市政府督查室",
        }


def test_the_analysts_view_names_departments_even_after_removal(database: Database) -> None:
    """v_incident_departments.department_name (LEFT JOIN departments) was always NULL."""
    sync(database, [dept("hbj", "市环境保护局"), dept("dcs", "市政府督查室")])
    now = utcnow()
    with database.session() as s:
        inc = Incident(
            fingerprint="f" * 64,
            rule="complaint",
            severity="normal",
            labels={},
            title="投诉",
            status="open",
            opened_at=now,
        )
        s.add(inc)
        s.flush()
        for code in ("hbj", "dcs", "nope"):
            s.add(IncidentDepartment(incident_id=inc.id, department_code=code, route="routes[0]"))
    sync(database, [dept("dcs", "市政府督查室")])  # hbj removed from the config
    with database.session() as s:
        rows = s.execute(
            text(
                "SELECT department_code, department_name FROM v_incident_departments "
                "ORDER BY department_code"
            )
        ).all()
    assert [tuple(r) for r in rows] == [
        ("dcs", "市政府督查室"),
        ("hbj", "市环境保护局"),
        ("nope", None),  # never configured: nothing to name it by
    ]


def test_db_upgrade_syncs_the_table(capsys: pytest.CaptureFixture[str], cli_env: Path) -> None:
    tmp_path = cli_env
    data = str(tmp_path / "d")
    code, out, err = run(capsys, "--data-dir", data, "db", "upgrade")
    assert code == 0, err
    line = out.splitlines()[-1]
    assert line.startswith("departments: ") and " added (xfj, dczg, " in line and ", …" in line
    db = Database(f"sqlite:///{tmp_path / 'd' / 'yuqing.db'}")
    try:
        assert table(db)["lsq"][0] == "龙沙区人民政府"
        code, out, _ = run(capsys, "--data-dir", data, "db", "upgrade")
        assert code == 0 and out.splitlines()[-1].endswith("configured; in sync")
    finally:
        db.dispose()


def test_older_revision_is_not_synced(capsys: pytest.CaptureFixture[str], cli_env: Path) -> None:
    code, out, err = run(capsys, "--data-dir", str(cli_env / "d"), "db", "upgrade", "0001")
    assert code == 0, err
    assert "departments:" not in out


def test_scheduler_start_syncs(sqlite_database: Database, config: Config) -> None:
    config.sources.sources = []
    run_once(Runtime(config, sqlite_database))
    assert table(sqlite_database)["xfj"][0] == "市信访局"


def test_a_failing_sync_does_not_stop_the_scheduler(
    sqlite_database: Database,
    config: Config,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(*_: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(departments, "sync", broken)
    config.sources.sources = []
    with caplog.at_level(logging.ERROR, logger="yuqing.app.scheduler"):
        report = run_once(Runtime(config, sqlite_database))
    assert report.failed_steps == []
    assert "could not sync the departments table" in caplog.text
    assert table(sqlite_database) == {}
