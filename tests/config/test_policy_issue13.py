"""config/policy.yaml, the city's notice (issue 13): shipped, layered, and every failure case
named by file, path and reason."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tests.config.test_loader import problem, write
from yuqing.config import load


def test_shipped_notice_is_the_qiqihar_notice_for_blanket_shutdowns() -> None:
    cfg = load(env={})
    notice = cfg.policy.for_rule("blanket-shutdown")
    assert notice is not None and notice.code == "qiqihar-no-blanket"
    assert notice.title == "齐齐哈尔市坚决禁止生态环境保护问题整改“一刀切”"
    general = notice.clause("no-blanket")
    assert general is not None and "先停再说" in general.triggers
    assert notice.default_clause == "no-blanket"
    assert cfg.policy.for_rule("complaint") is None
    assert [g.split("：")[0] for g in cfg.policy.guidance] == [
        "核实情况",
        "立即停止“一刀切”措施",
        "回应群众",
        "按时上报",
    ]
    assert "config/policy.yaml" in cfg.files


def test_user_file_sets_number_date_and_merges_clauses_by_code(tmp_path: Path) -> None:
    conf = tmp_path / "conf"
    write(
        conf,
        "policy.yaml",
        """
notices:
  - code: qiqihar-no-blanket
    number: 齐环发〔2099〕1号
    date: 2099-01-02
    url: https://example.gov.cn/notice
    clauses:
      - code: no-blanket
        triggers: [先停再说, 统统关掉]
guidance: [核实情况：到现场。]
""",
    )
    cfg = load(conf, env={})
    notice = cfg.policy.notices[0]
    assert (notice.number, notice.date) == ("齐环发〔2099〕1号", dt.date(2099, 1, 2))
    clause = notice.clause("no-blanket")
    assert clause is not None and clause.triggers == ["先停再说", "统统关掉"]
    assert clause.summary.startswith("严禁")  # the shipped text is kept
    assert len(notice.clauses) == 5
    assert cfg.policy.guidance == ["核实情况：到现场。"]


def test_unknown_key_names_file_and_path(tmp_path: Path) -> None:
    msg = problem(
        tmp_path,
        "policy.yaml",
        "notices:\n  - code: qiqihar-no-blanket\n    clauses:\n      - code: no-blanket\n"
        "        trigger: [先停再说]\n",
    )
    assert msg == (
        f"{tmp_path / 'conf' / 'policy.yaml'}: notices[0].clauses[0].trigger: unknown key"
    )


def test_undefined_rule_is_named(tmp_path: Path) -> None:
    msg = problem(
        tmp_path,
        "policy.yaml",
        "notices:\n  - code: qiqihar-no-blanket\n    rules: [blanket-shutdown, blanket]\n",
    )
    assert msg.endswith("policy.yaml: notices[0].rules[1]: undefined rule 'blanket'")


def test_unknown_sector_names_the_value(tmp_path: Path) -> None:
    msg = problem(
        tmp_path,
        "policy.yaml",
        "notices:\n  - code: qiqihar-no-blanket\n    clauses:\n      - code: construction\n"
        "        sectors: [building]\n",
    )
    # the index as the user's file spells it (the clause merged by code)
    assert "policy.yaml: notices[0].clauses[0].sectors: unknown sector 'building'" in msg


def test_impossible_date_is_a_config_error_not_a_crash(tmp_path: Path) -> None:
    # PyYAML itself raises ValueError for a timestamp-shaped impossible date
    msg = problem(tmp_path, "policy.yaml", "notices:\n  - code: x\n    date: 2099-13-45\n")
    assert msg == f"{tmp_path / 'conf' / 'policy.yaml'}: invalid YAML value: month must be in 1..12"


def test_bad_date_and_url_name_the_value(tmp_path: Path) -> None:
    msg = problem(
        tmp_path, "policy.yaml", "notices:\n  - code: qiqihar-no-blanket\n    date: soon\n"
    )
    assert "policy.yaml: notices[0].date: Input should be a valid date" in msg and "'soon'" in msg
    msg = problem(
        tmp_path, "policy.yaml", "notices:\n  - code: qiqihar-no-blanket\n    url: notice.html\n"
    )
    assert (
        "policy.yaml: notices[0].url: url must start with http:// or https:// "
        "(got 'notice.html')" in msg
    )


def test_default_clause_must_exist(tmp_path: Path) -> None:
    msg = problem(
        tmp_path,
        "policy.yaml",
        "notices:\n  - code: qiqihar-no-blanket\n    default_clause: general\n",
    )
    assert "policy.yaml: notices[0]: default_clause 'general' is not a clause" in msg


def test_duplicate_trigger_phrase_is_named(tmp_path: Path) -> None:
    msg = problem(
        tmp_path,
        "policy.yaml",
        "notices:\n  - code: qiqihar-no-blanket\n    clauses:\n      - code: no-blanket\n"
        "        triggers: [先停再说, 先停再说]\n",
    )
    assert (
        "policy.yaml: notices[0].clauses[0].triggers: trigger phrase '先停再说' is listed twice"
        in msg
    )


def test_folded_chinese_lines_leave_no_space(tmp_path: Path) -> None:
    conf = tmp_path / "conf"
    write(
        conf,
        "policy.yaml",
        "notices:\n  - code: qiqihar-no-blanket\n    clauses:\n      - code: no-blanket\n"
        "        summary: >-\n          不得集中停工停业停产、\n"
        "          大面积违规拆除 (demolition)\n",
    )
    clause = load(conf, env={}).policy.notices[0].clauses[0]
    assert clause.summary == "不得集中停工停业停产、大面积违规拆除 (demolition)"
