"""Precedence between rules (issue 13: one incident per event).

Inhibit rules with ``merge: true`` (routing.yaml) apply when incidents are created: while an
incident matching a rule's ``source_matchers`` is open, alerts matching its
``target_matchers`` with equal ``equal`` labels join that incident instead of opening their
own, and an open target incident is merged into it (:mod:`yuqing.alerts.merge`). This module
decides who absorbs whom; it reads no database.

When several incidents could absorb one, the highest severity wins, then an incident already
open, then the oldest. Absorption follows chains (a complaint absorbed by a shutdown report
that a blanket shutdown absorbs ends in the blanket shutdown).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from yuqing.alerts.inhibit import LABEL_ZH, CompiledInhibitRule
from yuqing.config import Config
from yuqing.config.errors import ConfigError
from yuqing.config.routing import Matcher
from yuqing.config.rules import SEVERITIES, AlertRule


def rank(severity: str) -> int:
    """0 for the highest severity."""
    return SEVERITIES.index(severity) if severity in SEVERITIES else len(SEVERITIES)


@dataclass
class Node:
    """An incident (``incident_id`` set) or a batch's alert group about to open one."""

    key: str  # the fingerprint
    labels: Mapping[str, str]
    severity: str
    incident_id: int | None = None
    title: str = ""
    rule_title: str = ""
    absorbed_by: Node | None = field(default=None, repr=False)
    via: CompiledInhibitRule | None = field(default=None, repr=False)

    def order(self) -> tuple[int, int, int]:
        opened = 0 if self.incident_id is not None else 1
        return (rank(self.severity), opened, self.incident_id or 0)


def _all(matchers: tuple[Matcher, ...], labels: Mapping[str, str]) -> bool:
    plain = dict(labels)
    return all(m.matches(plain) for m in matchers)


def merge_rules(rules: Iterable[CompiledInhibitRule]) -> list[CompiledInhibitRule]:
    return [r for r in rules if r.merge]


def resolve(rules: list[CompiledInhibitRule], nodes: list[Node]) -> None:
    """Set ``absorbed_by`` (the direct absorber, chosen by :meth:`Node.order`) and ``via`` on
    every node some other node outranks."""
    if not rules:
        return
    index: list[dict[tuple[str, ...], list[Node]]] = [{} for _ in rules]
    for n in nodes:
        for i, r in enumerate(rules):
            if _all(r.source, n.labels):
                index[i].setdefault(r.key(n.labels), []).append(n)
    for n in nodes:
        best: tuple[Node, CompiledInhibitRule] | None = None
        for i, r in enumerate(rules):
            if not _all(r.target, n.labels):
                continue
            for cand in index[i].get(r.key(n.labels), []):
                if cand is n or cand.key == n.key:
                    continue
                if rank(cand.severity) > rank(n.severity):
                    continue  # never merge into a lower severity
                if best is None or cand.order() < best[0].order():
                    best = (cand, r)
        if best is not None:
            n.absorbed_by, n.via = best


def outranks(
    rules: list[CompiledInhibitRule],
    high: Mapping[str, str],
    high_severity: str,
    low: Mapping[str, str],
    low_severity: str,
) -> bool:
    """Whether alerts labelled ``high`` take precedence over those labelled ``low``."""
    if rank(high_severity) > rank(low_severity):
        return False
    return any(
        _all(r.source, high) and _all(r.target, low) and r.key(high) == r.key(low) for r in rules
    )


def top(node: Node) -> Node:
    """The node that finally absorbs ``node`` (itself when none does); cycles stop."""
    seen = {id(node)}
    current = node
    while current.absorbed_by is not None and id(current.absorbed_by) not in seen:
        current = current.absorbed_by
        seen.add(id(current))
    return current


def reason_zh(low_rule: str, high: Node, rule: CompiledInhibitRule | None) -> str:
    """Why a post or an incident of ``low_rule`` (its Chinese title) counts in ``high``."""
    same = "、".join(f"同一{LABEL_ZH.get(n, n)}" for n in (rule.equal if rule else ()))
    where = f"{same}已有" if same else "已有"
    number = f" #{high.incident_id}" if high.incident_id is not None else ""
    name = f"（{high.title}）" if high.title else ""
    return (
        f"「{high.rule_title}」优先于「{low_rule}」：{where}「{high.rule_title}」事件{number}"
        f"{name}，按同一事件办理，不再单独立案、单独计时"
    )


def _static(rule: AlertRule) -> dict[str, str]:
    return {"rule": rule.name, "severity": rule.severity, **rule.labels}


def _may_match(matchers: tuple[Matcher, ...], rule: AlertRule) -> bool:
    """Whether alerts of ``rule`` can match (labels known from the rule alone are checked;
    others, like district, may take any value)."""
    known = _static(rule)
    return all(m.matches(known) for m in matchers if m.label in known)


def problems(config: Config, file: str) -> list[ConfigError]:
    """Start-up checks of the merging inhibit rules: each names rules that exist, never
    merges a rule into itself or into a lower severity, and no two rules merge into each
    other."""
    out: list[ConfigError] = []
    rules = [r for r in config.rules.rules if r.enabled]
    edges: dict[str, set[str]] = {}
    for i, raw in enumerate(config.routing.inhibit_rules):
        if not raw.merge:
            continue
        compiled = CompiledInhibitRule.of(i, raw)
        sources = [r for r in rules if _may_match(compiled.source, r)]
        targets = [r for r in rules if _may_match(compiled.target, r)]
        if not sources:
            out.append(ConfigError(file, f"inhibit_rules[{i}].source_matchers", "match no rule"))
        if not targets:
            out.append(ConfigError(file, f"inhibit_rules[{i}].target_matchers", "match no rule"))
        for t in targets:
            for s in sources:
                if s.name == t.name:
                    out.append(
                        ConfigError(
                            file,
                            f"inhibit_rules[{i}]",
                            f"rule {s.name!r} matches both source and target: "
                            "it would merge into itself",
                        )
                    )
                elif rank(t.severity) < rank(s.severity):
                    out.append(
                        ConfigError(
                            file,
                            f"inhibit_rules[{i}]",
                            f"target rule {t.name!r} (severity {t.severity}) outranks source "
                            f"rule {s.name!r} (severity {s.severity}): merge goes from a lower "
                            "or equal severity into a higher one",
                        )
                    )
                else:
                    edges.setdefault(t.name, set()).add(s.name)
    for a, highers in sorted(edges.items()):
        for b in sorted(highers):
            if a < b and a in edges.get(b, set()):
                out.append(
                    ConfigError(
                        file,
                        "inhibit_rules",
                        f"rules {a!r} and {b!r} merge into each other: set which one "
                        "takes precedence",
                    )
                )
    return out
