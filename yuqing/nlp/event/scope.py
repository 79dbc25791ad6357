"""How wide a stop reaches: collectivity, timing, sweeping, licensed with unlicensed (blanket).

Decides ``Trigger.collective`` / ``Trigger.timing`` and ``Context.collective`` /
``Context.timing`` (a collectivity word — 整个 / 全县 / 所有 / 一律 … — or a timing word —
督察 / 检查期间 / 突然 … — in the trigger's window or the post), ``Trigger.sweeping`` (a stricter
word of either kind in the window: what lifts blanket in :func:`yuqing.nlp.combine.combine`) and
``Context.mixed_licence`` (licensed businesses stopped with the unlicensed: 有证的无证的一律关停).
Example: 督察期间全县所有砖厂一律停产 is collective, timing and sweeping.

A sweeping word after the trigger counts only inside the trigger's own clause (up to the next
comma or colon): in 责令加油站停工，所有代表参加了会议 the 所有 is the next clause's (issue 11,
blanket 2nd pass, :func:`sweeping`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Protocol

# A post whose stops no blanket reading lifts (no sweeping event, no raid, no licensed stopped
# with the rest: combine.combine) keeps this share of the model's blanket probability: the
# model's words alone are weaker evidence than a reading (realdev blanket P 0.90 -> 1.0, the
# authored dev split 0.920 -> 0.925; 0.8: 0.922, 0.5: 0.921 with recall lost; README row 21b).
UNSWEPT_FACTOR = 0.7
# Where a trigger's clause ends after it (text is matched after NFKC: ，：are ASCII).
_CLAUSE_END = re.compile(r"[,:]")

COLLECTIVE = re.compile(
    r"整个|全县|全区|全镇|全乡|全市|全省|所有|一律|全部|统一|集中|一个不留|挨家挨户|挨个|"
    r"全都|都被|都给|都停|都关|都拆|统统|一刀切|一锅端|大面积|大规模|成片|几十家|数十家|"
    r"十几家|十多家|多家|一批|一大片|整条街|整片|一起"
)
TIMING = re.compile(
    r"督察|巡视|检查期间|检查组|迎检|来检查|来之前|突然|一夜之间|先停|紧急|临时通知|"
    r"风头|躲过|上面来人|环保检查|暗访期间"
)
# Collectivity and timing that make a strong stop a blanket one, stricter than COLLECTIVE /
# TIMING (全部 of the seized goods, 一起 as in 查处一起…案, an inspection of one site do not):
# 一律, 全县, 所有, 统一, 一批, 几十家 / 24家 (a count of businesses), 突然, 督察期间 …
SWEEPING = re.compile(
    r"一刀切|一律|全县|全区|全镇|全乡|全市|全省|整条街|整片|成片|所有|统一|集中|一批(?!次)|"
    r"挨家挨户|一锅端|一个不留|大面积|大规模|几十家|数十家|十几家|十多家|多家|上百家|"
    r"\d{2,}家|[二三四五六七八九]?十[一二三四五六七八九几多余]?家|突然|一夜之间|督察期间|"
    r"检查期间|迎检|先停|农贸市场|菜市场|批发市场|商业街|小吃街|夜市"
)
MIXED = re.compile(
    r"有证[^。]{0,12}(?:无证|没证)|(?:无证|没证)[^。]{0,12}有证|合法[^。]{0,8}(?:非法|违法)|"
    r"不管[^。]{0,6}(?:有没有|合不合|是否)|(?:手续|证照)齐全的也|有手续的也|合法的也"
)


def sweeping(before: str, term: str, after: str) -> bool:
    """A sweeping word in the trigger's window: anywhere before it in its sentence window
    (全县所有砖厂，一律停产), in the term itself, or after it up to the end of its clause
    (关闭了…几十家采石场, not 停工，所有人员参加会议)."""
    end = _CLAUSE_END.search(after)
    return bool(SWEEPING.search(before + term + (after[: end.start()] if end else after)))


# A stop of the licensed together with the rest, read in one sentence (licensed_swept).
_STOP = re.compile(r"拆除|拆毁|强拆|关停|关闭|取缔|查封|封停|停产|停业|停工|清退|推平")
# the unlawful named in the same sentence (全面取缔非法…，拆除现有手续齐全的…)
_UNLAWFUL = re.compile(r"非法|违法|违规|无证|没证|无照|没有手续|无手续|手续不全|不合格")
# the licensed named together with the rest: 合法经营的也被关停, 证照齐全的一并取缔
_TOGETHER = re.compile(r"也|都|一并|一起|同样|连同|照样")
_STOP_SPAN = 12  # the stop verb and the lawfulness statement: at most this many characters apart
_SENTENCES = re.compile(r"[。!?;\n]+")
_BREAK = re.compile(r"[,:()]")


class Statements(Protocol):
    """What :func:`yuqing.nlp.permits.read_permits` returns: kind -> the phrases found."""

    @property
    def found(self) -> Mapping[str, list[str]]: ...


def licensed_swept(norm: str, read_permits: Callable[[str], Statements]) -> bool:
    """A sentence of ``norm`` tells a stop that took licensed businesses with the rest, read
    from a lawfulness statement (permits.read_permits: 手续齐全, 合法经营, 持证 …) and a stop verb
    at most _STOP_SPAN characters apart in one clause: either the verb, then the statement naming
    what it stops (拆除现有手续齐全的砂场) while the sentence names the unlawful too (全面取缔非法
    砂场…), or the statement, then a word of togetherness and the verb (合法经营的也被关停,
    证照齐全的企业一并取缔). The statements are read by ``read_permits``
    (:func:`yuqing.nlp.permits.read_permits`, passed in by the tagger: permits reaches the
    featurizer, which imports this module); one it rejects (没有办理…, 如果手续齐全) does not
    count."""
    for sentence in _SENTENCES.split(norm):
        if not _STOP.search(sentence):
            continue
        found = read_permits(sentence).found
        for phrase in {p for phrases in found.values() for p in phrases}:
            for m in re.finditer(re.escape(phrase), sentence):
                before = sentence[max(0, m.start() - _STOP_SPAN) : m.start()]
                after = sentence[m.end() : m.end() + _STOP_SPAN]
                before = _BREAK.split(before)[-1]
                after = _BREAK.split(after)[0]
                if _STOP.search(before) and after.startswith("的") and _UNLAWFUL.search(sentence):
                    return True
                stop = _STOP.search(after)
                if stop and _TOGETHER.search(after, 0, stop.start()):
                    return True
    return False
