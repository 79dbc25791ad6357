"""The scenarios and how many posts each contributes. Order and counts are part of the dataset."""

from __future__ import annotations

from collections.abc import Callable

from tools.corpus.citizen import citizen
from tools.corpus.context import Ctx, Draft
from tools.corpus.negatives import ordinary_complaint, other_blanket, stalled_site
from tools.corpus.neutral import maintenance, neutral
from tools.corpus.policy import ban_news, news_negative
from tools.corpus.reports import after_stop, blanket_report, single_report

Scenario = Callable[[Ctx], Draft]


def blanket_complaint(c: Ctx) -> Draft:
    return citizen(c, "preemptive" if c.chance(0.2) else "blanket", 1, 0.40)


def single_complaint(c: Ctx) -> Draft:
    if c.chance(0.25):
        return after_stop(c)
    return citizen(c, "single", 1, 0.45)


def shutdown_neutral_citizen(c: Ctx) -> Draft:
    """Citizen posts about a shutdown without a grievance (a procedural question, an account)."""
    return citizen(c, c.pick(["blanket", "single", "single", "preemptive"]), 0, 0.3)


def demand_shutdown(c: Ctx) -> Draft:
    return citizen(c, "demand", 1)


def not_enforced(c: Ctx) -> Draft:
    return citizen(c, "not_enforced", 1)


def feared(c: Ctx) -> Draft:
    return citizen(c, "feared", 1 if c.chance(0.6) else 0, 0.3)


def fined(c: Ctx) -> Draft:
    return citizen(c, "fined", 1 if c.chance(0.6) else 0, 0.2)


def self_closed(c: Ctx) -> Draft:
    return citizen(c, "by_choice", 1 if c.chance(0.4) else 0)


SCENARIOS: list[tuple[Scenario, int]] = [
    (blanket_complaint, 120),
    (blanket_report, 75),
    (single_report, 80),
    (single_complaint, 80),
    (shutdown_neutral_citizen, 55),
    (ban_news, 100),
    (demand_shutdown, 100),
    (not_enforced, 65),
    (other_blanket, 70),
    (stalled_site, 55),
    (maintenance, 85),
    (ordinary_complaint, 95),
    (neutral, 255),
    (feared, 55),
    (fined, 75),
    (self_closed, 40),
    (news_negative, 55),
]
