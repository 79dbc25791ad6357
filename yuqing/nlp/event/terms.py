"""Which cue terms are triggers, and which can be a strong event by themselves.

Decides which cues :func:`yuqing.nlp.context.read_context` reads (every shutdown cue, and a
demanded cue that names a stop: 请关停 / 要求拆除), and, for
:attr:`yuqing.nlp.context.Trigger.strong` / ``stop_event``, the terms that are never a strong
event alone (seizures of things, moves, plain 停了 / 关门) and the formal terms that are one with
no object named. Example: 查封 with no object is strong when imposed by an authority; 停了 is not.
"""

from __future__ import annotations

import re

STOP = re.compile(r"关|停|取缔|拆|封|清退|搬")  # a demanded-cue that names a stop
# Triggers that are never a strong event by themselves: seizures of things, moves, and plain
# words that stop many things besides businesses (燃气停了, 站点撤了, 推了他一把).
WEAK = frozenset(
    (
        *("没收", "扣押", "暂扣", "清理", "清场", "搬迁", "搬走", "限期搬迁", "腾退"),
        *("推了", "撤了", "停了", "关门", "禁养区", "禁牧", "拉闸", "电闸"),
    )
)
# With no object named, only the formal terms of a stop count (关停, 取缔, 查封, 责令停止 …).
FORMAL = re.compile(r"关停|停产|停业|停工|取缔|查封|封停|责令|叫停|勒令|吊销|关闭|被关|被封")
