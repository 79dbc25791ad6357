"""Start-up checks of the alerting configuration that single-file validation cannot do:
rule expressions compile, routes and inhibit rules name labels that exist (and values that
can occur), and every department that can receive an alert has a channel.

Registered in ``yuqing.app.checks.CHECKERS``; run by ``yuqing config check`` and before
long-running commands.
"""

from __future__ import annotations

from collections.abc import Iterator

from yuqing.alerts import precedence
from yuqing.alerts.labels import SECTORS
from yuqing.alerts.rules import item_origin, rule_problems, section_file
from yuqing.config import Config
from yuqing.config.errors import ConfigError
from yuqing.config.routing import Matcher, Route
from yuqing.config.rules import BUILTIN_LABELS, SEVERITIES


def known_labels(config: Config) -> set[str]:
    names = set(BUILTIN_LABELS)
    for rule in config.rules.rules:
        names.update(rule.labels)
    return names


def _label_ok(name: str, known: set[str]) -> bool:
    return name in known or (name.startswith("custom.") and len(name) > len("custom."))


def _walk(route: Route, path: str) -> Iterator[tuple[str, Route]]:
    yield path, route
    for i, child in enumerate(route.routes):
        yield from _walk(child, f"{path}.routes[{i}]" if path else f"routes[{i}]")


def _matcher_problem(config: Config, matcher: Matcher, known: set[str]) -> str | None:
    if not _label_ok(matcher.label, known):
        return f"unknown label {matcher.label!r} in {str(matcher)!r} (known: {_list(known)})"
    if matcher.op not in ("=", "!=") or matcher.value == "":
        return None
    allowed: set[str] | None = None
    what = matcher.label
    if matcher.label == "rule":
        allowed = {r.name for r in config.rules.rules}
    elif matcher.label == "sector":
        allowed = set(SECTORS)
    elif matcher.label == "district":
        allowed, what = set(config.gazetteer.district_names()), "district (not in the gazetteer)"
    elif matcher.label == "severity":
        allowed = set(SEVERITIES)
    elif matcher.label == "source":
        allowed = {s.name for s in config.sources.sources}
    if allowed is not None and matcher.value not in allowed:
        return f"{str(matcher)!r} can never match: unknown {what} {matcher.value!r}"
    return None


def _list(names: set[str]) -> str:
    return ", ".join(sorted(names)) + ", custom.NAME"


def check_alerts(config: Config) -> list[ConfigError]:
    problems = list(rule_problems(config))
    known = known_labels(config)
    routing = section_file(config, "routing")
    receivers: dict[str, str] = {}
    for path, route in _walk(config.routing, ""):
        where = path or "root"
        for name in route.group_by or []:
            if name != "..." and not _label_ok(name, known):
                problems.append(
                    ConfigError(
                        routing,
                        f"{path}.group_by" if path else "group_by",
                        f"unknown label {name!r} (known: {_list(known)})",
                    )
                )
        for j, text in enumerate(route.matchers):
            reason = _matcher_problem(config, Matcher.parse(text), known)
            if reason:
                problems.append(ConfigError(routing, f"{path}.matchers[{j}]", reason))
        if route.receiver:
            receivers.setdefault(route.receiver, where)
    for i, rule in enumerate(config.routing.inhibit_rules):
        for key in ("source_matchers", "target_matchers"):
            for j, text in enumerate(getattr(rule, key)):
                reason = _matcher_problem(config, Matcher.parse(text), known)
                if reason:
                    problems.append(ConfigError(routing, f"inhibit_rules[{i}].{key}[{j}]", reason))
        for j, name in enumerate(rule.equal):
            if not _label_ok(name, known):
                problems.append(
                    ConfigError(
                        routing,
                        f"inhibit_rules[{i}].equal[{j}]",
                        f"unknown label {name!r} (known: {_list(known)})",
                    )
                )
    problems.extend(precedence.problems(config, routing))
    if config.routing.escalation_receiver:
        receivers.setdefault(config.routing.escalation_receiver, "escalation_receiver")
    for d in config.departments.departments:
        if d.escalate_to:
            receivers.setdefault(d.escalate_to, f"escalate_to of {d.code}")
    for i, d in enumerate(config.departments.departments):
        if d.code in receivers and not any(c.enabled for c in d.channels):
            file, at = item_origin(config, "departments", d.code, i)
            problems.append(
                ConfigError(
                    file,
                    f"departments[{at}].channels",
                    f"department {d.code!r} receives alerts ({receivers[d.code]}) "
                    "but has no enabled channel",
                )
            )
    return problems
