"""News that uses shutdown words without reporting an imposed stop (shutdown=0, complaint=0):
the city's own ban on 一刀切 (policy.yaml), and news_negative.yaml (demands, stops not enforced,
rumours denied, hotline figures, rectification plans)."""

from __future__ import annotations

from tools.corpus.common import BIZ_SECTORS, clean, named_biz, news_lead
from tools.corpus.context import Ctx, Draft, labels
from tools.corpus.places import choose_district, mention

BAN_STYLES = ["news"] * 4 + ["notice"] * 3 + ["weibo"] * 2 + ["forum"]
NEGATIVE_KINDS = ["demand", "unenforced", "rumour", "hotline", "plan"]


def ban_news(c: Ctx) -> Draft:
    """The city's (or a district's) ban on blanket shutdowns."""
    f = c.f.policy
    district = choose_district(c, 0.25)
    # Policy is issued by a district or the city, not by a village: name the unit itself.
    if district:
        alias = c.pick(c.districts[district].aliases or [district])
        place = c.pick([district, district, alias])
    else:
        place = c.pick(f.issuers_city)
    sector = c.pick(list(f.sector_subjects) + ["other"] * 6)
    default_subject = c.pick(f.subjects)
    b = f.sector_subjects.get(sector, default_subject)
    dept = c.pick(c.f.common.departments)
    statement = c.dice.pick(f.statements)
    fixed = statement.sector
    if fixed:
        sector, b = fixed, f.sector_subjects.get(fixed, b)
    s1 = statement.text.format(p=place, b=b, dept=dept)
    if sector != "other" and b not in s1 and not fixed:
        s1 += f.sector_rule.format(b=b, rule=c.pick(f.sector_rules))
    extra = c.pick(f.extras)
    style = c.pick(BAN_STYLES)
    if style == "notice" and s1.startswith("记者从"):
        s1 = s1.split("获悉，", 1)[1]
    if district and place not in s1:
        s1 = c.pick(f.local_leads).format(place=place) + s1
    if style == "news":
        text = news_lead(c, dept) + s1 + extra
        title = c.pick(f.news_titles).format(place=place)
    elif style == "notice":
        head = c.pick(f.notice_heads)
        body = f.notice_body.format(
            addressee=c.pick(f.notice_addressees),
            statement=s1,
            extra=extra,
            ending=c.pick(f.notice_endings),
        )
        title, text = (head, body) if c.chance(0.5) else ("", head + "\n" + body)
    elif style == "weibo":
        text = c.pick(c.f.voices.weibo_tags) + c.pick(f.weibo_heads) + s1[:120]
        text += c.opt(0.4, c.pick(f.weibo_cheers))
        title = ""
    else:
        text = c.pick(f.forum_leads) + s1 + c.pick(f.forum_endings)
        title = c.pick(f.forum_titles)
    return Draft(style, title, clean(text), labels(0, 0, 0, sector, district, 0))


def news_negative(c: Ctx) -> Draft:
    """News that uses shutdown vocabulary without reporting an imposed stop."""
    f = c.f.news_negative
    sector = c.pick(BIZ_SECTORS)
    district = choose_district(c, 0.15)
    place = mention(c, district, sector) if district else f.place_city
    d = c.sector(sector)
    name = named_biz(c, sector)
    lead = news_lead(c)
    kind = c.pick(NEGATIVE_KINDS)
    depts = c.f.common.departments
    k = f.kinds
    if kind == "demand":
        dm = k.demand
        text = dm.text.format(
            lead=lead,
            place=place,
            name=name,
            pollution=c.pick(d.pollution),
            demand=c.pick(dm.demands),
            dept=c.pick(depts),
            response=c.pick(dm.responses),
            ending=c.pick(dm.endings),
        )
        title = c.pick(dm.titles).format(name=name)
    elif kind == "unenforced":
        un = k.unenforced
        text = un.text.format(
            lead=lead,
            place=place,
            name=name,
            still=c.pick(un.still),
            dept=c.pick(depts),
            action=c.pick(un.actions),
        )
        title = c.pick(un.titles).format(name=name)
    elif kind == "rumour":
        ru = k.rumour
        text = ru.text.format(
            label=c.pick(ru.labels),
            place=place,
            b=c.pick(d.blanket_nouns),
            rumour=c.pick(ru.rumours),
            dept=c.pick(depts),
            ending=c.pick(ru.endings),
        )
        title = c.pick(ru.titles)
    elif kind == "hotline":
        ho = k.hotline
        text = ho.text.format(
            lead=lead,
            place=place,
            channel=c.pick(ho.channels),
            b=d.businesses[0],
            n=c.num(12, 300),
            finding=c.pick(ho.findings),
        )
        title = ""
    else:
        pl = k.plan
        text = pl.text.format(
            lead=lead,
            place=place,
            field=c.pick(pl.fields),
            when=c.pick(pl.when),
            goal=c.pick(pl.goals),
            kept=c.pick(pl.kept),
            removed=c.pick(pl.removed),
            ending=c.pick(pl.endings),
        )
        title = ""
    style = "news" if c.chance(0.8) else "weibo"
    return Draft(style, title, clean(text), labels(0, 0, 0, sector, district, 0))
