"""Alert rules compiled from config/rules.yaml: post rules (``when`` over tags and/or
``keywords`` over text), surge rules and source-failing rules.

Compilation happens once per configuration; every problem is reported as a
:class:`ConfigError` naming the file, the rule and the column.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from yuqing.alerts.errors import ExpressionError
from yuqing.alerts.expr import Tags, WhenExpression, compile_when
from yuqing.alerts.labels import Labels, custom_labels
from yuqing.config import Config
from yuqing.config.errors import ConfigError, ConfigErrors
from yuqing.config.loader import DEFAULTS_DIR
from yuqing.config.models import SECTION_FILES
from yuqing.config.rules import AlertRule

if TYPE_CHECKING:
    from yuqing.nlp.rules import KeywordExpression


def section_file(config: Config, section: str) -> str:
    """The file a section comes from as messages show it: the user's when there is one."""
    name = SECTION_FILES[section]
    if config.config_dir is not None and (Path(config.config_dir) / name).exists():
        return str(Path(config.config_dir) / name)
    return f"config/{name}"


def item_origin(config: Config, section: str, item: str, fallback: int) -> tuple[str, int]:
    """Where the list item named ``item`` (by ``name`` or ``code``) is defined, and its index
    there — the user's file when it lists the item, else the shipped file — as the loader
    reports merged items."""
    name = SECTION_FILES[section]
    candidates = [(DEFAULTS_DIR / name, f"config/{name}")]
    if config.config_dir is not None:
        user = Path(config.config_dir) / name
        candidates.insert(0, (user, str(user)))
    for path, shown in candidates:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError):
            continue
        items = data.get(section, []) if isinstance(data, dict) else []
        for i, entry in enumerate(items if isinstance(items, list) else []):
            if isinstance(entry, dict) and item in (entry.get("name"), entry.get("code")):
                return shown, i
    return section_file(config, section), fallback


@dataclass
class PostRule:
    """A compiled post rule: ``matches(tags, text)`` with ``text`` already normalized."""

    rule: AlertRule
    when: WhenExpression | None
    keywords: KeywordExpression | None

    @property
    def name(self) -> str:
        return self.rule.name

    def matches(self, tags: Tags, normalized_text: str | None) -> bool:
        if self.when is not None and not self.when(tags):
            return False
        if self.keywords is not None:
            return normalized_text is not None and self.keywords.matches(
                normalized_text, normalized=True
            )
        return True

    def labels(self, tags: Tags) -> Labels:
        labels: Labels = {
            "rule": self.rule.name,
            "severity": self.rule.severity,
            "district": tags.district,
            "sector": tags.sector,
        }
        labels.update(custom_labels(tags.custom))
        labels.update(self.rule.labels)
        return labels


@dataclass
class RuleSet:
    post: list[PostRule] = field(default_factory=list)
    surge: list[AlertRule] = field(default_factory=list)
    source: list[AlertRule] = field(default_factory=list)
    by_name: dict[str, AlertRule] = field(default_factory=dict)

    @property
    def needs_text(self) -> bool:
        return any(r.keywords is not None for r in self.post)

    def keyword_evidence(self, rule_name: str, text: str) -> list[str]:
        for r in self.post:
            if r.name == rule_name and r.keywords is not None:
                return r.keywords.evidence(text)
        return []


def _compile_keywords(source: str, name: str) -> KeywordExpression:
    from yuqing.nlp.rules import compile_expression  # the NLP engineer's keyword language

    return compile_expression(source, name=name)


def compile_rules(config: Config) -> RuleSet:
    """Compile every enabled rule; raise :class:`ConfigErrors` listing every problem."""
    rules, problems = _compile(config)
    if problems:
        raise ConfigErrors(problems)
    return rules


def rule_problems(config: Config) -> list[ConfigError]:
    return _compile(config)[1]


def _compile(config: Config) -> tuple[RuleSet, list[ConfigError]]:
    from yuqing.nlp.errors import KeywordSyntaxError

    out = RuleSet()
    problems: list[ConfigError] = []
    districts = set(config.gazetteer.district_names())
    for i, rule in enumerate(config.rules.rules):
        out.by_name[rule.name] = rule
        file, at = item_origin(config, "rules", rule.name, i)
        when = keywords = None
        if rule.when is not None:
            try:
                when = compile_when(rule.when, districts)
            except ExpressionError as exc:
                problems.append(ConfigError(file, f"rules[{at}].when", str(exc)))
        if rule.keywords is not None:
            try:
                keywords = _compile_keywords(rule.keywords, f"rules[{at}].keywords")
            except KeywordSyntaxError as exc:
                where = f"column {exc.column}: " if exc.column is not None else ""
                problems.append(ConfigError(file, f"rules[{at}].keywords", where + exc.reason))
        if not rule.enabled:
            continue
        if rule.kind == "post":
            out.post.append(PostRule(rule, when, keywords))
        elif rule.kind == "surge":
            out.surge.append(rule)
        else:
            out.source.append(rule)
    return out, problems


def tags_from_row(
    shutdown: Any,
    blanket: Any,
    complaint: Any,
    licensed: Any,
    sector: str | None,
    district: str | None,
    custom: Mapping[str, Any] | None,
) -> Tags:
    return Tags(
        shutdown=bool(shutdown),
        blanket=bool(blanket),
        complaint=bool(complaint),
        licensed=bool(licensed),
        sector=sector or "other",
        district=district or "",
        custom=custom or {},
    )
