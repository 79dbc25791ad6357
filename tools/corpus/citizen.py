"""Citizen posts (letters, Weibo posts, forum threads) around one core event.

They share one frame: only the core event (citizen_core.py) and whether the writer voices a
grievance decide the labels, never the style.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tools.corpus.citizen_core import CORE_LABELS, core_text, generic_of
from tools.corpus.common import (
    BIZ_SECTORS,
    biz,
    clean,
    closer,
    licensed_phrase,
    money,
    noisy,
    phone,
    sector_for_shutdown,
    workers,
)
from tools.corpus.context import Ctx, Draft, labels
from tools.corpus.places import choose_district, mention
from tools.corpus.schema_core import Sector

CITIZEN_STYLES = ["letter"] * 5 + ["weibo"] * 3 + ["forum"] * 3
STOP_KINDS = ("blanket", "single", "preemptive")
GRIPE_KINDS = ("blanket", "preemptive", "single", "fined", "feared")


@dataclass
class Scene:
    """One citizen post being composed."""

    c: Ctx
    kind: str
    complaint: int
    stopped: int
    sector: str
    d: Sector
    place: str
    lic: int
    resident: bool
    bname: str
    core: str
    licp: str
    intro: str
    backgrounds: list[str]
    gripe: list[str] = field(default_factory=list)
    ask: str = ""

    def background(self, i: int) -> str:
        c = self.c
        return self.backgrounds[i].format(
            b=self.bname,
            y=c.num(2005, 2020),
            money=money(c),
            w=workers(c, self.sector),
            equip=c.pick(self.d.equipment),
            yrs=c.num(3, 25),
        )


def citizen(c: Ctx, kind: str, complaint: int, lic_p: float = 0.0) -> Draft:
    """A citizen's letter / Weibo post / forum thread around one core event."""
    s, b = CORE_LABELS[kind]
    sector = sector_for_shutdown(c) if kind in STOP_KINDS else c.pick(BIZ_SECTORS)
    district = choose_district(c, 0.07)
    place = mention(c, district, sector)
    d = c.sector(sector)
    lic = 1 if (lic_p and c.chance(lic_p)) else 0
    resident = kind in ("demand", "not_enforced")
    bname = biz(c, sector)
    core = core_text(c, kind, sector, place, lic, bname)
    if bname not in core and generic_of(c, sector, bname) not in core:
        # every post names what it is about at least once
        nf = c.f.events.named_first
        core = (nf.resident if resident else nf.owner).format(place=place, b=bname) + core
    if kind == "by_choice" and complaint:
        core = core.rstrip("。") + "，" + c.pick(c.f.events.by_choice_grievances) + "？"
    licp = licensed_phrase(c, sector) if lic else ""
    style = c.pick(CITIZEN_STYLES)
    v = c.f.voice
    if resident:
        tpl = c.pick(v.resident_intros)
        intro = tpl.format(place=place, r=c.pick(c.f.voices.residents))
    else:
        tpl = c.pick(v.owner_intros)
        intro = tpl.format(place=place, b=bname, x=c.pick(c.f.voices.owner_surnames))
    bgs = c.dice.sample(c.f.common.backgrounds, 2)
    sc = Scene(
        c, kind, complaint, s, sector, d, place, lic, resident, bname, core, licp, intro, bgs
    )
    grievance(sc)
    if style == "letter" and resident and c.chance(0.25):
        parts, title = report_letter(sc)
    elif style == "letter":
        parts, title = letter(sc)
    elif style == "weibo":
        parts, title = weibo(sc)
    else:
        parts, title = forum(sc)
    text = clean("".join(parts))
    if lic and licp not in text:
        lic = 0
    return Draft(
        style,
        title,
        noisy(c, text, 0.25 if complaint else 0.1),
        labels(s, b, complaint, sector, district, lic),
    )


def grievance(sc: Scene) -> None:
    """What a complaining writer adds after the core event, and what they ask for."""
    c, v, kind = sc.c, sc.c.f.voice, sc.kind
    gripe = sc.gripe
    if not sc.complaint:
        sc.ask = c.pick(v.neutral_asks).rstrip("。？")
        return
    if kind in GRIPE_KINDS:
        if kind in ("blanket", "preemptive"):
            details = v.event_details + v.event_details_stopped + v.event_details_blanket
            gripe.append(c.opt(0.5, c.pick(details) + "。"))
        elif kind == "single":
            gripe.append(c.opt(0.5, c.pick(v.event_details + v.event_details_stopped) + "。"))
        elif kind == "fined":
            gripe.append(c.opt(0.5, c.pick(v.event_details) + "。"))
        if sc.stopped:
            losses = sc.d.losses
            slots = {
                "any_loss": c.pick(losses + c.f.common.losses),
                "loss": c.pick(losses),
                "generic_loss": c.pick(c.f.common.losses),
                "distress": c.pick(v.distress),
            }
            gripe.append(c.pick(v.stopped_losses).format(**slots))
        else:
            gripe.append(c.pick(v.worries) + "。")
        prior = v.prior_attempts + (v.prior_attempts_stopped if sc.stopped else [])
        gripe.append(c.opt(0.3, c.pick(prior) + "。"))
        if kind in ("blanket", "feared", "preemptive"):
            gripe.append(c.opt(0.4, c.pick(v.ban_references) + "？"))
        if kind == "preemptive":
            gripe.append(c.opt(0.4, c.pick(v.preemptive_protests)))
        if kind == "blanket":
            gripe.append(c.opt(0.3, c.pick(v.blanket_protests)))
        if kind == "fined":
            gripe.append(c.opt(0.5, c.pick(v.fined_protests)))
        stopped_only = set(v.asks_only_if_stopped)
        asks = v.asks if sc.stopped else [a for a in v.asks if a not in stopped_only]
        sc.ask = c.pick(asks)
    elif kind == "not_enforced":
        gripe.append(c.opt(0.4, c.pick(v.not_enforced_openers)))
        sc.ask = c.pick(v.not_enforced_asks)
    else:
        stopped_only = set(v.asks_only_if_stopped)
        sc.ask = c.pick([a for a in v.asks if a not in stopped_only] + v.asks_more)


def report_letter(sc: Scene) -> tuple[list[str], str]:
    """A resident's 举报 letter."""
    c, lt = sc.c, sc.c.f.voice.letter
    header = lt.report_header.format(
        surname=c.pick(c.f.voices.informant_surnames),
        contact=c.pick(lt.contacts),
        phone=phone(c),
        place=sc.place,
        b=sc.bname,
    )
    parts = [header, sc.core, *sc.gripe, sc.ask + "。"]
    return parts, c.pick(lt.report_titles).format(place=sc.place, b=sc.bname)


def letter(sc: Scene) -> tuple[list[str], str]:
    c, lt = sc.c, sc.c.f.voice.letter
    parts = [c.pick(c.f.voices.letter_openers), sc.intro]
    if not sc.resident:
        parts.append(sc.background(0) + "，" if c.chance(0.7) else "")
        parts.append(f"{sc.licp}。" if sc.lic else c.opt(0.3, sc.background(1) + "。"))
    parts.append(sc.core)
    extras = lt.extras_resident if sc.resident else lt.extras_owner
    if c.chance(0.3):  # a long, detailed letter
        parts += [e.format(b=sc.bname) for e in c.dice.sample(extras, 3)]
        if sc.complaint:
            prior = c.f.voice.prior_attempts
            sc.gripe.insert(0, "，".join(c.dice.sample(prior, 2)) + "。")
    elif c.chance(0.6):
        parts += [e.format(b=sc.bname) for e in c.dice.sample(extras, c.dice.choice([1, 2]))]
    parts += sc.gripe
    parts.append(sc.ask + ("。" if sc.ask else ""))
    parts.append(closer(c) if sc.complaint else c.pick(lt.neutral_closers))
    return parts, c.pick(letter_titles(sc)).format(place=sc.place, b=sc.bname)


def letter_titles(sc: Scene) -> list[str]:
    t, kind, complaint = sc.c.f.voice.letter.titles, sc.kind, sc.complaint
    if kind in ("blanket", "preemptive"):
        return t.blanket_complaint if complaint else t.blanket
    if kind == "single":
        return t.single_complaint if complaint else t.single
    if kind == "feared":
        return t.feared
    if kind == "fined":
        return t.fined_complaint if complaint else t.fined
    if kind == "by_choice":
        return t.by_choice
    if kind == "demand":
        return t.demand
    return t.not_enforced


def weibo(sc: Scene) -> tuple[list[str], str]:
    c, w = sc.c, sc.c.f.voice.weibo
    tag = c.opt(0.6, c.pick(c.f.voices.weibo_tags))
    where = ""
    if sc.place not in sc.core:
        where = c.opt(0.75, c.pick(w.place_prefixes) + sc.place + "，")
    if sc.lic and sc.stopped:
        lic = w.licensed_stopped.format(licensed=sc.licp)
    else:
        lic = w.licensed.format(licensed=sc.licp) if sc.lic else ""
    lic = c.opt(0.5, lic)
    if sc.complaint and sc.kind in GRIPE_KINDS:
        slots = {
            "loss": c.pick(sc.d.losses) if sc.stopped else c.pick(c.f.voice.worries),
            "dialect": c.pick(c.f.voices.dialect_endings),
            "protest": w.protest_blanket if sc.kind in ("blanket", "feared") else w.protest,
        }
        ending = c.pick(w.complaint_endings).format(**slots)
    else:
        ending = sc.ask + "。" if sc.complaint else c.pick(w.neutral_endings)
    call = c.opt(0.3, c.pick(w.calls)) if sc.complaint else ""
    return [tag, where, sc.core.rstrip("。") + "，", lic, ending, call], ""


def forum(sc: Scene) -> tuple[list[str], str]:
    c, fo = sc.c, sc.c.f.voice.forum
    opener = c.pick(c.f.voices.forum_openers)
    intro = c.pick(fo.place_intros).format(place=sc.place, intro=sc.intro)
    parts = [opener, intro, sc.core]
    if not sc.resident and c.chance(0.5):
        parts.append(fo.licensed.format(licensed=sc.licp) if sc.lic else sc.background(0) + "，")
    parts += sc.gripe
    if sc.complaint:
        parts.append((sc.ask or c.pick(c.f.voices.dialect_endings)) + "。")
    else:
        parts.append(sc.ask + "。" if sc.ask else c.pick(fo.neutral_endings))
    parts.append(c.pick(c.f.voices.forum_closers) if sc.complaint else "")
    if sc.complaint:
        parts.append(c.opt(0.3, c.pick(c.f.voices.forum_replies)))
    else:
        parts.append(c.opt(0.2, fo.neutral_reply))
    return parts, c.pick(forum_titles(sc)).format(place=sc.place, b=sc.bname)


def forum_titles(sc: Scene) -> list[str]:
    t, kind = sc.c.f.voice.forum.titles, sc.kind
    if kind in ("blanket", "preemptive"):
        return t.blanket
    if kind == "single":
        return t.single
    if kind == "demand":
        return t.demand
    if kind == "not_enforced":
        return t.not_enforced
    return t.other
