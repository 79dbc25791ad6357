"""How wide a stop reaches: collectivity, timing, sweeping, licensed with unlicensed (blanket).

Decides ``Trigger.collective`` / ``Trigger.timing`` and ``Context.collective`` /
``Context.timing`` (a collectivity word — 整个 / 全县 / 所有 / 一律 … — or a timing word —
督察 / 检查期间 / 突然 … — in the trigger's window or the post), ``Trigger.sweeping`` (a stricter
word of either kind in the window: what lifts blanket in :func:`yuqing.nlp.tagger.combine`) and
``Context.mixed_licence`` (licensed businesses stopped with the unlicensed: 有证的无证的一律关停).
Example: 督察期间全县所有砖厂一律停产 is collective, timing and sweeping.
"""

from __future__ import annotations

import re

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
