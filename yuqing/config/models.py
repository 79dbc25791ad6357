"""The one configuration model: every YAML file under config/ is one field of :class:`Config`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from pydantic import Field

from yuqing.config.departments import Department, DepartmentsFile
from yuqing.config.gazetteer import Gazetteer
from yuqing.config.policy import PolicyFile
from yuqing.config.routing import Route, RoutingFile
from yuqing.config.rules import RulesFile
from yuqing.config.schedule import ScheduleFile
from yuqing.config.settings import Secrets, Settings
from yuqing.config.sources import SourcesFile, Strict

# section name -> file name under a config directory (the gazetteer is chosen by settings).
SECTION_FILES: dict[str, str] = {
    "settings": "settings.yaml",
    "sources": "sources.yaml",
    "departments": "departments.yaml",
    "routing": "routing.yaml",
    "rules": "rules.yaml",
    "schedule": "schedule.yaml",
    "policy": "policy.yaml",
}

# A problem found after validation: (section, path inside the file, reason).
Problem = tuple[str, str, str]


class Config(Strict):
    settings: Settings = Field(default_factory=Settings)
    sources: SourcesFile = Field(default_factory=SourcesFile)
    departments: DepartmentsFile = Field(default_factory=DepartmentsFile)
    routing: RoutingFile = Field(default_factory=RoutingFile)
    rules: RulesFile = Field(default_factory=RulesFile)
    schedule: ScheduleFile = Field(default_factory=ScheduleFile)
    policy: PolicyFile = Field(default_factory=PolicyFile)
    gazetteer: Gazetteer
    secrets: Secrets = Field(default_factory=Secrets, exclude=True)
    config_dir: Path | None = Field(default=None, exclude=True)
    files: list[str] = Field(default_factory=list, exclude=True)

    def department(self, code: str) -> Department:
        for d in self.departments.departments:
            if d.code == code:
                return d
        raise KeyError(code)

    def reference_problems(self) -> list[Problem]:
        """Duplicate names and dangling references, which single-field validation cannot see."""
        problems: list[Problem] = []
        problems += _duplicates(
            "sources", "sources", [s.name for s in self.sources.sources], "source name"
        )
        codes = [d.code for d in self.departments.departments]
        problems += _duplicates("departments", "departments", codes, "department code")
        problems += _duplicates("rules", "rules", [r.name for r in self.rules.rules], "rule name")
        known = set(codes)
        districts = set(self.gazetteer.district_names())
        for i, d in enumerate(self.departments.departments):
            if d.escalate_to is not None and d.escalate_to not in known:
                problems.append(
                    (
                        "departments",
                        f"departments[{i}].escalate_to",
                        f"undefined department {d.escalate_to!r}",
                    )
                )
            if d.district is not None and d.district not in districts:
                problems.append(
                    (
                        "departments",
                        f"departments[{i}].district",
                        f"unknown district {d.district!r} (not in the gazetteer)",
                    )
                )
        for path, route in _walk_routes(self.routing, ""):
            if route.receiver is not None and route.receiver not in known:
                where = f"{path}.receiver" if path else "receiver"
                problems.append(("routing", where, f"undefined department {route.receiver!r}"))
        rule_names = {r.name for r in self.rules.rules}
        for i, notice in enumerate(self.policy.notices):
            for j, rule in enumerate(notice.rules):
                if rule not in rule_names:
                    problems.append(
                        ("policy", f"notices[{i}].rules[{j}]", f"undefined rule {rule!r}")
                    )
        problems += _duplicates(
            "policy", "notices", [n.code for n in self.policy.notices], "notice code"
        )
        esc = self.routing.escalation_receiver
        if esc is not None and esc not in known:
            problems.append(("routing", "escalation_receiver", f"undefined department {esc!r}"))
        return problems


def _duplicates(section: str, key: str, names: list[str], what: str) -> list[Problem]:
    seen: dict[str, int] = {}
    out: list[Problem] = []
    for i, n in enumerate(names):
        if n in seen:
            out.append(
                (section, f"{key}[{i}]", f"duplicate {what} {n!r} (first at {key}[{seen[n]}])")
            )
        else:
            seen[n] = i
    return out


def _walk_routes(route: Route, path: str) -> Iterator[tuple[str, Route]]:
    yield path, route
    for i, child in enumerate(route.routes):
        prefix = f"{path}.routes[{i}]" if path else f"routes[{i}]"
        yield from _walk_routes(child, prefix)
