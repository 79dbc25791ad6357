"""Shared pieces: businesses, dates, sums, phones, openers, and light noise (typos)."""

from __future__ import annotations

import re

from tools.corpus.context import Ctx
from tools.corpus.schema_core import SECTORS

BIZ_SECTORS = [s for s in SECTORS if s != "other"]


def biz(c: Ctx, sector: str, named_p: float = 0.35) -> str:
    """A business of the sector: sometimes named (宏达化工), else a kind (化工厂)."""
    d = c.sector(sector)
    if c.chance(named_p):
        return c.pick(d.named).format(p=c.pick(c.f.common.name_prefixes))
    return c.pick(d.businesses)


def named_biz(c: Ctx, sector: str) -> str:
    return c.pick(c.sector(sector).named).format(p=c.pick(c.f.common.name_prefixes))


def sector_for_shutdown(c: Ctx) -> str:
    # 'other' rarely carries environmental shutdowns.
    return c.pick(BIZ_SECTORS) if c.chance(0.95) else "other"


def date(c: Ctx, formal: bool = False) -> str:
    dates = c.f.common.dates
    m = c.num(1, 12)
    d = c.num(1, 28)
    y = c.pick(dates.years)
    return c.pick(dates.formal if formal else dates.casual).format(m=m, d=d, y=y)


def phone(c: Ctx) -> str:
    prefix = c.pick(c.f.common.phone_prefixes)
    return prefix + str(c.num(0, 9)) + "****" + str(c.num(1000, 9999))


def money(c: Ctx) -> str:
    slots = {
        "tens": c.num(2, 9),
        "units": c.num(1, 9),
        "wan": c.num(11, 98),
        "hundreds": c.num(2, 9),
        "amount": c.num(3, 60),
    }
    return c.pick(c.f.common.money).format(**slots)


def workers(c: Ctx, sector: str) -> str:
    lo, hi = c.sector(sector).workers
    w = c.num(lo, hi)
    hc = c.f.common.headcount
    return hc.few.format(n=w) if w < 60 else hc.many.format(n=w // 10 * 10)


def licensed_phrase(c: Ctx, sector: str) -> str:
    if c.chance(0.45):
        return c.pick(c.sector(sector).licensed)
    return c.pick(c.f.common.licensed_generic)


def with_phone(c: Ctx, s: str) -> str:
    """Fill {ph} with a masked phone (a phone is drawn whether or not the line has one)."""
    return s.replace("{ph}", phone(c))


def closer(c: Ctx) -> str:
    return with_phone(c, c.pick(c.f.voices.letter_closers))


def news_lead(c: Ctx, dept: str | None = None) -> str:
    """A news opener; draws a department first unless one is given."""
    tpl = c.pick(c.f.voices.news_openers)
    d = c.pick(c.f.common.departments) if dept is None else dept
    return tpl.format(d=d, r=c.pick(c.f.voices.reporters))


def clean(text: str) -> str:
    text = re.sub(r"[，、]+$", "。", text.strip())
    text = re.sub(r"([，。！？、])[，。]+", r"\1", text)
    text = re.sub(r"，([！？])", r"\1", text)
    text = re.sub(r"^[，。]", "", text)
    text = text.replace("了了", "了")
    return text.strip()


def first_clause(s: str) -> str:
    return re.split(r"[，。！？]", s)[0]


def noisy(c: Ctx, text: str, rate: float) -> str:
    """Typos and colloquial variants citizens really produce, at the given rate."""
    if not c.chance(rate):
        return text
    for a, b in c.dice.sample(list(c.f.common.typos.items()), 4):
        if a in text and c.chance(0.6):
            text = text.replace(a, b, 1)
    return text
