"""Posts without a grievance and without an imposed stop (shutdown=0, complaint=0): planned
maintenance and closures by choice (maintenance.yaml); praise, adverts, chatter, neutral news and
enforcement that stops nothing (neutral.yaml)."""

from __future__ import annotations

from tools.corpus.common import BIZ_SECTORS, biz, clean, date, named_biz, news_lead, phone
from tools.corpus.context import Ctx, Draft, labels
from tools.corpus.places import choose_district, mention

MAINTENANCE_KINDS = ["power", "power", "water", "plant", "plant", "shop", "shop", "farm", "winter"]
NEUTRAL_KINDS = ["praise", "ad", "ad", "chatter", "chatter", "chatter", "news"]
NEUTRAL_KINDS += ["enforce", "enforce"]


def maintenance(c: Ctx) -> Draft:
    """Planned maintenance, power/water notices, voluntary closures."""
    f = c.f.maintenance
    district = choose_district(c, 0.15)
    kind = c.pick(MAINTENANCE_KINDS)
    title = ""
    if kind == "power":
        sector = "other"
        place = mention(c, district)
        style = c.pick(["notice", "notice", "weibo"])
        pw = f.power
        text = pw.text.format(
            kind=c.pick(pw.kinds),
            cause=c.pick(pw.causes),
            when=date(c, True),
            start=c.num(6, 9),
            end=c.num(14, 18),
            place=place,
            where=c.pick(pw.where),
            signature=c.pick(pw.signatures),
        )
    elif kind == "water":
        sector = "other"
        place = mention(c, district)
        style = "notice"
        wt = f.water
        cause = c.pick(wt.causes)
        text = wt.text.format(
            cause=cause, when=date(c, True), place=place, where=c.pick(wt.where), hours=c.num(4, 12)
        )
    elif kind == "plant":
        sector = c.pick(["industrial_park", "characteristic_industry", "industrial_park"])
        place = mention(c, district, sector)
        name = named_biz(c, sector)
        style = c.pick(["notice", "weibo", "news"])
        pl = f.plant
        text = pl.text.format(
            name=name,
            kind=c.pick(pl.kinds),
            when=date(c),
            work=c.pick(pl.works),
            days=c.num(5, 30),
            note=c.pick(pl.notes),
            site=c.opt(0.8, pl.site.format(place=place)),
        )
        if style == "news":
            text = pl.news.format(
                place=place,
                name=name,
                timing=c.pick(pl.news_timings),
                work=c.pick(pl.news_works),
                days=c.num(5, 30),
                outlook=c.pick(pl.news_outlooks),
            )
    elif kind == "shop":
        sector = c.pick(["life_services", "life_services", "urban_management"])
        place = mention(c, district, sector)
        b = biz(c, sector)
        style = c.pick(["weibo", "forum", "notice"])
        sh = f.shop
        notice = sh.notice.format(place=place, b=b, cause=c.pick(sh.causes), when=date(c, True))
        if style == "notice":
            text = notice
        else:
            slots = {
                "shop": c.pick(sh.shops),
                "verb": c.pick(sh.verbs),
                "why": c.pick(sh.whys),
                "gossip": c.pick(sh.gossip),
            }
            text = c.pick(sh.chatter).format(notice=notice, place=place, b=b, **slots)
    elif kind == "farm":
        sector = "aquaculture"
        place = mention(c, district, sector)
        style = c.pick(["forum", "weibo"])
        b = c.pick(c.sector(sector).businesses)
        fm = f.farm
        story, why, what = c.pick(fm.stories), c.pick(fm.whys), c.pick(fm.whats)
        contact = phone(c)  # drawn before the offer, which may not use it
        offer = c.pick(fm.offers).format(b=b, phone=contact)
        text = fm.text.format(story=story, why=why, what=what, place=place, offer=offer)
        title = c.pick(fm.titles)
    else:
        sector = "construction"
        place = mention(c, district, sector)
        style = c.pick(["news", "forum", "weibo"])
        wi = f.winter
        slots = {
            "site": c.pick(wi.site),
            "pause": c.pick(wi.pause),
            "next": c.pick(wi.next),
            "sites": c.pick(wi.sites),
            "dept": c.pick(c.f.common.departments),
        }
        text = c.pick(wi.texts).format(place=place, **slots)
    return Draft(style, title, clean(text), labels(0, 0, 0, sector, district))


def neutral(c: Ctx) -> Draft:
    """Praise, adverts, chatter, neutral news, enforcement without a stop."""
    f = c.f.neutral
    district = choose_district(c, 0.15)
    kind = c.pick(NEUTRAL_KINDS)
    if kind == "praise":
        sector = c.pick(BIZ_SECTORS)
        place = mention(c, district, sector) if district else ""
        tpl = c.pick(f.praise.texts)
        text = tpl.format(dept=c.pick(c.f.common.departments), b=biz(c, sector), p=place or "")
        style = c.pick(["weibo", "letter", "forum"])
        if style == "letter":
            text = c.pick(c.f.voices.letter_openers) + text + f.praise.letter_end
        title = c.pick(f.praise.titles) if style != "weibo" else ""
    elif kind == "ad":
        sector = c.pick(BIZ_SECTORS)
        place = mention(c, district, sector) if district else ""
        ad = f.adverts
        label = c.pick(ad.labels)
        advert = c.pick(c.sector(sector).adverts)
        text = ad.text.format(label=label, place=place, advert=advert, phone=phone(c))
        style = c.pick(["forum", "weibo"])
        title = c.pick(ad.titles) if style == "forum" else ""
    elif kind == "chatter":
        sector, items = c.dice.pick(list(f.chatter.topics.items()))
        place = mention(c, district, sector) if district else ""
        tpl = c.pick(items)
        if "{p}" not in tpl:
            district = None  # chatter about a landmark names its own place; keep the label honest
            for dn, dd in c.districts.items():
                if any(pl in tpl for pl in dd.places) or dn[:2] in tpl:
                    district = dn
        text = tpl.format(p=place or c.pick(f.chatter.places))
        style = c.pick(["weibo", "weibo", "forum"])
        title = "" if style == "weibo" else c.pick(f.chatter.titles)
    elif kind == "news":
        sector, tpl = c.dice.pick(list(f.news.items()))
        place = mention(c, district, sector) if district else ""
        lead = news_lead(c)
        text = lead + tpl.format(p=place or f.news_place, n=c.num(3, 60), m=c.num(2, 90))
        style = "news"
        title = ""
    else:
        sector = c.pick(BIZ_SECTORS)
        place = mention(c, district, sector) if district else ""
        d = c.sector(sector)
        name = named_biz(c, sector)
        style = c.pick(["news", "notice", "weibo"])
        en = f.enforcement
        if style == "news":
            lead = news_lead(c)
        else:
            lead = c.opt(0.5, en.weibo_tag if style == "weibo" else "")
        dept = c.pick(c.f.common.departments)
        vio = c.pick(d.violations)
        measure = c.pick(en.measures).format(n=c.num(2, 30))
        outcome = c.pick(en.outcomes)
        text = en.text.format(
            lead=lead, dept=dept, place=place, name=name, vio=vio, measure=measure, outcome=outcome
        )
        title = ""
    return Draft(style, title, clean(text), labels(0, 0, 0, sector, district))
