"""Hard negatives that citizens write: 一刀切 outside business (other_blanket.yaml), stalled
building sites (stalled.yaml) and ordinary grievances (ordinary.yaml). shutdown=0."""

from __future__ import annotations

from tools.corpus.common import clean, closer, first_clause, news_lead, noisy, phone
from tools.corpus.context import Ctx, Draft, labels
from tools.corpus.places import choose_district, mention

CITIZEN_STYLES = ["letter"] * 5 + ["weibo"] * 3 + ["forum"] * 3


def other_blanket(c: Ctx) -> Draft:
    """一刀切 about schools, housing, traffic, the epidemic, prices... shutdown=0."""
    f, v = c.f.other_blanket, c.f.voices
    topics = list(f.topics.items())
    topic, items = c.dice.pick(topics)
    item = c.pick(items)
    district = choose_district(c, 0.3)
    place = mention(c, district) if district else ""
    complaint = 1 if c.chance(0.75) else 0
    if complaint:
        style = c.pick(["letter", "weibo", "weibo", "forum", "news"])
    else:
        style = c.pick(["news", "weibo", "forum", "notice"])
    if complaint and style != "news":
        end = c.pick(c.f.ordinary.asks + v.dialect_endings + f.complaint_endings_more)
        if style == "letter":
            opener = c.pick(v.letter_openers)
            framing = c.pick(f.letter.framings)
            text = f.letter.text.format(
                opener=opener, place=place, item=item, framing=framing, end=end
            )
            title = c.pick(f.letter.titles).format(topic=topic)
        elif style == "weibo":
            tag = c.opt(0.6, c.pick(v.weibo_tags))
            text = f.weibo.format(tag=tag, place=place, item=item, end=end)
            title = ""
        else:
            opener = c.pick(v.forum_openers)
            text = f.forum.text.format(
                opener=opener, place=place, item=item, end=end, closer=c.pick(v.forum_closers)
            )
            title = c.pick(f.forum.titles).format(topic=topic)
    elif style == "news":
        complaint = 0
        lead = news_lead(c)
        text = f.news.text.format(lead=lead, place=place, item=item, reply=c.pick(f.news.replies))
        title = f.news.title.format(topic=topic)
    elif style == "notice":
        answer = c.pick(f.notice.answers)
        text = f.notice.text.format(topic=topic, gist=first_clause(item), answer=answer)
        title = ""
    else:
        tag = c.opt(0.5, c.pick(v.weibo_tags))
        slots = {"item": item, "topic": topic, "gist": first_clause(item), "place": place}
        text = tag + c.pick(f.chatter.texts).format(**slots)
        title = "" if style == "weibo" else c.pick(f.chatter.forum_titles)
    return Draft(
        style, title, noisy(c, clean(text), 0.2), labels(0, 0, complaint, "other", district)
    )


def stalled_site(c: Ctx) -> Draft:
    """A building site stalled by itself (烂尾, 开发商停工). shutdown=0, sector construction."""
    f, v = c.f.stalled, c.f.voices
    district = choose_district(c, 0.10)
    place = mention(c, district, "construction")
    project = c.pick(f.projects).format(p=c.pick(c.f.common.name_prefixes))
    story = c.pick(f.stories)
    complaint = 1 if c.chance(0.8) else 0
    if complaint:
        style = c.pick(["letter", "letter", "weibo", "forum"])
        ask = c.pick(f.asks)
        if style == "letter":
            opener = c.pick(v.letter_openers)
            waiting = c.opt(0.6, c.pick(f.letter.waiting))
            text = f.letter.text.format(
                opener=opener,
                place=place,
                project=project,
                story=story,
                waiting=waiting,
                ask=ask,
                closer=closer(c),
            )
            title = c.pick(f.letter.titles).format(project=project)
        elif style == "weibo":
            tag = c.opt(0.5, c.pick(v.weibo_tags))
            text = f.weibo.format(tag=tag, place=place, project=project, story=story, ask=ask)
            title = ""
        else:
            opener = c.pick(v.forum_openers)
            text = f.forum.text.format(
                opener=opener,
                place=place,
                project=project,
                story=story,
                ask=ask,
                closer=c.pick(v.forum_closers),
            )
            title = c.pick(f.forum.titles).format(project=project)
    else:
        style = "news"
        lead = news_lead(c)
        detail = c.pick(f.news.details)
        dept = c.pick(c.f.common.departments)
        text = f.news.text.format(lead=lead, place=place, project=project, detail=detail, dept=dept)
        title = f.news.title.format(project=project)
    draft_labels = labels(0, 0, complaint, "construction", district)
    return Draft(style, title, noisy(c, clean(text), 0.2), draft_labels)


def ordinary_complaint(c: Ctx) -> Draft:
    """An ordinary grievance with no shutdown involved. shutdown=0, complaint=1."""
    f, v = c.f.ordinary, c.f.voices
    sector, items = c.dice.pick(list(f.topics.items()))
    item = c.pick(items)
    district = choose_district(c, 0.12)
    place = mention(c, district, sector)
    ask = c.pick(f.asks)
    style = c.pick(CITIZEN_STYLES)
    gist = first_clause(item)
    if style == "letter":
        lt = f.letter
        if c.chance(0.2):
            text = lt.report.format(
                surname=c.pick(v.informant_surnames),
                phone=phone(c),
                place=place,
                gist=gist,
                item=item,
                history=c.pick(f.history),
                anger=c.pick(f.anger),
                ask=ask,
            )
        else:
            opener = c.pick(v.letter_openers)
            resident = c.pick(v.residents)
            intro = c.pick(lt.intros).format(place=place, resident=resident)
            text = lt.text.format(
                opener=opener,
                intro=intro,
                item=item,
                history=c.opt(0.6, c.pick(f.history) + "，"),
                hardship=c.opt(0.4, c.pick(lt.hardships)),
                anger=c.pick(f.anger),
                ask=ask,
                closer=closer(c),
            )
        title = c.pick(lt.titles).format(place=place, gist=gist)
    elif style == "weibo":
        tag = c.opt(0.5, c.pick(v.weibo_tags))
        end = c.pick([ask, c.pick(v.dialect_endings), c.pick(f.anger)])
        text = f.weibo.format(tag=tag, place=place, item=item, end=end, bang=c.opt(0.2, "！"))
        title = ""
    else:
        opener = c.pick(v.forum_openers)
        history = c.opt(0.4, c.pick(f.history) + "，")
        end = c.pick([ask, c.pick(v.dialect_endings)])
        text = f.forum.text.format(
            opener=opener,
            place=place,
            item=item,
            history=history,
            end=end,
            closer=c.pick(v.forum_closers),
        )
        title = c.pick(f.forum.titles).format(place=place)
    return Draft(style, title, noisy(c, clean(text), 0.3), labels(0, 0, 1, sector, district))
