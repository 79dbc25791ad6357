"""Shapes of the shared fragment files: places, common, voices, sectors and citizen posts.

Every model forbids unknown keys, so a misspelt key in a YAML file is an error that names the
file and the key rather than a silently ignored fragment.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from yuqing.config.vocab import SECTORS as SECTOR_CODES

# A list the generator draws from: never empty (drawing from nothing would crash mid-run).
Pool = Annotated[list[str], Field(min_length=1)]

SECTORS = SECTOR_CODES  # the spec's sector codes, in order (the loop order is part of the dataset)


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def check_sectors(where: str, names: list[str]) -> None:
    unknown = [n for n in names if n not in SECTORS]
    if unknown:
        raise ValueError(f"{where}: unknown sector {unknown[0]!r} (one of {', '.join(SECTORS)})")


def check_subset(where: str, part: list[str], whole: list[str], whole_name: str) -> None:
    missing = [p for p in part if p not in whole]
    if missing:
        raise ValueError(f"{where}: {missing[0]!r} is not in {whole_name}")


# --- places.yaml ------------------------------------------------------------------------------
class District(Model):
    name: str
    aliases: list[str]
    places: Pool


class Areas(Model):
    rural: Pool
    park: Pool
    street: Pool
    general: Pool


class Places(Model):
    districts: Annotated[list[District], Field(min_length=1)]
    city_wording: Pool
    city_prefix: str
    outskirts: Pool
    villages: Pool
    communities: Pool
    near_landmark: Pool
    areas: Areas


# --- common.yaml and voices.yaml --------------------------------------------------------------
class Dates(Model):
    years: Pool
    formal: Pool
    casual: Pool


class Headcount(Model):
    few: str
    many: str


class Common(Model):
    name_prefixes: Pool
    authorities: Pool
    departments: Pool
    dates: Dates
    phone_prefixes: Pool
    money: Pool
    headcount: Headcount
    licensed_generic: Pool
    unlicensed: Pool
    losses: Pool
    backgrounds: Annotated[list[str], Field(min_length=2)]
    typos: Annotated[dict[str, str], Field(min_length=4)]


class Voices(Model):
    letter_openers: Pool
    letter_closers: Pool
    weibo_tags: Pool
    forum_openers: Pool
    forum_closers: Pool
    forum_replies: Pool
    dialect_endings: Pool
    news_openers: Pool
    reporters: Pool
    residents: Pool
    owner_surnames: Annotated[str, Field(min_length=1)]
    informant_surnames: Annotated[str, Field(min_length=1)]


# --- sectors/<sector>.yaml --------------------------------------------------------------------
class Sector(Model):
    businesses: Pool
    named: Pool
    workers: tuple[int, int]
    violations: Pool
    pollution: Pool
    losses: Pool
    adverts: Pool
    licensed: Pool
    equipment: Pool
    blanket_nouns: Pool
    law: str
    report_noun: str


# --- citizen_events.yaml ----------------------------------------------------------------------
class Cores(Model):
    blanket: Pool
    blanket_demolish: Pool
    blanket_subtle: Pool
    preemptive: Pool
    single: Pool
    single_demolish: Pool
    single_all: Pool
    single_context: Pool
    feared: Pool
    fined: Pool
    by_choice: Pool


class Demand(Model):
    text: str
    where: Pool
    since: Pool
    harm: Pool
    excuses: Pool
    demands: Pool


class NotEnforced(Model):
    text: str
    stories: Pool


class NamedFirst(Model):
    owner: str
    resident: str


class CitizenEvents(Model):
    cores: Cores
    acts: Pool
    acts_then: Pool
    acts_done: Pool
    reasons: Pool
    reasons_unlicensed: Pool
    feared_outcomes: Pool
    soon: Pool
    fines: Pool
    by_choice_reasons: Pool
    by_choice_grievances: Pool
    demand: Demand
    not_enforced: NotEnforced
    named_first: NamedFirst


# --- citizen_voice.yaml -----------------------------------------------------------------------
class LetterTitles(Model):
    blanket_complaint: Pool
    blanket: Pool
    single_complaint: Pool
    single: Pool
    feared: Pool
    fined_complaint: Pool
    fined: Pool
    by_choice: Pool
    demand: Pool
    not_enforced: Pool


class Letter(Model):
    report_header: str
    contacts: Pool
    report_titles: Pool
    extras_owner: Annotated[list[str], Field(min_length=3)]
    extras_resident: Annotated[list[str], Field(min_length=3)]
    neutral_closers: Pool
    titles: LetterTitles


class Weibo(Model):
    place_prefixes: Pool
    licensed_stopped: str
    licensed: str
    complaint_endings: Pool
    protest_blanket: str
    protest: str
    neutral_endings: Pool
    calls: Pool


class ForumTitles(Model):
    blanket: Pool
    single: Pool
    demand: Pool
    not_enforced: Pool
    other: Pool


class Forum(Model):
    place_intros: Pool
    licensed: str
    neutral_endings: Pool
    neutral_reply: str
    titles: ForumTitles


class CitizenVoice(Model):
    event_details: Pool
    event_details_stopped: Pool
    event_details_blanket: Pool
    stopped_losses: Pool
    distress: Pool
    worries: Pool
    prior_attempts: Annotated[list[str], Field(min_length=2)]
    prior_attempts_stopped: Pool
    ban_references: Pool
    preemptive_protests: Pool
    blanket_protests: Pool
    fined_protests: Pool
    asks: Pool
    asks_only_if_stopped: list[str]
    asks_more: list[str]
    not_enforced_openers: Pool
    not_enforced_asks: Pool
    neutral_asks: Pool
    resident_intros: Pool
    owner_intros: Pool
    letter: Letter
    weibo: Weibo
    forum: Forum

    @model_validator(mode="after")
    def _stopped_asks_are_asks(self) -> CitizenVoice:
        check_subset("asks_only_if_stopped", self.asks_only_if_stopped, self.asks, "asks")
        return self
