"""The routing tree (config/routing.yaml), with Prometheus Alertmanager's semantics.

The file itself is the root route: ``receiver``, ``group_by``, timers, and child ``routes``;
plus ``inhibit_rules``. Matchers are strings like ``sector="construction"``,
``district!=""``, ``rule=~"blanket-.*"`` or ``severity!~"normal|medium"``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from pydantic import Field, field_validator, model_validator

from yuqing.config.sources import Strict
from yuqing.config.types import Duration

_MATCHER = re.compile(r'^\s*([A-Za-z_][A-Za-z0-9_.]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*$')


@dataclass(frozen=True)
class Matcher:
    """One label matcher. ``matches`` treats a missing label as the empty string."""

    label: str
    op: str
    value: str

    @classmethod
    def parse(cls, text: str) -> Matcher:
        m = _MATCHER.match(text)
        if not m:
            raise ValueError(
                f'invalid matcher {text!r} (expected label="value" with =, !=, =~ or !~)'
            )
        label, op, value = m.group(1), m.group(2), m.group(3).replace('\\"', '"')
        if op in ("=~", "!~"):
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"invalid regular expression in matcher {text!r}: {exc}") from exc
        return cls(label, op, value)

    def matches(self, labels: dict[str, str]) -> bool:
        actual = labels.get(self.label, "")
        if self.op == "=":
            return actual == self.value
        if self.op == "!=":
            return actual != self.value
        full = re.fullmatch(self.value, actual) is not None
        return full if self.op == "=~" else not full

    def __str__(self) -> str:
        return f'{self.label}{self.op}"{self.value}"'


def _check_matchers(values: list[str]) -> list[str]:
    for v in values:
        Matcher.parse(v)
    return values


_LABEL = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")


def _check_group_by(values: list[str] | None) -> list[str] | None:
    """Label names, or ``...`` alone (group by every label, as in Alertmanager)."""
    if values is None:
        return None
    if "..." in values and len(values) > 1:
        raise ValueError("'...' (every label) cannot be combined with other labels")
    for v in values:
        if v != "..." and not _LABEL.match(v):
            raise ValueError(f"invalid label name {v!r} in group_by")
    dupes = sorted({v for v in values if values.count(v) > 1})
    if dupes:
        raise ValueError(f"group_by lists {dupes[0]!r} twice")
    return values


def _check_timer(value: timedelta | None, allow_zero: bool) -> timedelta | None:
    if value is None:
        return None
    if value < timedelta(0) or (value == timedelta(0) and not allow_zero):
        raise ValueError(f"must be {'zero or ' if allow_zero else ''}positive (got {value})")
    return value


class Route(Strict):
    description: str = ""  # what officers read for this route (default: built from matchers)
    receiver: str | None = None
    matchers: list[str] = Field(default_factory=list)
    continue_: bool = Field(default=False, alias="continue")
    group_by: list[str] | None = None
    group_wait: Duration | None = None
    group_interval: Duration | None = None
    repeat_interval: Duration | None = None
    routes: list[Route] = Field(default_factory=list)

    _check = field_validator("matchers")(classmethod(lambda cls, v: _check_matchers(v)))
    _group_by = field_validator("group_by")(classmethod(lambda cls, v: _check_group_by(v)))
    _wait = field_validator("group_wait")(classmethod(lambda cls, v: _check_timer(v, True)))
    _intervals = field_validator("group_interval", "repeat_interval")(
        classmethod(lambda cls, v: _check_timer(v, False))
    )

    def parsed_matchers(self) -> list[Matcher]:
        return [Matcher.parse(m) for m in self.matchers]


class InhibitRule(Strict):
    """Alertmanager's inhibition: an unresolved incident matching ``source_matchers`` mutes
    those matching ``target_matchers`` with equal ``equal`` labels. With ``merge: true`` it
    is also applied when incidents are created (issue 13): the target's alerts join the
    source's incident instead of opening their own, and an open target incident is merged
    into it — one incident, one deadline per event."""

    source_matchers: list[str] = Field(min_length=1)
    target_matchers: list[str] = Field(min_length=1)
    equal: list[str] = Field(default_factory=list)
    merge: bool = False

    _check = field_validator("source_matchers", "target_matchers")(
        classmethod(lambda cls, v: _check_matchers(v))
    )

    @model_validator(mode="after")
    def _merge_needs_equal(self) -> InhibitRule:
        if self.merge and not self.equal:
            raise ValueError(
                "merge: true needs equal labels (e.g. [district, sector]); without them one "
                "incident would absorb every matching incident of the city"
            )
        return self


class RoutingFile(Route):
    """The root route. Its receiver is the default; its timers are inherited by children."""

    receiver: str = "xfj"
    group_by: list[str] | None = Field(default_factory=lambda: ["rule", "district", "sector"])
    group_wait: Duration | None = timedelta(seconds=30)
    group_interval: Duration | None = timedelta(minutes=5)
    repeat_interval: Duration | None = timedelta(hours=4)
    escalation_receiver: str | None = None
    inhibit_rules: list[InhibitRule] = Field(default_factory=list)

    @model_validator(mode="after")
    def _root(self) -> RoutingFile:
        if self.matchers:
            raise ValueError("the root route matches every alert; it cannot have matchers")
        if self.continue_:
            raise ValueError("'continue' has no meaning on the root route")
        if self.group_by is None:
            raise ValueError("the root route needs group_by")
        return self
