"""Alert rules (config/rules.yaml). Expressions are compiled and checked by ``alerts``.

Three kinds of rule:

- ``post``: a condition over one post's tags (``when``) and/or its text (``keywords``);
- ``surge``: complaints per ``by`` labels (district, sector) in the last ``window`` above the
  mean + k·σ of the same-sized windows over the preceding ``baseline`` (and at least
  ``min_count``);
- ``source``: a source the crawler marks failing.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Literal

from pydantic import Field, field_validator, model_validator

from yuqing.config.sources import Strict
from yuqing.config.types import Duration, Slug

Severity = Literal["high", "medium", "normal"]
SEVERITIES: tuple[Severity, ...] = ("high", "medium", "normal")

# Labels every alert may carry; a rule's own ``labels`` cannot redefine them.
BUILTIN_LABELS = ("rule", "severity", "district", "sector", "source")
LABEL_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")


SurgeLabel = Literal["district", "sector"]
SURGE_LABELS: tuple[SurgeLabel, ...] = ("district", "sector")


class Surge(Strict):
    window: Duration = timedelta(hours=6)
    baseline: Duration = timedelta(days=7)
    k: float = Field(default=3.0, gt=0)
    min_count: int = Field(default=5, ge=1)
    by: list[SurgeLabel] = Field(default_factory=lambda: list(SURGE_LABELS), min_length=1)

    @model_validator(mode="after")
    def _windows(self) -> Surge:
        if self.window <= timedelta(0):
            raise ValueError(f"window must be positive (got {self.window})")
        if self.baseline < 2 * self.window:
            raise ValueError(
                f"baseline must be at least two windows long (got window {self.window}, "
                f"baseline {self.baseline})"
            )
        if len(set(self.by)) != len(self.by):
            raise ValueError(f"by lists a label twice: {self.by}")
        return self


class AlertRule(Strict):
    name: Slug
    kind: Literal["post", "surge", "source"] = "post"
    description: str = ""
    title: str = ""  # short Chinese name used in incident titles; default: description
    enabled: bool = True
    when: str | None = None
    keywords: str | None = None
    severity: Severity
    labels: dict[str, str] = Field(default_factory=dict)
    surge: Surge | None = None
    escalate: bool = True  # unacknowledged incidents escalate past their due time

    @field_validator("labels")
    @classmethod
    def _labels(cls, value: dict[str, str]) -> dict[str, str]:
        for key in value:
            if not LABEL_NAME.match(key):
                raise ValueError(f"invalid label name {key!r} (letters, digits, '_' and '.')")
            if key in BUILTIN_LABELS:
                raise ValueError(f"label {key!r} is set by yuqing and cannot be overridden")
        return value

    @model_validator(mode="after")
    def _shape(self) -> AlertRule:
        if self.kind == "post":
            if not (self.when or self.keywords):
                raise ValueError("a post rule needs 'when' or 'keywords'")
            if self.surge is not None:
                raise ValueError("'surge' is only for rules of kind surge")
        elif self.when or self.keywords:
            raise ValueError(f"'when' and 'keywords' are only for post rules (kind {self.kind})")
        if self.kind == "surge" and self.surge is None:
            self.surge = Surge()
        if self.kind == "source" and self.surge is not None:
            raise ValueError("'surge' is only for rules of kind surge")
        return self

    @property
    def short_title(self) -> str:
        """The rule's short name for titles: ``title``, else ``description`` up to a bracket."""
        if self.title:
            return self.title
        text = re.split(r"[（(]", self.description, maxsplit=1)[0].strip()
        return text or self.name


def _default_due() -> dict[Severity, timedelta]:
    return {"high": timedelta(hours=2), "medium": timedelta(hours=8), "normal": timedelta(hours=24)}


class RulesFile(Strict):
    rules: list[AlertRule] = Field(default_factory=list)
    search_keywords: list[str] = Field(default_factory=list)
    due: dict[Severity, Duration] = Field(default_factory=_default_due)
    # Posts published longer ago than this (e.g. a first crawl of an archive) raise no alerts.
    max_post_age: Duration = timedelta(days=30)

    @field_validator("due")
    @classmethod
    def _due(cls, value: dict[Severity, timedelta]) -> dict[Severity, timedelta]:
        out = _default_due()
        for severity, delta in value.items():
            if delta <= timedelta(0):
                raise ValueError(f"due time for {severity} must be positive (got {delta})")
            out[severity] = delta
        return out

    def rule(self, name: str) -> AlertRule | None:
        for r in self.rules:
            if r.name == name:
                return r
        return None
