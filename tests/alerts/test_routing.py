"""The routing tree: labels → receivers for the shipped Qiqihar tree, matcher operators,
``continue``, inheritance of group_by and timers, explanations, and active hours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.alerts.factories import load_config
from yuqing.alerts.labels import SECTOR_NAMES
from yuqing.alerts.routing import RoutingTree, Timers, next_active
from yuqing.config import Config
from yuqing.config.departments import Department
from yuqing.config.routing import RoutingFile

SECTOR_BUREAU = {
    "construction": "zjj",
    "life_services": "scjgj",
    "aquaculture": "nyncj",
    "characteristic_industry": "gxj",
    "industrial_park": "gxj",
    "quarrying_mining": "zrzyj",
    "urban_management": "cgzf",
    "scattered_pollution": "sthjj",
    "other": "xfj",
}
DISTRICT_GOVERNMENT = {
    "龙沙区": "lsq",
    "建华区": "jhq",
    "铁锋区": "tfq",
    "昂昂溪区": "aaxq",
    "富拉尔基区": "flejq",
    "碾子山区": "nzsq",
    "梅里斯达斡尔族区": "mlsq",
    "讷河市": "nhs",
    "龙江县": "ljx",
    "依安县": "yax",
    "泰来县": "tlx",
    "甘南县": "gnx",
    "富裕县": "fyx",
    "克山县": "ksx",
    "克东县": "kdx",
    "拜泉县": "bqx",
}


def receivers(tree: RoutingTree, **labels: str) -> list[str]:
    return [r.receiver for r in tree.receivers(labels)]


@pytest.fixture
def tree(config: Config) -> RoutingTree:
    return RoutingTree(config.routing)


def test_every_sector_has_a_bureau() -> None:
    assert set(SECTOR_BUREAU) == set(SECTOR_NAMES)


@pytest.mark.parametrize(("sector", "bureau"), sorted(SECTOR_BUREAU.items()))
def test_complaint_without_district_goes_to_the_sector_bureau(
    tree: RoutingTree, sector: str, bureau: str
) -> None:
    assert receivers(tree, rule="complaint", severity="normal", district="", sector=sector) == [
        bureau
    ]


@pytest.mark.parametrize(("district", "government"), sorted(DISTRICT_GOVERNMENT.items()))
def test_every_district_government_gets_alerts_in_its_district(
    tree: RoutingTree, config: Config, district: str, government: str
) -> None:
    assert config.department(government).district == district
    got = receivers(tree, rule="shutdown-report", district=district, sector="construction")
    assert got == [government, "zjj"]


def test_blanket_shutdown_reaches_inspection_office_petition_bureau_district_and_bureau(
    tree: RoutingTree,
) -> None:
    got = receivers(tree, rule="blanket-shutdown", district="龙沙区", sector="life_services")
    assert got == ["dczg", "xfj", "lsq", "scjgj"]


def test_blanket_shutdown_in_sector_other_reaches_the_petition_bureau_once(
    tree: RoutingTree,
) -> None:
    got = receivers(tree, rule="blanket-shutdown", district="", sector="other")
    assert got == ["dczg", "xfj"]
    explained = tree.explain({"rule": "blanket-shutdown", "district": "", "sector": "other"})
    assert [(e.receiver, e.route, e.duplicate_of) for e in explained] == [
        ("dczg", "routes[2]", None),
        ("xfj", "routes[3]", None),
        ("xfj", "routes[28]", "routes[3]"),
    ]


def test_surge_goes_to_the_internet_office_then_district_and_bureau(tree: RoutingTree) -> None:
    got = receivers(tree, rule="surge", district="铁锋区", sector="urban_management")
    assert got == ["wxb", "tfq", "cgzf"]


def test_source_failing_goes_to_operations_only(tree: RoutingTree) -> None:
    assert receivers(tree, rule="source-failing", source="demo-board") == ["ops"]
    reached = tree.receivers({"rule": "source-failing", "source": "demo-board"})[0]
    assert reached.group_by == ("rule", "source")  # one incident per source


def test_unknown_sector_falls_back_to_the_default_receiver(tree: RoutingTree) -> None:
    explained = tree.explain({"rule": "custom", "sector": ""})
    assert [(e.receiver, e.route) for e in explained] == [("xfj", "root")]
    assert "root route's receiver" in explained[0].reason


def test_explain_says_why(tree: RoutingTree) -> None:
    labels = {"rule": "blanket-shutdown", "district": "龙沙区", "sector": "life_services"}
    explained = tree.explain(labels)
    assert explained[0].reason == (
        'matched routes[2]: rule="blanket-shutdown"; continue: true, so later routes were tried too'
    )
    assert explained[-1].reason == (
        'matched routes[21]: sector="life_services"; first match: later sibling routes were '
        "not tried"
    )


def test_incident_labels_are_rule_plus_group_by(tree: RoutingTree) -> None:
    labels = {"rule": "complaint", "district": "龙沙区", "sector": "construction"}
    assert tree.incident_labels(labels) == ("district", "rule", "sector")


TREE = """
receiver: xfj
group_by: [rule, district]
group_wait: 10s
group_interval: 1m
repeat_interval: 1h
routes:
  - matchers: ['severity=~"high|medium"']
    receiver: dczg
    group_wait: 0s
    routes:
      - matchers: ['district!=""', 'district!~"龙.*"']
        receiver: jhq
        repeat_interval: 2h
      - matchers: ['sector="construction"']
        group_by: ['...']
  - matchers: ['rule="complaint"']
    receiver: zjj
    continue: true
  - matchers: ['rule="complaint"']
    receiver: scjgj
"""


@pytest.fixture
def custom_tree(tmp_path: Path) -> RoutingTree:
    cfg = load_config(tmp_path, routing=TREE)
    return RoutingTree(cfg.routing)


def test_matcher_operators_and_nesting(custom_tree: RoutingTree) -> None:
    t = custom_tree
    assert receivers(t, severity="high", district="建华区") == ["jhq"]
    assert receivers(t, severity="high", district="龙沙区") == ["dczg"]  # !~ excludes 龙*
    assert receivers(t, severity="medium", district="") == ["dczg"]  # != "" excludes empty
    assert receivers(t, severity="normal", district="建华区") == ["xfj"]  # =~ is anchored


def test_first_match_wins_unless_continue(custom_tree: RoutingTree) -> None:
    assert receivers(custom_tree, rule="complaint", severity="normal") == ["zjj", "scjgj"]
    assert receivers(custom_tree, rule="complaint", severity="high") == ["dczg"]


def test_children_inherit_receiver_group_by_and_timers(custom_tree: RoutingTree) -> None:
    jhq = custom_tree.receivers({"severity": "high", "district": "建华区"})[0]
    assert jhq.route == "routes[0].routes[0]"
    assert jhq.group_by == ("rule", "district")
    assert jhq.timers == Timers(timedelta(0), timedelta(minutes=1), timedelta(hours=2))
    construction = custom_tree.receivers({"severity": "high", "sector": "construction"})[0]
    assert (construction.receiver, construction.route) == ("dczg", "routes[0].routes[1]")
    assert construction.group_by == ("...",)
    assert construction.timers.repeat_interval == timedelta(hours=1)
    root = custom_tree.receivers({"severity": "normal"})[0]
    assert root.timers == Timers(timedelta(seconds=10), timedelta(minutes=1), timedelta(hours=1))


def test_group_by_everything_makes_every_label_part_of_the_incident(
    custom_tree: RoutingTree,
) -> None:
    labels = {"severity": "high", "sector": "construction", "custom.x": "1"}
    assert custom_tree.incident_labels(labels) == tuple(sorted(labels))


def test_group_key_names_route_and_group_labels(custom_tree: RoutingTree) -> None:
    labels = {"severity": "high", "district": "建华区", "rule": "r", "sector": "x"}
    reached = custom_tree.receivers(labels)[0]
    assert reached.group_key(labels) == "routes[0].routes[0]{district=建华区,rule=r}"


def test_root_route_cannot_have_matchers(tmp_path: Path) -> None:
    from yuqing.config.errors import ConfigErrors

    with pytest.raises(ConfigErrors) as info:
        load_config(tmp_path, routing="matchers: ['rule=\"x\"']\n")
    assert str(info.value).endswith(
        "routing.yaml: the root route matches every alert; it cannot have matchers"
    )


def test_routing_file_defaults_build_a_tree() -> None:
    tree = RoutingTree(RoutingFile())
    assert receivers(tree, rule="x") == ["xfj"]


def dept(active_hours: str | None, days: list[str] | None = None) -> Department:
    data: dict[str, object] = {"code": "x", "name": "x", "kind": "office"}
    if active_hours:
        data["active_hours"] = active_hours
    if days:
        data["active_days"] = days
    return Department.model_validate(data)


# 2026-11-27 is a Friday; 09:00 UTC is 17:00 in Asia/Shanghai.
FRI_17H = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour - 8, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("hours", "days", "now", "expected"),
    [
        (None, None, FRI_17H, FRI_17H),
        ("08:00-18:00", None, FRI_17H, FRI_17H),
        ("08:00-17:00", None, FRI_17H, local(28, 8)),  # the end is exclusive
        ("08:00-18:00", ["mon", "tue", "wed", "thu", "fri"], local(27, 19), local(30, 8)),
        ("22:00-06:00", None, local(27, 23), local(27, 23)),  # overnight window
        ("22:00-06:00", None, local(28, 9) - timedelta(hours=6), local(28, 9) - timedelta(hours=6)),
        ("22:00-06:00", None, FRI_17H, local(27, 22)),
        (None, ["sat"], FRI_17H, local(28, 8) - timedelta(hours=8)),  # Saturday 00:00
    ],
)
def test_active_hours(
    hours: str | None, days: list[str] | None, now: datetime, expected: datetime
) -> None:
    assert next_active(dept(hours, days), now, "Asia/Shanghai") == expected


def test_active_hours_validation() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError) as info:
        dept("08:00-08:00")
    assert "invalid active_hours '08:00-08:00' (start and end are the same time)" in str(info.value)
