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
    heads = [line.split()[0] for line in lines[2:-1] if not line.startswith(" " * 5)]
    assert heads == ["dczg", "xfj", "lsq", "scjgj"]
    assert lines[-1] == "locality: alerted — names a place of 龙沙区"  # issue 11
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
    # issue 13: the blanket shutdown outranks the plain report of the same post: one incident
    assert out.startswith("posts scanned 1, alerts 2, incidents opened 1,")
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


# -- issue 11: locality gate and triage from the command line ------------------------------


def test_routes_test_says_whether_such_a_post_is_alerted(cli) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = cli("routes", "test", "district=龙沙区", "rule=complaint")
    assert code == 0
    assert out.splitlines()[-1] == "locality: alerted — names a place of 龙沙区"
    code, out, _ = cli("routes", "test", "rule=complaint", "--source", "demo-weibo")
    assert out.splitlines()[-1].startswith(
        "locality: NOT alerted — names no district, town or street of the city nor the city "
        "itself, and its source is not local"
    )
    assert "names 齐齐哈尔/齐市/鹤城 or comes from a local source: demo-board" in out
    code, out, _ = cli("routes", "test", "rule=complaint", "--source", "demo-board")
    assert out.splitlines()[-1] == "locality: alerted — source demo-board is local"


def test_routes_test_explains_a_stored_post(cli, db: Database) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from tests.alerts.factories import tags

    now = datetime.now().astimezone()
    [other] = add_posts(db, [tags(shutdown=True)], published=now, source="demo-weibo")
    uncertain = replace(blanket(), shutdown_score=0.2, blanket_score=0.2)
    [local] = add_posts(db, [uncertain], published=now)
    code, out, err = cli("routes", "test", "--post", str(other))
    assert code == 0, err
    assert "locality: NOT alerted" in out and "rule " not in out
    code, out, err = cli("routes", "test", "--post", str(local))
    assert code == 0, err
    assert "locality: alerted — names a place of 龙沙区" in out
    assert "triage: shutdown triage [0.1, 0.3]; blanket triage [0.02, 0.3]" in out
    assert (
        "to the 待研判 queue (shutdown, blanket uncertain): confirming would fire "
        "blanket-shutdown, shutdown-report" in out
    )
    assert "no rule fires now: no incident" in out
    code, _, err = cli("routes", "test", "--post", "999")
    assert code == 2 and err.strip() == "error: no post #999"


def test_triage_list_confirm_reject(cli, db: Database) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    now = datetime.now().astimezone() - timedelta(minutes=1)
    first, second = add_posts(
        db, [replace(blanket(), shutdown_score=0.2, blanket_score=0.01)] * 2, published=now
    )
    code, out, err = cli("evaluate")
    assert code == 0, err
    assert "triaged 2" in out and "incidents opened 0" in out
    code, out, _ = cli("triage", "list")
    assert code == 0
    assert "uncertain: shutdown (shutdown 0.20, blanket 0.01); would fire: shutdown-report" in out
    assert "本地：提及龙沙区的地名" in out
    ids = [int(line.split()[0][1:]) for line in out.splitlines() if line.startswith("#")]
    by_post = {int(line.split()[5]): int(line.split()[0][1:]) for line in out.splitlines()
               if line.startswith("#")}  # fmt: skip
    assert len(ids) == 2
    code, out, err = cli("triage", "confirm", str(by_post[first]), "--by", "张三", "--note", "属实")
    assert code == 0, err
    assert out.startswith(f"triage item #{by_post[first]} confirmed by 张三: post {first} listed")
    code, out, _ = cli("incidents", "list")
    assert "龙沙区 生活服务业 关停报告" in out
    code, out, err = cli("triage", "reject", str(by_post[second]), "--by", "李四")
    assert code == 0, err
    assert out.strip() == f"triage item #{by_post[second]} rejected by 李四 (feedback recorded)"
    code, out, _ = cli("triage", "list")
    assert out.strip() == "no pending triage items"
    code, out, _ = cli("triage", "list", "--status", "all")
    assert "confirmed by 张三: 属实; incidents #" in out and "rejected by 李四" in out
    code, _, err = cli("triage", "reject", str(by_post[second]), "--by", "李四")
    assert code == 5 and "already rejected by 李四" in err
    code, _, err = cli("triage", "list", "--status", "maybe")
    assert code == 2 and "unknown status 'maybe'" in err


def test_issue_13_routes_test_post_and_co_handling_commands(cli, db: Database) -> None:  # type: ignore[no-untyped-def]
    (post,) = add_posts(
        db, [blanket()], published=datetime.now().astimezone() - timedelta(minutes=1)
    )
    code, _, err = cli("evaluate")
    assert code == 0, err
    code, out, _ = cli("incidents", "list")
    inc_id = out.split()[0].lstrip("#")
    code, out, err = cli("routes", "test", "--post", str(post))
    assert code == 0, err
    assert (
        "precedence: 「一刀切式关停」优先于「关停报告」："
        "同一区县、同一行业已有「一刀切式关停」事件 "
        f"#{inc_id}（龙沙区 生活服务业 一刀切式关停），按同一事件办理，不再单独立案、单独计时"
    ) in out
    assert (
        f"listed in #{inc_id} 龙沙区 生活服务业 一刀切式关停 — 该帖文符合「关停报告」规则，"
        "按优先级只计入本事件，不再单独立案"
    ) in out
    code, out, _ = cli("incidents", "show", inc_id)
    assert "  handled by: dczg lead, lsq co-handler, scjgj co-handler, xfj co-handler" in out
    code, _, err = cli("incidents", "resolve", inc_id, "--by", "scjg", "--department", "scjgj")
    assert code == 5 and err.strip() == (
        f"error: only the lead department (dczg) or an admin can resolve incident #{inc_id}; "
        "scjgj co-handles it: mark its part done instead"
    )
    code, out, _ = cli("incidents", "feedback", inc_id, "已核实", "--department", "scjgj")
    assert (code, out.strip()) == (0, f"feedback from scjgj added to incident #{inc_id}")
    code, out, _ = cli("incidents", "part-done", inc_id, "--department", "scjgj", "--by", "scjg")
    assert (code, out.strip()) == (0, f"incident #{inc_id}: scjgj's part marked done")
    code, out, _ = cli("incidents", "show", inc_id)
    assert "scjgj co-handler (done by scjg)" in out
    assert "scjg: incident.part_done department=scjgj" in out
    code, out, _ = cli("incidents", "resolve", inc_id, "--by", "dc", "--department", "dczg")
    assert (code, out.strip()) == (0, f"incident #{inc_id} resolved by dc")
