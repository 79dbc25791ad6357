"""The routing tree (config/routing.yaml) with Prometheus Alertmanager's semantics.

An alert enters at the root, which matches everything. Each child route whose matchers all
match is descended into; the first matching child stops the search unless it has
``continue: true``. A route that matches but none of whose children match is where the alert
lands; a route without ``receiver`` uses its parent's. ``group_by`` and the timers
(``group_wait``, ``group_interval``, ``repeat_interval``) are inherited from the parent
unless a route sets them. Active hours belong to the receiving department (departments.yaml),
in ``settings.timezone``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from yuqing.config.departments import WEEKDAYS, Department
from yuqing.config.routing import Matcher, Route, RoutingFile

ROOT = "root"


@dataclass(frozen=True)
class Timers:
    group_wait: timedelta
    group_interval: timedelta
    repeat_interval: timedelta


@dataclass
class Node:
    path: str
    matchers: list[Matcher]
    receiver: str
    continue_: bool
    group_by: tuple[str, ...]
    timers: Timers
    children: list[Node] = field(default_factory=list)

    def matches(self, labels: dict[str, str]) -> bool:
        return all(m.matches(labels) for m in self.matchers)


@dataclass(frozen=True)
class Reached:
    """A receiver an alert reaches: through which route, with which grouping and timers."""

    receiver: str
    route: str
    group_by: tuple[str, ...]
    timers: Timers
    matched: tuple[str, ...]  # the matchers along the path, "routes[2]: rule=\"x\""

    def group_labels(self, labels: Mapping[str, str]) -> dict[str, str]:
        if "..." in self.group_by:
            return dict(labels)
        return {k: labels.get(k, "") for k in self.group_by}

    def group_key(self, labels: Mapping[str, str]) -> str:
        """The aggregation group at this receiver: the route plus its group_by labels."""
        body = ",".join(f"{k}={v}" for k, v in sorted(self.group_labels(labels).items()))
        key = f"{self.route}{{{body}}}"
        if len(key) > 200:
            key = f"{self.route}#{hashlib.sha256(body.encode()).hexdigest()[:32]}"
        return key


@dataclass(frozen=True)
class Explanation:
    receiver: str
    route: str
    reason: str
    group_by: tuple[str, ...]
    timers: Timers
    duplicate_of: str | None = None  # the route that already reached this receiver


def _build(route: Route, path: str, parent: Node | None) -> Node:
    if parent is None:
        assert isinstance(route, RoutingFile)
        assert route.group_by is not None
        assert route.group_wait is not None
        assert route.group_interval is not None
        assert route.repeat_interval is not None
        timers = Timers(route.group_wait, route.group_interval, route.repeat_interval)
        group_by: tuple[str, ...] = tuple(route.group_by)
        receiver = route.receiver
    else:
        timers = Timers(
            route.group_wait if route.group_wait is not None else parent.timers.group_wait,
            route.group_interval
            if route.group_interval is not None
            else parent.timers.group_interval,
            route.repeat_interval
            if route.repeat_interval is not None
            else parent.timers.repeat_interval,
        )
        group_by = tuple(route.group_by) if route.group_by is not None else parent.group_by
        receiver = route.receiver or parent.receiver
    node = Node(
        path=path,
        matchers=route.parsed_matchers(),
        receiver=receiver,
        continue_=route.continue_,
        group_by=group_by,
        timers=timers,
    )
    for i, child in enumerate(route.routes):
        child_path = f"{path}.routes[{i}]" if path != ROOT else f"routes[{i}]"
        node.children.append(_build(child, child_path, node))
    return node


class RoutingTree:
    """The compiled tree. ``receivers(labels)`` is cached per distinct label set."""

    def __init__(self, routing: RoutingFile) -> None:
        self.root = _build(routing, ROOT, None)
        self.escalation_receiver = routing.escalation_receiver
        self._nodes: dict[str, Node] = {}
        self._index(self.root)
        self._cache: dict[tuple[tuple[str, str], ...], list[Reached]] = {}

    def _index(self, node: Node) -> None:
        self._nodes[node.path] = node
        for child in node.children:
            self._index(child)

    def node(self, path: str) -> Node:
        """The route at ``path``; the root when the path no longer exists (config changed)."""
        return self._nodes.get(path, self.root)

    def match(self, labels: Mapping[str, str]) -> list[Reached]:
        """Every route the alert lands on, in tree order (a receiver may appear twice)."""
        return _match(self.root, dict(labels), ())

    def receivers(self, labels: Mapping[str, str]) -> list[Reached]:
        """The departments reached, each once (the first route that reached it wins)."""
        key = tuple(sorted(labels.items()))
        hit = self._cache.get(key)
        if hit is None:
            seen: set[str] = set()
            hit = []
            for r in self.match(labels):
                if r.receiver not in seen:
                    seen.add(r.receiver)
                    hit.append(r)
            if len(self._cache) < 100_000:
                self._cache[key] = hit
        return hit

    def incident_labels(self, labels: Mapping[str, str]) -> tuple[str, ...]:
        """The labels that identify an incident: ``rule`` plus every group_by of the routes
        the alert reaches, so each receiver's grouping is a union of whole incidents."""
        names: set[str] = {"rule"}
        for r in self.receivers(labels):
            if "..." in r.group_by:
                return tuple(sorted(labels))
            names.update(r.group_by)
        return tuple(sorted(names))

    def explain(self, labels: Mapping[str, str]) -> list[Explanation]:
        out: list[Explanation] = []
        first: dict[str, str] = {}
        for r in self.match(labels):
            if r.route == ROOT:
                reason = "no child route matched, so the root route's receiver (the default)"
            else:
                node = self.node(r.route)
                steps = "; ".join(r.matched) if r.matched else "no matchers (matches everything)"
                cont = (
                    "; continue: true, so later routes were tried too"
                    if node.continue_
                    else "; first match: later sibling routes were not tried"
                )
                reason = f"matched {steps}{cont}"
            out.append(
                Explanation(
                    receiver=r.receiver,
                    route=r.route,
                    reason=reason,
                    group_by=r.group_by,
                    timers=r.timers,
                    duplicate_of=first.get(r.receiver),
                )
            )
            first.setdefault(r.receiver, r.route)
        return out


def _match(node: Node, labels: dict[str, str], matched: tuple[str, ...]) -> list[Reached]:
    found: list[Reached] = []
    for child in node.children:
        if not child.matches(labels):
            continue
        why = ", ".join(str(m) for m in child.matchers)
        step = (*matched, f"{child.path}: {why}" if why else f"{child.path}: (no matchers)")
        found.extend(_match(child, labels, step))
        if not child.continue_:
            break
    if not found:
        found.append(Reached(node.receiver, node.path, node.group_by, node.timers, matched))
    return found


def next_active(department: Department | None, now: datetime, timezone: str) -> datetime:
    """``now`` if the department is within its active hours and days, else when they next
    begin (``settings.timezone``). No active_hours and every day: always ``now``."""
    if department is None:
        return now
    window = department.active_window()
    days = set(department.active_days)
    if window is None and len(days) == len(WEEKDAYS):
        return now
    start_min, end_min = window if window is not None else (0, 24 * 60)
    tz = ZoneInfo(timezone)
    local = now.astimezone(tz)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    length = (end_min - start_min) % (24 * 60) or 24 * 60
    for offset in range(-1, 9):
        day = (midnight + timedelta(days=offset)).replace(tzinfo=None)
        if WEEKDAYS[day.weekday()] not in days:
            continue
        begin = (day + timedelta(minutes=start_min)).replace(tzinfo=tz)
        end = begin + timedelta(minutes=length)
        if begin <= local < end:
            return now
        if begin > local:
            return begin.astimezone(now.tzinfo)
    return now
