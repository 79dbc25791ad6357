"""Everything compiled from the configuration that evaluation needs, built once per config."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from yuqing.alerts.inhibit import CompiledInhibitRule
from yuqing.alerts.routing import RoutingTree
from yuqing.alerts.rules import RuleSet, compile_rules
from yuqing.config import Config
from yuqing.config.departments import Department


@dataclass
class AlertContext:
    config: Config
    rules: RuleSet
    tree: RoutingTree
    inhibit_rules: list[CompiledInhibitRule]
    departments: dict[str, Department]

    @property
    def timezone(self) -> str:
        return self.config.settings.timezone

    @property
    def base_url(self) -> str:
        return self.config.settings.base_url.rstrip("/")

    def incident_url(self, incident_id: int) -> str:
        return f"{self.base_url}/incidents/{incident_id}"


_lock = threading.Lock()
_cached: tuple[Config, AlertContext] | None = None


def context_for(config: Config) -> AlertContext:
    """The compiled context for ``config`` (cached for the same config object)."""
    global _cached
    with _lock:
        if _cached is not None and _cached[0] is config:
            return _cached[1]
        ctx = AlertContext(
            config=config,
            rules=compile_rules(config),
            tree=RoutingTree(config.routing),
            inhibit_rules=[
                CompiledInhibitRule.of(i, r) for i, r in enumerate(config.routing.inhibit_rules)
            ],
            departments={d.code: d for d in config.departments.departments},
        )
        _cached = (config, ctx)
        return ctx
