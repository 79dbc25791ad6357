"""Configuration loading: layering, and one test per failure case, asserting the message."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from yuqing.config import ConfigError, load
from yuqing.config.errors import ConfigErrors


def write(directory: Path, name: str, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def problem(tmp_path: Path, name: str, text: str, env: dict[str, str] | None = None) -> str:
    path = write(tmp_path / "conf", name, text)
    with pytest.raises(ConfigErrors) as info:
        load(path.parent, env=env or {})
    return str(info.value)


SOURCE = """
sources:
  - name: board
    kind: jsonapi
    start_urls: ["http://127.0.0.1/api"]
    items: data.list
"""


def test_shipped_defaults_load() -> None:
    cfg = load(env={})
    assert cfg.settings.timezone == "Asia/Shanghai"
    assert len(cfg.gazetteer.districts) == 16
    assert cfg.routing.receiver == "xfj"
    assert {r.name for r in cfg.rules.rules} >= {"blanket-shutdown", "shutdown-report", "complaint"}
    assert cfg.files[0] == "config/settings.yaml"


def test_dangling_route_receiver_names_file_path_and_department(tmp_path: Path) -> None:
    text = """
routes:
  - matchers: ['rule="surge"']
    receiver: wxb
  - matchers: ['sector="construction"']
    receiver: zjj
  - matchers: ['sector="other"']
    receiver: zjjj
"""
    msg = problem(tmp_path, "routing.yaml", text)
    assert (
        msg
        == f"{tmp_path / 'conf' / 'routing.yaml'}: routes[2].receiver: undefined department 'zjjj'"
    )


def test_dangling_nested_route_receiver(tmp_path: Path) -> None:
    text = """
routes:
  - matchers: ['district="龙沙区"']
    routes:
      - receiver: nobody
"""
    msg = problem(tmp_path, "routing.yaml", text)
    assert msg.endswith("routing.yaml: routes[0].routes[0].receiver: undefined department 'nobody'")


def test_unknown_key_is_an_error(tmp_path: Path) -> None:
    msg = problem(tmp_path, "sources.yaml", SOURCE + "    colour: blue\n")
    assert msg.endswith("sources.yaml: sources[0].colour: unknown key")


def test_unknown_key_in_shipped_section_names_the_user_file(tmp_path: Path) -> None:
    msg = problem(tmp_path, "settings.yaml", "smtp:\n  hots: mail.example\n")
    assert msg == f"{tmp_path / 'conf' / 'settings.yaml'}: smtp.hots: unknown key"


def test_wrong_type_names_the_value(tmp_path: Path) -> None:
    msg = problem(tmp_path, "settings.yaml", "retention_days: forever\n")
    assert msg.endswith(
        "settings.yaml: retention_days: Input should be a valid integer, "
        "unable to parse string as an integer (got 'forever')"
    )


def test_invalid_duration(tmp_path: Path) -> None:
    msg = problem(tmp_path, "schedule.yaml", "evaluate_every: soon\n")
    assert msg.endswith(
        "schedule.yaml: evaluate_every: invalid duration 'soon' (expected e.g. 30s, 5m, 4h, 2d)"
    )


def test_unknown_spider_kind(tmp_path: Path) -> None:
    msg = problem(tmp_path, "sources.yaml", SOURCE.replace("kind: jsonapi", "kind: rss"))
    assert msg.endswith(
        "sources.yaml: sources[0].kind: unknown spider kind 'rss' "
        "(expected one of: 'feed', 'listing', 'jsonapi')"
    )


def test_unknown_channel_type(tmp_path: Path) -> None:
    text = "departments:\n  - code: xfj\n    channels:\n      - type: pager\n"
    msg = problem(tmp_path, "departments.yaml", text)
    assert "departments.yaml: departments[0].channels[0].type: unknown channel type 'pager'" in msg


def test_duplicate_source_names(tmp_path: Path) -> None:
    msg = problem(tmp_path, "sources.yaml", SOURCE + SOURCE.replace("sources:\n", ""))
    assert msg.endswith(
        "sources.yaml: sources[1]: duplicate source name 'board' (first at sources[0])"
    )


def test_duplicate_department_code_within_one_file(tmp_path: Path) -> None:
    # Named lists merge by name across layers; inside one file a repeated code is an error.
    text = """
departments:
  - {code: extra, name: 甲, kind: office}
  - {code: extra, name: 乙, kind: office}
"""
    msg = problem(tmp_path, "departments.yaml", text)
    assert msg.endswith(
        "departments.yaml: departments[1]: duplicate department code 'extra' "
        "(first at departments[0])"
    )


def test_dangling_escalation_target(tmp_path: Path) -> None:
    text = "departments:\n  - code: lsq\n    escalate_to: mayor\n"
    msg = problem(tmp_path, "departments.yaml", text)
    assert msg.endswith(
        "departments.yaml: departments[0].escalate_to: undefined department 'mayor'"
    )


def test_department_district_must_be_in_gazetteer(tmp_path: Path) -> None:
    text = "departments:\n  - code: lsq\n    district: 龙沙县\n"
    msg = problem(tmp_path, "departments.yaml", text)
    assert msg.endswith("departments[0].district: unknown district '龙沙县' (not in the gazetteer)")


def test_invalid_matcher(tmp_path: Path) -> None:
    msg = problem(
        tmp_path, "routing.yaml", "routes:\n  - matchers: ['sector==x']\n    receiver: xfj\n"
    )
    assert msg.endswith(
        "routing.yaml: routes[0].matchers: invalid matcher 'sector==x' "
        '(expected label="value" with =, !=, =~ or !~)'
    )


def test_secret_in_yaml_is_refused(tmp_path: Path) -> None:
    msg = problem(tmp_path, "settings.yaml", "smtp:\n  password: hunter2\n")
    assert msg.endswith(
        "settings.yaml: smtp.password: secret values are not allowed in config files; put the "
        "value in an environment variable and reference it with 'password_env'"
    )
    assert "hunter2" not in msg


def test_yaml_syntax_error_names_line(tmp_path: Path) -> None:
    msg = problem(tmp_path, "rules.yaml", "rules:\n  - name: x\n   severity: [high\n")
    assert "rules.yaml: line 3 column" in msg and "invalid YAML" in msg


def test_unknown_config_file(tmp_path: Path) -> None:
    msg = problem(tmp_path, "route.yaml", "receiver: xfj\n")
    assert msg.startswith(f"{tmp_path / 'conf' / 'route.yaml'}: unknown configuration file")


def test_missing_config_dir() -> None:
    with pytest.raises(ConfigError, match="config directory does not exist"):
        load("/nonexistent/yuqing-conf", env={})


def test_env_override_with_wrong_type_names_the_variable(tmp_path: Path) -> None:
    with pytest.raises(ConfigErrors) as info:
        load(env={"YUQING_RETENTION_DAYS": "many"})
    assert str(info.value).startswith("environment YUQING_RETENTION_DAYS: retention_days: ")


def test_several_problems_are_all_reported(tmp_path: Path) -> None:
    write(tmp_path / "conf", "settings.yaml", "retention_days: x\ntimezone: Mars/Base\n")
    with pytest.raises(ConfigErrors) as info:
        load(tmp_path / "conf", env={})
    lines = info.value.lines()
    assert len(lines) == 2
    assert any(
        line.endswith("settings.yaml: timezone: unknown timezone 'Mars/Base'") for line in lines
    )
    assert "(and 1 more problem(s)" in str(info.value)


def test_layering_defaults_user_env_cli(tmp_path: Path) -> None:
    conf = tmp_path / "conf"
    write(conf, "settings.yaml", "retention_days: 30\nlog_level: WARNING\nsmtp:\n  port: 2525\n")
    cfg = load(conf, env={})
    assert (cfg.settings.retention_days, cfg.settings.log_level) == (30, "WARNING")
    assert cfg.settings.smtp.port == 2525
    assert cfg.settings.smtp.sender == "yuqing@qiqihar.example"  # untouched default kept
    env = {"YUQING_RETENTION_DAYS": "60", "YUQING_SMTP__PORT": "2526"}
    cfg = load(conf, env=env)
    assert (cfg.settings.retention_days, cfg.settings.smtp.port) == (60, 2526)
    cfg = load(conf, env=env, overrides={"retention_days": 90})
    assert cfg.settings.retention_days == 90
    cfg = load(env={"YUQING_CONFIG_DIR": str(conf)})
    assert cfg.settings.retention_days == 30


def test_named_lists_merge_by_name(tmp_path: Path) -> None:
    text = (
        "departments:\n  - code: xfj\n    name: 齐齐哈尔市信访局\n"
        "  - {code: new, name: 新部门, kind: office}\n"
    )
    write(tmp_path / "conf", "departments.yaml", text)
    cfg = load(tmp_path / "conf", env={})
    codes = [d.code for d in cfg.departments.departments]
    assert codes[0] == "xfj" and codes[-1] == "new" and len(codes) == 29
    assert cfg.department("xfj").name == "齐齐哈尔市信访局"
    assert cfg.department("xfj").kind == "office"  # merged, not replaced


def test_database_url_default_is_under_data_dir(tmp_path: Path) -> None:
    cfg = load(env={"YUQING_DATA_DIR": str(tmp_path)})
    assert cfg.settings.effective_database_url == f"sqlite:///{tmp_path}/yuqing.db"


def test_secrets_come_from_env_or_file(tmp_path: Path) -> None:
    key_file = tmp_path / "key"
    key_file.write_text("s3cret\n", encoding="utf-8")
    cfg = load(env={"YUQING_AUTHOR_HASH_KEY_FILE": str(key_file), "YUQING_SMTP_PASSWORD": "pw"})
    assert cfg.secrets.author_hash_key is not None
    assert cfg.secrets.author_hash_key.get_secret_value() == "s3cret"
    assert cfg.secrets.smtp_password is not None
    assert "pw" not in repr(cfg.secrets)


def test_unreadable_secret_file_names_the_variable(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load(env={"YUQING_AUTHOR_HASH_KEY_FILE": str(tmp_path / "missing")})
    assert str(info.value).startswith("environment YUQING_AUTHOR_HASH_KEY_FILE: cannot read")


def test_durations_parse() -> None:
    cfg = load(env={})
    assert cfg.schedule.deliver_every == timedelta(seconds=30)
    assert cfg.rules.due["high"] == timedelta(hours=2)


# -- issue 11: the locality gate and the triage bands -------------------------------------


def test_triage_band_low_must_be_below_high(tmp_path: Path) -> None:
    msg = problem(tmp_path, "settings.yaml", "triage:\n  bands:\n    shutdown: [0.7, 0.5]\n")
    assert msg.endswith(
        "settings.yaml: triage.bands.shutdown: invalid band [0.7, 0.5]: "
        "low (0.7) must be below high (0.5)"
    )


def test_triage_band_within_0_and_1(tmp_path: Path) -> None:
    msg = problem(tmp_path, "settings.yaml", "triage:\n  bands:\n    blanket: [0.2, 1.5]\n")
    assert msg.endswith(
        "settings.yaml: triage.bands.blanket: invalid band [0.2, 1.5]: "
        "low and high must be within 0..1"
    )


def test_triage_band_is_two_numbers(tmp_path: Path) -> None:
    msg = problem(tmp_path, "settings.yaml", "triage:\n  bands:\n    shutdown: 0.5\n")
    assert msg.endswith(
        "settings.yaml: triage.bands.shutdown: invalid band 0.5 "
        "(expected [low, high], two numbers in 0..1)"
    )


def test_triage_unknown_band_is_an_error(tmp_path: Path) -> None:
    msg = problem(tmp_path, "settings.yaml", "triage:\n  bands:\n    complaint: [0.2, 0.5]\n")
    assert msg.endswith("settings.yaml: triage.bands.complaint: unknown key")


def test_locality_switch_is_a_boolean(tmp_path: Path) -> None:
    msg = problem(tmp_path, "settings.yaml", "locality:\n  enabled: sometimes\n")
    assert msg.endswith(
        "settings.yaml: locality.enabled: Input should be a valid boolean, "
        "unable to interpret input (got 'sometimes')"
    )


def test_source_local_is_a_boolean(tmp_path: Path) -> None:
    msg = problem(tmp_path, "sources.yaml", SOURCE + "    local: perhaps\n")
    assert msg.endswith(
        "sources.yaml: sources[0].local: Input should be a valid boolean, "
        "unable to interpret input (got 'perhaps')"
    )


def test_shipped_triage_and_locality_settings(tmp_path: Path) -> None:
    cfg = load(overrides={"data_dir": str(tmp_path)}, env={})
    assert cfg.settings.locality.enabled is True
    assert cfg.settings.triage.enabled is True
    for low, high in (cfg.settings.triage.bands.shutdown, cfg.settings.triage.bands.blanket):
        assert 0 <= low < high <= 1
    env = {"YUQING_LOCALITY__ENABLED": "false", "YUQING_TRIAGE__ENABLED": "false"}
    cfg = load(overrides={"data_dir": str(tmp_path)}, env=env)
    assert (cfg.settings.locality.enabled, cfg.settings.triage.enabled) == (False, False)


def test_a_gazetteer_path_names_file_key_and_problem(tmp_path: Path) -> None:
    """Issue 14: was `missing required key` with no file or path."""
    msg = problem(tmp_path, "settings.yaml", "gazetteer: /etc/passwd\n")
    assert msg == (
        f"{tmp_path / 'conf' / 'settings.yaml'}: gazetteer: '/etc/passwd' is not a gazetteer "
        "name (a name such as qiqihar, for gazetteer/qiqihar.yaml in the config directory; "
        "not a path)"
    )
    msg = problem(tmp_path, "settings.yaml", "gazetteer: harbin\n")
    assert msg == (
        f"{tmp_path / 'conf' / 'settings.yaml'}: gazetteer: no gazetteer file gazetteer/harbin.yaml"
    )


def test_a_dotted_key_names_file_and_key_and_how_to_nest_it(tmp_path: Path) -> None:
    """Issue 14."""
    msg = problem(tmp_path, "settings.yaml", "smtp.host: mail.example\n")
    assert msg == (
        f"{tmp_path / 'conf' / 'settings.yaml'}: smtp.host: unknown key (a dotted key is not "
        "a path: nest it, `smtp:` then `  host: …`)"
    )
