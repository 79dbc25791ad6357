"""Policy references (config/policy.yaml): the city's notices that alerts cite.

A notice has a title, a document number, a date, a link and clauses; each clause lists the
trigger phrases (words a post uses that the clause forbids, e.g. 先停再说) and, optionally, the
sectors it is about. A notice applies to the alert rules it names (``rules``); every incident of
such a rule cites the notice and the clause whose trigger phrase a post used
(``yuqing.alerts.policy``), with the 处置指引 ``guidance`` steps.
"""

from __future__ import annotations

import datetime as dt
import re

from pydantic import Field, field_validator, model_validator

from yuqing.config.sources import Strict
from yuqing.config.types import Slug
from yuqing.config.vocab import SECTORS

_CJK_GAP = re.compile(
    r"([\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”]) ([\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”])"
)


class Clause(Strict):
    code: Slug
    title: str = Field(min_length=1)  # short Chinese name: 工程建设
    label: str = ""  # how the clause is cited: 第二条; empty reads as the title
    summary: str = Field(min_length=1)  # the clause, briefly, in plain Chinese
    triggers: list[str] = Field(default_factory=list)
    sectors: list[str] = Field(default_factory=list)  # empty: any sector

    @field_validator("triggers")
    @classmethod
    def _triggers(cls, value: list[str]) -> list[str]:
        out: list[str] = []
        for i, phrase in enumerate(value):
            text = phrase.strip()
            if not text:
                raise ValueError(f"trigger phrase [{i}] is empty")
            if text in out:
                raise ValueError(f"trigger phrase {text!r} is listed twice")
            out.append(text)
        return out

    @field_validator("summary", "title")
    @classmethod
    def _one_line(cls, value: str) -> str:
        # YAML folding (>-) puts a space where a Chinese line broke: drop it
        return _CJK_GAP.sub(r"\1\2", " ".join(value.split()))

    @field_validator("sectors")
    @classmethod
    def _sectors(cls, value: list[str]) -> list[str]:
        for code in value:
            if code not in SECTORS:
                raise ValueError(f"unknown sector {code!r} (expected one of: {', '.join(SECTORS)})")
        return value

    @property
    def cited_as(self) -> str:
        return self.label or self.title


class Notice(Strict):
    code: Slug
    title: str = Field(min_length=1)
    number: str = ""  # the document number (文号); empty when not known
    issuer: str = ""
    date: dt.date | None = None
    url: str = ""
    rules: list[str] = Field(default_factory=list)  # alert rules whose incidents cite it
    clauses: list[Clause] = Field(default_factory=list)
    default_clause: str | None = None  # cited when no trigger phrase matched

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError(f"url must start with http:// or https:// (got {value!r})")
        return value

    @model_validator(mode="after")
    def _clauses(self) -> Notice:
        codes = [c.code for c in self.clauses]
        for i, code in enumerate(codes):
            if code in codes[:i]:
                raise ValueError(f"duplicate clause code {code!r} (clauses[{i}])")
        if self.default_clause is not None and self.default_clause not in codes:
            raise ValueError(
                f"default_clause {self.default_clause!r} is not a clause of this notice "
                f"(clauses: {', '.join(codes) or 'none'})"
            )
        return self

    def clause(self, code: str) -> Clause | None:
        for c in self.clauses:
            if c.code == code:
                return c
        return None


def _default_guidance() -> list[str]:
    return [
        "核实情况：当日派人到现场核实关停是否属实、涉及哪些经营者。",
        "立即停止“一刀切”措施：对手续合法的经营者不得集中关停，确需整改的依法依规、一企一策。",
        "回应群众：通过原渠道或属地向反映人说明核实结果和处理措施。",
        "按时上报：在处置时限内将核实结果、整改情况报市生态环境局和督察整改办。",
    ]


class PolicyFile(Strict):
    notices: list[Notice] = Field(default_factory=list)
    guidance_title: str = "处置指引"
    guidance: list[str] = Field(default_factory=_default_guidance)

    @field_validator("guidance")
    @classmethod
    def _guidance(cls, value: list[str]) -> list[str]:
        for i, step in enumerate(value):
            if not step.strip():
                raise ValueError(f"guidance step [{i}] is empty")
        return value

    def for_rule(self, rule: str) -> Notice | None:
        """The first notice that names ``rule`` (None when no notice applies)."""
        for notice in self.notices:
            if rule in notice.rules:
                return notice
        return None
