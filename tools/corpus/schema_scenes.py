"""Shapes of the fragment files of hard negatives: other_blanket, stalled, maintenance,
ordinary and neutral."""

from __future__ import annotations

from pydantic import model_validator

from tools.corpus.schema_core import Model, Pool, check_sectors


# --- other_blanket.yaml and stalled.yaml ------------------------------------------------------
class TextTitles(Model):
    text: str
    titles: Pool


class OtherLetter(Model):
    text: str
    framings: Pool
    titles: Pool


class OtherNews(Model):
    text: str
    replies: Pool
    title: str


class OtherNotice(Model):
    text: str
    answers: Pool


class OtherChatter(Model):
    texts: Pool
    forum_titles: Pool


class OtherBlanket(Model):
    topics: dict[str, Pool]
    complaint_endings_more: Pool
    letter: OtherLetter
    weibo: str
    forum: TextTitles
    news: OtherNews
    notice: OtherNotice
    chatter: OtherChatter


class StalledLetter(Model):
    text: str
    waiting: Pool
    titles: Pool


class StalledNews(Model):
    text: str
    details: Pool
    title: str


class Stalled(Model):
    stories: Pool
    projects: Pool
    asks: Pool
    letter: StalledLetter
    weibo: str
    forum: TextTitles
    news: StalledNews


# --- maintenance.yaml -------------------------------------------------------------------------
class Power(Model):
    text: str
    kinds: Pool
    causes: Pool
    where: Pool
    signatures: Pool


class Water(Model):
    text: str
    causes: Pool
    where: Pool


class Plant(Model):
    text: str
    kinds: Pool
    works: Pool
    notes: Pool
    site: str
    news: str
    news_timings: Pool
    news_works: Pool
    news_outlooks: Pool


class Shop(Model):
    notice: str
    causes: Pool
    chatter: Pool
    shops: Pool
    verbs: Pool
    whys: Pool
    gossip: Pool


class Farm(Model):
    text: str
    stories: Pool
    whys: Pool
    whats: Pool
    offers: Pool
    titles: Pool


class Winter(Model):
    texts: Pool
    site: Pool
    pause: Pool
    next: Pool
    sites: Pool


class Maintenance(Model):
    power: Power
    water: Water
    plant: Plant
    shop: Shop
    farm: Farm
    winter: Winter


# --- ordinary.yaml and neutral.yaml -----------------------------------------------------------
class OrdinaryLetter(Model):
    report: str
    intros: Pool
    text: str
    hardships: Pool
    titles: Pool


class Ordinary(Model):
    topics: dict[str, Pool]
    history: Pool
    anger: Pool
    asks: Pool
    letter: OrdinaryLetter
    weibo: str
    forum: TextTitles

    @model_validator(mode="after")
    def _known_sectors(self) -> Ordinary:
        check_sectors("topics", list(self.topics))
        return self


class Praise(Model):
    texts: Pool
    letter_end: str
    titles: Pool


class Adverts(Model):
    text: str
    labels: Pool
    titles: Pool


class Chatter(Model):
    topics: dict[str, Pool]
    places: Pool
    titles: Pool


class Enforcement(Model):
    weibo_tag: str
    text: str
    measures: Pool
    outcomes: Pool


class Neutral(Model):
    praise: Praise
    adverts: Adverts
    chatter: Chatter
    news: dict[str, str]
    news_place: str
    enforcement: Enforcement

    @model_validator(mode="after")
    def _known_sectors(self) -> Neutral:
        check_sectors("chatter.topics", list(self.chatter.topics))
        check_sectors("news", list(self.news))
        return self
