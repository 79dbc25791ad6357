"""Inhibition (routing.yaml ``inhibit_rules``): an unresolved incident matching a rule's
``source_matchers`` mutes notifications of incidents matching its ``target_matchers`` when the
``equal`` labels have the same values (absent reads as empty) — Alertmanager's semantics. An
incident never inhibits itself. Inhibited incidents are still recorded.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from yuqing.config.routing import InhibitRule, Matcher

# label names as officers read them, for the reasons shown on pages
LABEL_ZH = {"district": "区县", "sector": "行业", "source": "采集源", "severity": "级别"}


@dataclass(frozen=True)
class CompiledInhibitRule:
    index: int
    source: tuple[Matcher, ...]
    target: tuple[Matcher, ...]
    equal: tuple[str, ...]
    merge: bool = False  # also applied when incidents are created (yuqing.alerts.precedence)

    @classmethod
    def of(cls, index: int, rule: InhibitRule) -> CompiledInhibitRule:
        return cls(
            index,
            tuple(Matcher.parse(m) for m in rule.source_matchers),
            tuple(Matcher.parse(m) for m in rule.target_matchers),
            tuple(rule.equal),
            rule.merge,
        )

    def key(self, labels: Mapping[str, str]) -> tuple[str, ...]:
        return tuple(labels.get(name, "") for name in self.equal)


def _all(matchers: tuple[Matcher, ...], labels: dict[str, str]) -> bool:
    return all(m.matches(labels) for m in matchers)


class Inhibitor:
    """Built from the unresolved incidents (``sources``: id, labels, title)."""

    def __init__(
        self,
        rules: list[CompiledInhibitRule],
        sources: Iterable[tuple[int, Mapping[str, str], str]],
    ) -> None:
        self.rules = rules
        self._index: list[dict[tuple[str, ...], list[tuple[int, str]]]] = [{} for _ in rules]
        for incident_id, labels, title in sources:
            plain = dict(labels)
            for i, rule in enumerate(rules):
                if _all(rule.source, plain):
                    self._index[i].setdefault(rule.key(plain), []).append((incident_id, title))

    def inhibited_by(self, incident_id: int, labels: Mapping[str, str]) -> str | None:
        """Why this incident is inhibited, in Chinese for the incident page (issue 13:
        ``通知暂停：同一区县、同一行业已有事件 #7（…），由该事件统一通知``), or None."""
        plain = dict(labels)
        for i, rule in enumerate(self.rules):
            if not _all(rule.target, plain):
                continue
            for source_id, title in self._index[i].get(rule.key(plain), []):
                if source_id != incident_id:
                    same = "、".join(f"同一{LABEL_ZH.get(n, n)}" for n in rule.equal)
                    return (
                        f"通知暂停：{same + '已有' if same else '已有'}事件 #{source_id}"
                        f"（{title}），由该事件统一通知"
                    )
        return None
