"""Shutdowns reported without the writer's grievance, and what follows a stop.

- blanket_report: a collective stop in news, an official order, a disciplinary 通报, chatter
  (shutdown=1, blanket=1, complaint=0);
- single_report: one business shut for its own violation (shutdown=1, blanket=0, complaint=0);
- after_stop: unpaid wages or an owner asking about compensation (shutdown=1, complaint=1).
"""

from __future__ import annotations

from tools.corpus.common import (
    biz,
    clean,
    closer,
    date,
    licensed_phrase,
    named_biz,
    news_lead,
    noisy,
    sector_for_shutdown,
)
from tools.corpus.context import Ctx, Draft, labels
from tools.corpus.places import choose_district, mention

BLANKET_REPORT_KINDS = ["news"] * 3 + ["order"] + ["correction"] * 2 + ["chatter"] * 2
SINGLE_REPORT_KINDS = ["news", "news", "notice", "weibo", "forum"]


def blanket_report(c: Ctx) -> Draft:
    """A collective shutdown reported without the author's grievance."""
    sector = sector_for_shutdown(c)
    district = choose_district(c, 0.10)
    d = c.sector(sector)
    place = mention(c, district, sector)
    b = c.pick(d.businesses)
    n = c.num(6, 60)
    when = date(c)
    lic = 0
    kind = c.pick(BLANKET_REPORT_KINDS)
    f = c.f.reports.blanket_report
    site = sector == "construction"
    if kind == "news":
        style = "news"
        nw = f.news
        lead = news_lead(c)
        detail = c.pick(nw.details)
        lic = 1 if detail in nw.details_licensed else 0
        quote_slots = {"loss": c.pick(d.losses), "licensed": licensed_phrase(c, sector)}
        quote_tpl = c.pick(nw.quotes)
        if "{licensed}" in quote_tpl:
            lic = 1
        quote = quote_tpl.format(**quote_slots)
        depts = c.f.common.departments
        response_slots = {"dept": c.pick(depts), "dept2": c.pick(depts)}
        response = c.pick(nw.responses).format(**response_slots)
        lead = "" if lead.startswith("记者从") else lead
        text = nw.text.format(
            lead=lead,
            place=place,
            when=when,
            n=n,
            counter=nw.counter_sites if site else nw.counter_businesses,
            b=b,
            stop=c.pick(nw.stops_construction if site else nw.stops),
            detail=detail,
            quote=quote,
            response=response,
        )
        title = c.pick(nw.titles).format(place=place, n=n, b=b)
    elif kind == "order":
        style = "notice"
        od = f.order
        head = od.head.format(b=b, order=c.pick(od.orders))
        body = od.body.format(
            addressee=c.pick(od.addressees),
            inspection=c.pick(od.inspections),
            when=when,
            b=b,
            stop=c.pick(od.stops),
            ending=c.pick(od.endings),
            place=place,
            issuer=c.pick(od.issuers),
        )
        title, text = (head, body) if c.chance(0.5) else ("", head + "\n" + body)
    elif kind == "correction":
        style = c.pick(["notice", "news"])
        co = f.correction
        text = co.text.format(
            source=c.pick(co.sources),
            place=place,
            campaign=c.pick(co.campaigns),
            n=n,
            b=b,
            method=c.pick(co.methods),
            harm=c.pick(co.harms),
            remedy=c.pick(co.remedies),
            accountability=c.pick(co.accountability),
        )
        title = c.pick(co.titles).format(place=place)
    else:
        style = c.pick(["weibo", "forum"])
        ch = f.chatter
        slots = {
            "place": place,
            "b": b,
            "stopped": c.pick(ch.stopped),
            "question": c.pick(ch.questions),
            "which": c.pick(ch.which),
            "seen": c.pick(ch.seen),
            "hearsay": c.pick(ch.hearsay),
            "tag": c.pick(c.f.voices.weibo_tags) if style == "weibo" else "",
            "stop": ch.stop_construction if site else ch.stop,
            "why": c.pick(ch.why),
            "aftermath": c.pick(ch.aftermath),
        }
        text = c.pick(ch.texts).format(**slots)
        title = "" if style == "weibo" else c.pick(ch.titles).format(place=place, b=b)
    return Draft(style, title, clean(text), labels(1, 1, 0, sector, district, lic))


def single_report(c: Ctx) -> Draft:
    """One business shut for its own violation, reported neutrally."""
    sector = sector_for_shutdown(c)
    district = choose_district(c, 0.10)
    d = c.sector(sector)
    place = mention(c, district, sector)
    name = named_biz(c, sector) if c.chance(0.6) else f"一家{c.pick(d.businesses)}"
    vio = c.pick(d.violations)
    dept = c.pick(c.f.common.departments)
    f = c.f.reports.single_report
    act = c.pick(f.acts)
    kind = c.pick(SINGLE_REPORT_KINDS)
    if kind == "news":
        style = "news"
        nw = f.news
        lead = news_lead(c, dept)
        when = date(c, True)
        check = c.pick(nw.checks)
        tip = c.opt(0.4, c.pick(nw.tips))
        subject = c.pick(nw.subjects)
        finding = c.pick(nw.findings).format(law=d.law)
        fine = c.num(1, 30)
        penalty = c.pick(nw.penalties).format(fine=fine)
        coda = c.opt(0.5, c.pick(nw.codas))
        text = nw.text.format(
            lead=lead,
            dept=dept,
            when=when,
            place=place,
            name=name,
            check=check,
            tip=tip,
            subject=subject,
            vio=vio,
            finding=finding,
            act=act,
            penalty=penalty,
            coda=coda,
        )
        verdict = c.pick(nw.verdicts)
        title_slots = {"place": place, "noun": d.report_noun, "vio": vio, "dept": dept}
        title = c.pick(nw.titles).format(verdict=verdict, **title_slots)
    elif kind == "notice":
        style = "notice"
        no = f.notice
        doc = c.pick(no.docs)
        article = c.num(10, 120)
        ending = c.pick(no.endings)
        text = no.text.format(
            doc=doc,
            place=place,
            party=name.replace("一家", "某"),
            vio=vio,
            law=d.law,
            article=article,
            act=act,
            ending=ending,
            dept=dept,
            when=date(c, True),
        )
        title = ""
    elif kind == "weibo":
        style = "weibo"
        wb = f.weibo
        slots = {
            "cheer": c.pick(wb.cheers),
            "agency": c.pick(wb.agencies),
            "verb": c.pick(wb.verbs),
            "comment": c.pick(wb.comments),
        }
        text = c.pick(wb.texts).format(place=place, name=name, vio=vio, dept=dept, act=act, **slots)
        title = ""
    else:
        style = "forum"
        fo = f.forum
        slots = {
            "auth": c.pick(c.f.common.authorities),
            "verb": c.pick(fo.verbs),
            "remark": c.pick(fo.remarks),
            "opener": c.pick(c.f.voices.forum_openers),
            "hearsay": c.pick(fo.hearsay),
            "closer": c.pick(c.f.voices.forum_closers),
        }
        text = c.pick(fo.texts).format(place=place, name=name, vio=vio, **slots)
        title = c.pick(fo.titles).format(place=place, name=name)
    return Draft(style, title, clean(text), labels(1, 0, 0, sector, district, 0))


def after_stop(c: Ctx) -> Draft:
    """Workers unpaid after a shutdown, or an owner asking about compensation."""
    sector = sector_for_shutdown(c)
    district = choose_district(c, 0.10)
    d = c.sector(sector)
    place = mention(c, district, sector)
    b = biz(c, sector)
    lic = 0
    f = c.f.reports.after_stop
    acts = c.f.events.acts
    if c.chance(0.5):
        wg = f.wages
        body = wg.text.format(
            place=place,
            b=b,
            when=date(c),
            auth=c.pick(c.f.common.authorities),
            act=c.pick(acts),
            aftermath=c.pick(wg.aftermath),
            people=c.num(2, 40),
            months=c.num(2, 8),
            sum=c.num(1, 30),
            runaround=c.pick(wg.runaround),
            plea=c.pick(wg.pleas),
        )
    else:
        lic = 1 if c.chance(0.4) else 0
        cp = f.compensation
        opening = c.pick(cp.openings)
        auth = c.pick(c.f.common.authorities)
        act = c.pick(acts)
        licensed = licensed_phrase(c, sector) + "，" if lic else ""
        question = c.pick(cp.questions)
        loss = c.pick(d.losses)
        cost = c.pick(cp.costs).format(loss=loss)
        body = cp.text.format(
            opening=opening,
            place=place,
            b=b,
            auth=auth,
            act=act,
            licensed=licensed,
            question=question,
            cost=cost,
        )
    style = c.pick(["letter", "letter", "weibo", "forum"])
    v = c.f.voices
    if style == "letter":
        text = c.pick(v.letter_openers) + body + closer(c)
        title = c.pick(f.letter_titles)
    elif style == "weibo":
        text = c.opt(0.5, c.pick(v.weibo_tags)) + body
        title = ""
    else:
        text = c.pick(v.forum_openers) + body + c.pick(v.forum_closers)
        title = c.pick(f.forum_titles)
    return Draft(style, title, noisy(c, clean(text), 0.25), labels(1, 0, 1, sector, district, lic))
