"""Structured resolution of an incident (issue 13): what the officer found and did.

Four fields besides the free-text note, stored as codes on ``incidents`` and shown in Chinese
(:mod:`yuqing.alerts.labels`):

- 核实结果 ``verification``: free text;
- 是否属实 ``verified``: ``true`` 属实 / ``partly`` 部分属实 / ``false`` 不属实;
- 是否已恢复生产经营 ``production_restored``: ``yes`` 是 / ``no`` 否 / ``na`` 不适用;
- 群众回应情况 ``public_response``: ``replied`` 已回应 / ``not_replied`` 未回应, with
  ``public_response_note`` (text).

:func:`parse` validates what a form or the CLI gives (codes or the Chinese words);
:func:`counts` is what digests and exports count.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from yuqing.alerts.errors import ResolutionError
from yuqing.alerts.labels import (
    PRODUCTION_RESTORED_NAMES,
    PUBLIC_RESPONSE_NAMES,
    RESOLUTION_FIELD_NAMES,
    VERIFIED_NAMES,
)

MAX_TEXT = 2000
CHOICES: dict[str, dict[str, str]] = {
    "verified": VERIFIED_NAMES,
    "production_restored": PRODUCTION_RESTORED_NAMES,
    "public_response": PUBLIC_RESPONSE_NAMES,
}
TEXTS = ("verification", "public_response_note")
FIELDS = ("verification", "verified", "production_restored", "public_response",
          "public_response_note")  # fmt: skip


@dataclass(frozen=True)
class Outcome:
    verification: str | None = None
    verified: str | None = None
    production_restored: str | None = None
    public_response: str | None = None
    public_response_note: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {f: getattr(self, f) for f in FIELDS}

    @property
    def empty(self) -> bool:
        return all(v is None for v in self.as_dict().values())


def _choice(field: str, value: str | None) -> str | None:
    text = (value or "").strip()
    if not text:
        return None
    names = CHOICES[field]
    if text in names:
        return text
    for code, name in names.items():
        if text == name:
            return code
    allowed_zh = "、".join(names.values())
    allowed = ", ".join(f"{c} ({n})" for c, n in names.items())
    raise ResolutionError(
        field,
        text,
        f"{field}: invalid value {text!r} (expected one of: {allowed})",
        f"{RESOLUTION_FIELD_NAMES[field]}：无效的取值“{text}”（可选：{allowed_zh}）",
    )


def _text(field: str, value: str | None) -> str | None:
    text = (value or "").strip()
    if len(text) > MAX_TEXT:
        raise ResolutionError(
            field,
            text[:20] + "…",
            f"{field}: too long ({len(text)} characters, at most {MAX_TEXT})",
            f"{RESOLUTION_FIELD_NAMES[field]}：内容过长（{len(text)} 字，最多 {MAX_TEXT} 字）",
        )
    return text or None


def parse(values: Mapping[str, str | None], required: Iterable[str] = ()) -> Outcome:
    """Validate the fields (codes or Chinese words); raise :class:`ResolutionError` naming the
    field and the value. ``required`` fields must be given."""
    out = Outcome(
        verification=_text("verification", values.get("verification")),
        verified=_choice("verified", values.get("verified")),
        production_restored=_choice("production_restored", values.get("production_restored")),
        public_response=_choice("public_response", values.get("public_response")),
        public_response_note=_text("public_response_note", values.get("public_response_note")),
    )
    for field in required:
        if getattr(out, field) is None:
            raise ResolutionError(
                field,
                "",
                f"{field}: required (got an empty value)",
                f"{RESOLUTION_FIELD_NAMES[field]}：必填，不能为空",
            )
    return out


def required_for(policy_cited: bool) -> tuple[str, ...]:
    """Fields an officer must fill to resolve: all the choices for an incident that cites a
    notice (一刀切), none otherwise."""
    return (
        ("verification", "verified", "production_restored", "public_response")
        if (policy_cited)
        else ()
    )


def apply(inc: Any, outcome: Outcome) -> None:
    """Store ``outcome`` on an incident row."""
    for field, value in outcome.as_dict().items():
        setattr(inc, field, value)


def display(inc: Any) -> list[tuple[str, str]]:
    """(Chinese field name, Chinese value) for the fields an incident has."""
    out: list[tuple[str, str]] = []
    for field in FIELDS:
        value = getattr(inc, field, None)
        if value is None or value == "":
            continue
        shown = CHOICES[field].get(value, value) if field in CHOICES else str(value)
        out.append((RESOLUTION_FIELD_NAMES[field], shown))
    return out


@dataclass(frozen=True)
class Counts:
    resolved: int
    verified: dict[str, int]  # code -> count, every code present (0 when none)
    production_restored: dict[str, int]
    public_response: dict[str, int]
    unrecorded: int  # resolved without 是否属实

    def line(self) -> str:
        """One Chinese line for a digest: 办结 5 起：属实 3、部分属实 1、不属实 1；…"""

        def part(field: str, counts: dict[str, int]) -> str:
            return "、".join(f"{CHOICES[field][c]} {n}" for c, n in counts.items())

        text = (
            f"办结 {self.resolved} 起：{part('verified', self.verified)}；"
            f"已恢复生产经营 {self.production_restored['yes']} 起，"
            f"未恢复 {self.production_restored['no']} 起；"
            f"已回应群众 {self.public_response['replied']} 起，"
            f"未回应 {self.public_response['not_replied']} 起"
        )
        if self.unrecorded:
            text += f"；{self.unrecorded} 起未填写核实情况"
        return text + "。"


def counts(incidents: Iterable[Any]) -> Counts:
    """Count the structured fields over resolved incidents (others are skipped)."""
    c: dict[str, Counter[str]] = {f: Counter() for f in CHOICES}
    resolved = unrecorded = 0
    for inc in incidents:
        if getattr(inc, "status", "resolved") != "resolved":
            continue
        resolved += 1
        if not getattr(inc, "verified", None):
            unrecorded += 1
        for field in CHOICES:
            value = getattr(inc, field, None)
            if value:
                c[field][value] += 1
    full = {f: {code: c[f][code] for code in CHOICES[f]} for f in CHOICES}
    return Counts(
        resolved,
        full["verified"],
        full["production_restored"],
        full["public_response"],
        unrecorded,
    )
