"""A sudden raid on a business: the timing of a blanket stop told without a trigger word.

Real petitions tell a blanket demolition or closure as a raid: the authority came at night or
without warning (突击 / 突然袭击 / 连夜 / 一夜之间 / 深夜) and pulled down, razed or sealed a
business's premises (拆毁 / 夷为平地 / 推平 / 查封 …), often in words that are no shutdown cue
(秘密突击野蛮拆毁, 连夜将厂房推平). The guide counts a sudden stop as blanket (labels.md:
"collective, indiscriminate, sudden or pre-emptive"). :func:`raided` finds a sentence in which
a raid word and a demolition or closure verb stand within RAID_SPAN characters of each other and
the nearest thing named around the verb is a business (objects.read_object: 养猪场 and 厂房,
not 老屋 or 我家); a closure verb counts only with an authority named in the sentence (老板突然
关闭了饭店 is the owner's stop), and a private doer's raid (公司深夜强拆) is none. A surprise
inspection (突击检查) is no raid. Not a model feature: it lifts
blanket in :func:`yuqing.nlp.combine.combine` (issue 11, blanket 2nd pass); blanket is only set
with shutdown, so a raid on a business the post does not read as stopped stays 0.
Example: 拆迁办连夜突击拆毁了厂房 is a raid; 城管凌晨突击检查烧烤店 and 半夜强拆了我家老屋 are not.
"""

from __future__ import annotations

import re

from yuqing.nlp.event import doer, objects

RAID = re.compile(r"突击(?!检查|检测|抽查|查)|突然袭击|突然|连夜|一夜之间|深夜|半夜|趁夜")
RAZE = re.compile(
    r"拆毁|拆除|强拆|强行拆|夷为平地|推平|铲平|推倒|砸毁|捣毁|查封|封停|关停|取缔|停产|停业|断水|断电"
)
# a forcible demolition tells the raid by itself; a closure (停产, 关停 …) only with an authority
# named in the sentence (老板突然关闭了饭店 is the owner's own stop)
_FORCIBLE = re.compile(r"拆毁|强拆|强行拆|夷为平地|推平|铲平|推倒|砸毁|捣毁")
RAID_SPAN = 16  # the raid word and the verb: at most this many characters apart
_SENTENCE = re.compile(r"[。!?;\n]")
_WINDOW = 24  # around the verb, where the thing razed is looked for


def raided(norm: str) -> bool:
    """A sentence of ``norm`` tells a sudden raid that razes or closes a business."""
    for m in RAID.finditer(norm):
        s0 = max((norm.rfind(c, 0, m.start()) for c in "。!?;\n"), default=-1) + 1
        end = _SENTENCE.search(norm, m.end())
        s1 = end.start() if end else len(norm)
        lo, hi = max(s0, m.start() - RAID_SPAN), min(s1, m.end() + RAID_SPAN)
        for v in RAZE.finditer(norm, lo, hi):
            if not _FORCIBLE.match(v.group()) and not doer.AUTHORITY.search(norm, s0, s1):
                continue
            if doer.private_doer(norm[max(s0, v.start() - doer.AGENT_BEFORE) : v.start()]):
                continue  # a company's or a gang's raid (公司深夜强拆厂房): no authority's stop
            w0, w1 = max(s0, v.start() - _WINDOW), min(s1, v.end() + _WINDOW)
            if objects.read_object(norm[w0:w1], v.start() - w0) == "business":
                return True
    return False
