"""Alert rules (config/rules.yaml). Expressions are compiled and checked by ``alerts``."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import Field, model_validator

from yuqing.config.sources import Strict
from yuqing.config.types import Duration, Slug

Severity = Literal["high", "medium", "normal"]


class Surge(Strict):
    window: Duration = timedelta(hours=6)
    baseline: Duration = timedelta(days=7)
    k: float = Field(default=3.0, gt=0)
    min_count: int = Field(default=5, ge=1)
    by: list[str] = Field(default_factory=lambda: ["district", "sector"])


class AlertRule(Strict):
    name: Slug
    kind: Literal["post", "surge", "source"] = "post"
    description: str = ""
    enabled: bool = True
    when: str | None = None
    keywords: str | None = None
    severity: Severity
    labels: dict[str, str] = Field(default_factory=dict)
    surge: Surge | None = None

    @model_validator(mode="after")
    def _shape(self) -> AlertRule:
        if self.kind == "post" and not (self.when or self.keywords):
            raise ValueError("a post rule needs 'when' or 'keywords'")
        if self.kind == "surge" and self.surge is None:
            self.surge = Surge()
        return self


def _default_due() -> dict[Severity, timedelta]:
    return {"high": timedelta(hours=2), "medium": timedelta(hours=8), "normal": timedelta(hours=24)}


class RulesFile(Strict):
    rules: list[AlertRule] = Field(default_factory=list)
    search_keywords: list[str] = Field(default_factory=list)
    due: dict[Severity, Duration] = Field(default_factory=_default_due)
