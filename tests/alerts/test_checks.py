"""Validation of rules.yaml / routing.yaml / departments.yaml: each mistake names the file,
the path and the reason, at load time or in `yuqing config check`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.alerts.factories import load_config
from yuqing.alerts.checks import check_alerts
from yuqing.alerts.rules import compile_rules
from yuqing.config import Config
from yuqing.config.errors import ConfigErrors


def test_shipped_configuration_passes_every_check(config: Config) -> None:
    assert check_alerts(config) == []
    rules = compile_rules(config)
    assert [r.name for r in rules.post] == ["blanket-shutdown", "shutdown-report", "complaint"]
    assert [r.name for r in rules.surge] == ["surge"]
    assert [r.name for r in rules.source] == ["source-failing"]


def problems(tmp_path: Path, **files: str) -> list[str]:
    return [str(p) for p in check_alerts(load_config(tmp_path, **files))]


def load_error(tmp_path: Path, **files: str) -> str:
    with pytest.raises(ConfigErrors) as info:
        load_config(tmp_path, **files)
    return str(info.value)


def test_when_syntax_error_names_file_rule_and_column(tmp_path: Path) -> None:
    rules = """
rules:
  - {name: a, when: shutdown, severity: high}
  - {name: b, when: complaint, severity: normal}
  - {name: c, when: shutdown and shutdwn, severity: high}
"""
    conf = tmp_path / "conf" / "rules.yaml"
    assert problems(tmp_path, rules=rules) == [
        f"{conf}: rules[2].when: column 14: unknown tag 'shutdwn' (did you mean 'shutdown'?)"
    ]


def test_shipped_rule_problem_names_the_shipped_file(tmp_path: Path) -> None:
    cfg = load_config(tmp_path)
    bad = cfg.model_copy(deep=True)
    bad.rules.rules[2].when = 'complaint and sector != "othr"'
    assert [str(p) for p in check_alerts(bad)] == [
        "config/rules.yaml: rules[2].when: column 25: unknown sector 'othr' (did you mean 'other'?)"
    ]
    with pytest.raises(ConfigErrors):
        compile_rules(bad)


def test_keyword_syntax_error_names_the_column(tmp_path: Path) -> None:
    rules = "rules:\n  - {name: kw, keywords: '一刀切 AND (餐饮 OR 烧烤', severity: normal}\n"
    [message] = problems(tmp_path, rules=rules)
    assert message.startswith(f"{tmp_path / 'conf' / 'rules.yaml'}: rules[0].keywords: column ")
    assert "expected ')'" in message


def test_unknown_labels_and_impossible_values_in_routes(tmp_path: Path) -> None:
    routing = """
routes:
  - matchers: ['distrct="龙沙区"']
    receiver: lsq
  - matchers: ['district="龙沙县"']
    receiver: lsq
  - matchers: ['rule="blanket"', 'sector="lifeservices"']
    receiver: scjgj
    group_by: [rule, sectr]
  - matchers: ['custom.dept="信访"', 'team="x"']
    receiver: xfj
inhibit_rules:
  - source_matchers: ['severity="urgent"']
    target_matchers: ['rule="complaint"']
    equal: [distrct]
"""
    rules = "rules:\n  - {name: kw, when: shutdown, severity: high, labels: {team: a}}\n"
    f = tmp_path / "conf" / "routing.yaml"
    got = problems(tmp_path, routing=routing, rules=rules)
    assert got[0] == (
        f"{f}: routes[0].matchers[0]: unknown label 'distrct' in 'distrct=\"龙沙区\"' "
        "(known: district, rule, sector, severity, source, team, custom.NAME)"
    )
    assert got[1:] == [
        f"{f}: routes[1].matchers[0]: 'district=\"龙沙县\"' can never match: unknown district "
        "(not in the gazetteer) '龙沙县'",
        f"{f}: routes[2].group_by: unknown label 'sectr' (known: district, rule, sector, "
        "severity, source, team, custom.NAME)",
        f"{f}: routes[2].matchers[0]: 'rule=\"blanket\"' can never match: unknown rule 'blanket'",
        f"{f}: routes[2].matchers[1]: 'sector=\"lifeservices\"' can never match: unknown sector "
        "'lifeservices'",
        f"{f}: inhibit_rules[0].source_matchers[0]: 'severity=\"urgent\"' can never match: "
        "unknown severity 'urgent'",
        f"{f}: inhibit_rules[0].equal[0]: unknown label 'distrct' (known: district, rule, "
        "sector, severity, source, team, custom.NAME)",
    ]


def test_receiver_without_channel_is_reported(tmp_path: Path) -> None:
    departments = "departments:\n  - code: zjj\n    channels: []\n"
    assert problems(tmp_path, departments=departments) == [
        f"{tmp_path / 'conf' / 'departments.yaml'}: departments[0].channels: department 'zjj' "
        "receives alerts (routes[20]) but has no enabled channel"
    ]


@pytest.mark.parametrize(
    ("file", "text", "message"),
    [
        (
            "rules",
            "rules:\n  - {name: x, severity: high}\n",
            "rules.yaml: rules[0]: a post rule needs 'when' or 'keywords'",
        ),
        (
            "rules",
            "rules:\n  - {name: x, kind: source, when: shutdown, severity: high}\n",
            "rules.yaml: rules[0]: 'when' and 'keywords' are only for post rules (kind source)",
        ),
        (
            "rules",
            "rules:\n  - {name: x, when: shutdown, severity: high, labels: {district: a}}\n",
            "rules.yaml: rules[0].labels: label 'district' is set by yuqing and cannot be "
            "overridden",
        ),
        (
            "rules",
            "rules:\n  - {name: x, kind: surge, severity: high,\n"
            "     surge: {window: 6h, baseline: 6h}}\n",
            "rules.yaml: rules[0].surge: baseline must be at least two windows long "
            "(got window 6:00:00, baseline 6:00:00)",
        ),
        ("rules", "due: {high: 0s}\n", "rules.yaml: due: due time for high must be positive"),
        (
            "routing",
            "group_by: [rule, rule]\n",
            "routing.yaml: group_by: group_by lists 'rule' twice",
        ),
        (
            "routing",
            "group_by: ['...', rule]\n",
            "routing.yaml: group_by: '...' (every label) cannot be combined with other labels",
        ),
        (
            "routing",
            "routes:\n  - {receiver: xfj, group_interval: 0s}\n",
            "routing.yaml: routes[0].group_interval: must be positive (got 0:00:00)",
        ),
        (
            "routing",
            "continue: true\n",
            "routing.yaml: 'continue' has no meaning on the root route",
        ),
    ],
)
def test_load_time_validation(tmp_path: Path, file: str, text: str, message: str) -> None:
    assert message in load_error(tmp_path, **{file: text})


def test_config_check_command_prints_the_when_error(tmp_path: Path) -> None:
    from yuqing.app.cli import main

    conf = tmp_path / "conf"
    conf.mkdir()
    (conf / "rules.yaml").write_text(
        "rules:\n  - {name: c, when: shutdown and shutdwn, severity: high}\n", encoding="utf-8"
    )
    import contextlib
    import io

    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(["--config", str(conf), "--data-dir", str(tmp_path / "var"), "config", "check"])
    assert code == 2
    assert err.getvalue().strip() == (
        f"{conf / 'rules.yaml'}: rules[0].when: column 14: unknown tag 'shutdwn' "
        "(did you mean 'shutdown'?)"
    )
