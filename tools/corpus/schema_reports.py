"""Shapes of the fragment files of reported events: reports, policy and news_negative."""

from __future__ import annotations

from typing import Any

from pydantic import field_validator, model_validator

from tools.corpus.schema_core import Model, Pool, check_sectors, check_subset


# --- reports.yaml -----------------------------------------------------------------------------
class BlanketNews(Model):
    text: str
    counter_sites: str
    counter_businesses: str
    details: Pool
    details_licensed: list[str]
    quotes: Pool
    responses: Pool
    stops_construction: Pool
    stops: Pool
    titles: Pool

    @model_validator(mode="after")
    def _licensed_details_are_details(self) -> BlanketNews:
        check_subset("details_licensed", self.details_licensed, self.details, "details")
        return self


class BlanketOrder(Model):
    head: str
    orders: Pool
    body: str
    addressees: Pool
    inspections: Pool
    stops: Pool
    endings: Pool
    issuers: Pool


class BlanketCorrection(Model):
    text: str
    sources: Pool
    campaigns: Pool
    methods: Pool
    harms: Pool
    remedies: Pool
    accountability: Pool
    titles: Pool


class BlanketChatter(Model):
    texts: Pool
    stopped: Pool
    questions: Pool
    which: Pool
    seen: Pool
    hearsay: Pool
    stop_construction: str
    stop: str
    why: Pool
    aftermath: Pool
    titles: Pool


class BlanketReport(Model):
    news: BlanketNews
    order: BlanketOrder
    correction: BlanketCorrection
    chatter: BlanketChatter


class SingleNews(Model):
    text: str
    checks: Pool
    tips: Pool
    subjects: Pool
    findings: Pool
    penalties: Pool
    codas: Pool
    titles: Pool
    verdicts: Pool


class SingleNotice(Model):
    text: str
    docs: Pool
    endings: Pool


class SingleWeibo(Model):
    texts: Pool
    cheers: Pool
    agencies: Pool
    verbs: Pool
    comments: Pool


class SingleForum(Model):
    texts: Pool
    verbs: Pool
    remarks: Pool
    hearsay: Pool
    titles: Pool


class SingleReport(Model):
    acts: Pool
    news: SingleNews
    notice: SingleNotice
    weibo: SingleWeibo
    forum: SingleForum


class Wages(Model):
    text: str
    aftermath: Pool
    runaround: Pool
    pleas: Pool


class Compensation(Model):
    text: str
    openings: Pool
    questions: Pool
    costs: Pool


class AfterStop(Model):
    wages: Wages
    compensation: Compensation
    letter_titles: Pool
    forum_titles: Pool


class Reports(Model):
    blanket_report: BlanketReport
    single_report: SingleReport
    after_stop: AfterStop


# --- policy.yaml and news_negative.yaml -------------------------------------------------------
class Statement(Model):
    text: str
    sector: str | None = None


class Policy(Model):
    issuers_city: Pool
    subjects: Pool
    sector_subjects: dict[str, str]
    statements: list[Statement]
    sector_rule: str
    sector_rules: Pool
    extras: Pool
    local_leads: Pool
    news_titles: Pool
    notice_heads: Pool
    notice_body: str
    notice_addressees: Pool
    notice_endings: Pool
    weibo_heads: Pool
    weibo_cheers: Pool
    forum_leads: Pool
    forum_endings: Pool
    forum_titles: Pool

    @field_validator("statements", mode="before")
    @classmethod
    def _plain_statements(cls, value: Any) -> Any:
        """A statement that names no sector may be written as a plain string."""
        if isinstance(value, list):
            return [{"text": v} if isinstance(v, str) else v for v in value]
        return value

    @model_validator(mode="after")
    def _known_sectors(self) -> Policy:
        check_sectors("sector_subjects", list(self.sector_subjects))
        check_sectors("statements", [s.sector for s in self.statements if s.sector])
        return self


class NegDemand(Model):
    text: str
    demands: Pool
    responses: Pool
    endings: Pool
    titles: Pool


class NegUnenforced(Model):
    text: str
    still: Pool
    actions: Pool
    titles: Pool


class NegRumour(Model):
    text: str
    labels: Pool
    rumours: Pool
    endings: Pool
    titles: Pool


class NegHotline(Model):
    text: str
    channels: Pool
    findings: Pool


class NegPlan(Model):
    text: str
    fields: Pool
    when: Pool
    goals: Pool
    kept: Pool
    removed: Pool
    endings: Pool


class NegKinds(Model):
    demand: NegDemand
    unenforced: NegUnenforced
    rumour: NegRumour
    hotline: NegHotline
    plan: NegPlan


class NewsNegative(Model):
    kinds: NegKinds
    place_city: str
