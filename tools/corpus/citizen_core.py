"""The core event of a citizen's post: what happened to the business (or what residents want).

The core alone decides shutdown and blanket (CORE_LABELS); the frame around it is citizen.py.
"""

from __future__ import annotations

from tools.corpus.common import date
from tools.corpus.context import Ctx
from tools.corpus.places import area_of

CORE_LABELS = {  # kind -> (shutdown, blanket)
    "blanket": (1, 1),
    "preemptive": (1, 1),
    "single": (1, 0),
    "feared": (0, 0),
    "fined": (0, 0),
    "by_choice": (0, 0),
    "demand": (0, 0),
    "not_enforced": (0, 0),
}
# Sectors with sheds, kilns, stalls or farms: they can be pulled down.
DEMOLISHABLE = frozenset(
    {"aquaculture", "quarrying_mining", "urban_management", "scattered_pollution", "life_services"}
)
# Building sites 停工; everyone else 停产/停业 (fit() drops the phrasings that do not fit).
NOT_FOR_SITES = ("停产", "停业", "营业", "大棚", "生产", "车间")


def fit(sector: str, items: list[str]) -> list[str]:
    """Construction sites 停工; everyone else 停产/停业. Sheds and farms can be pulled down."""
    if sector == "construction":
        out = [i for i in items if not any(w in i for w in NOT_FOR_SITES)]
    else:
        out = [i for i in items if "工" not in i or "工人" in i]
        if sector not in ("aquaculture", "urban_management"):
            out = [i for i in out if "大棚" not in i]
    return out or items


def generic_of(c: Ctx, sector: str, b: str) -> str:
    """The kind of business a (possibly named) business is, for sentences about all of its kind."""
    d = c.sector(sector)
    for g in sorted(set(d.businesses + d.blanket_nouns), key=len, reverse=True):
        if b.endswith(g):
            return g
    for g in d.blanket_nouns:
        if g[-1] == b[-1]:
            return g
    return c.pick(d.blanket_nouns)


def core_text(c: Ctx, kind: str, sector: str, place: str, lic: int, b: str) -> str:
    d = c.sector(sector)
    ev = c.f.events
    cores = ev.cores
    bg = generic_of(c, sector, b)
    unlicensed = set(ev.reasons_unlicensed)
    reasons = [r for r in d.violations + ev.reasons if not (lic and r in unlicensed)]
    kw = {
        "when": date(c),
        "auth": c.pick(c.f.common.authorities),
        "b": b,
        "area": area_of(c, place, sector),
        "n": c.num(3, 60),
        "reason": c.pick(reasons),
        "act": c.pick(fit(sector, ev.acts)),
        "act2": c.pick(fit(sector, ev.acts_then)),
        "act3": c.pick(fit(sector, ev.acts_done)),
        "soon": c.pick(ev.soon),
        "x": c.pick(ev.feared_outcomes),
        "fine": c.pick(ev.fines),
        "equip": c.pick(d.equipment),
        "why": c.pick(ev.by_choice_reasons),
    }
    demolish = sector in DEMOLISHABLE
    if kind == "blanket":
        pool = cores.blanket + (cores.blanket_demolish if demolish else [])
        if c.chance(0.25):
            pool = cores.blanket_subtle
        kw["b"] = bg
        return c.pick(pool).format(**kw)
    if kind == "single":
        pool = fit(sector, cores.single) + (cores.single_demolish if demolish else [])
        if c.chance(0.15):
            pool = fit(sector, cores.single_all)
        elif c.chance(0.2):
            pool = fit(sector, cores.single_context)
        return c.pick(pool).format(**kw)
    if kind == "preemptive":
        return c.pick(fit(sector, cores.preemptive)).format(**kw)
    if kind == "feared":
        kw["b"] = bg
        return c.pick(cores.feared).format(**kw) + "。"
    if kind == "fined":
        return c.pick(cores.fined).format(**kw)
    if kind == "by_choice":
        return c.pick(cores.by_choice).format(**kw) + "。"
    if kind == "demand":
        dm = ev.demand
        unlicensed_line = c.opt(0.3, c.pick(c.f.common.unlicensed) + "，")
        return dm.text.format(
            where=c.pick(dm.where),
            b=b,
            unlicensed=unlicensed_line,
            pollution=c.pick(d.pollution),
            since=c.pick(dm.since),
            harm=c.pick(dm.harm),
            excuse=c.opt(0.25, c.pick(dm.excuses)),
            demand=c.pick(dm.demands),
        )
    if kind == "not_enforced":
        ne = ev.not_enforced
        return ne.text.format(b=b, pollution=c.pick(d.pollution), story=c.pick(ne.stories))
    raise ValueError(kind)
