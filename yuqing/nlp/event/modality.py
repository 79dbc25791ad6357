"""How a trigger's stop is told (a reading of the shutdown context).

Decides ``Trigger.modality`` from the characters around the trigger: ``imposed`` (责令 / 被 /
强制 … or a past 了), ``neutral`` (no marker), ``demanded`` (请求 / 要求 / 希望 … by the writer),
``feared`` (听说 / 扬言 / 如果 …), ``not_enforced`` (仍在 / 照常 / 一直没 … after it), ``own``
(自行 / 经营不善 / 转让 …), ``negated`` (没有 / 未 right before it) or ``legal`` (a law's or
rule's text: 《…》, 第…条, 有权 …); then across the triggers of a post, a neutral trigger joined
to a demanded or feared one, or repeating a demanded term, takes that modality. Only
``imposed`` and ``neutral`` can tell an event (EVENT_MODALITIES). Example: 环保局责令砖厂停产 is
imposed, 恳请有关部门依法取缔这个黑作坊 demanded, 听说要把饭店全关了 feared.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

from yuqing.nlp.event.doer import AUTHORITY

EVENT_MODALITIES = frozenset({"imposed", "neutral"})
_LEGAL = re.compile(
    r"《[^》]{0,24}(?:法|条例|规定|办法|细则|规则|解释|意见|决定)(?:》|$)|第[一二三四五六七八九十百零\d]+条|规定|条例|法律|法规|有权|可以|可处|依照|"
    r"办法|职责|职权|权力|措施包括|处罚种类|情节严重|报经|有批准权|以上人民政府"
)
# a list of sanctions (责令限期改正、责令停止办学): a rule's or a power's wording
_SANCTIONS = re.compile(r"(?:改正|整改|警告|罚款|处罚|没收[^、，,。]{0,6})、$")
_CONDITIONAL = re.compile(r"的[，,]|或者|、(?:扣押|冻结|没收|查封)")  # a rule's wording
# a rule's "whoever …, the bureau shall …" clause: 擅自…的，由…部门责令停止 / 予以取缔
_RULE_CLAUSE = re.compile(
    r"的[，,][^。；;]{0,24}由[^。，,；;]{0,20}$|代为$|"
    r"由[^。；;，,]{0,12}(?:部门|机关|政府)[^。；;]{0,12}(?:给予|予以|处以|责令)[^。；;，,]{0,6}$"
)
_QUOTED = re.compile(r"[《“][^》”]{0,20}$")  # inside a title or a quotation
_DECIDED = re.compile(r"决定|当场|已经|已|现对|予以|对其|被")
# An authority's decision told as made right before a stop worded like a demand (本机关决定依法
# 予以查封, 执法人员当场依法取缔): the stop is imposed, not asked for.
_DECISION = re.compile(r"(?:决定|当场|现场|已经|已|现已|随即)[^，,。；;！!？?]{0,6}$|被$")
# An urged stop with no marker and no authority before it is the writer's demand (排污超标，必须
# 整改，马上停产); 执法局要求其立即停产 names the authority and stays as it is.
_URGED = re.compile(r"(?:即刻|立即|立刻|马上|尽快|尽早|从速)$")
# A stop of a few days told with nobody imposing it is the business's own pause (停业了几天,
# 关了两天门): 被责令停业三天 names the order and stays imposed.
_PAUSE = re.compile(r"了?(?:几|两|二|三|一|数|半)(?:天|日|晚)")
# A stop in the passive inside a request is told, not asked for (请求领导关注企业被集中限产问题).
_TOLD_PASSIVE = re.compile(r"被[^，,。；;！!？?]{0,8}$")
# Who requires: a 要求 in the passive (被统一要求) or told as another's word (说…要求, 通知要求,
# 口头要求) is an order received, not the writer's demand.
_REQUIRED_OF = re.compile(r"被[^，,。；;]{0,3}$|说[^，,。；;]{0,8}$|通知|口头|下令|文件")
_DEMANDED = re.compile(
    r"(?:请求|恳请|请|要求|希望|建议|呼吁|盼望?|应当|应该|应予|理应|应|必须|予以|督促|"
    r"强烈|尽快|早日|坚决|务必|能否|能不能|为何不|为什么不|为啥不|何时|什么时候|"
    r"由谁|谁来|该由|应由|还是由|可否|亟待|亟需|急需|有待|切实|加强|加大|严厉|从严|一定要|"
    r"望(?:有关|相关|政府|领导|上级|贵|各级))"
    r"[^，,。]{0,10}$"
)
# a request addressed to an authority, the stop further on in the same sentence: 请求上级部门给与
# 严肃查处和取缔 / 申请有关部门联合执法，给予取缔 / 请求厅长责令有关部门…
_ADDRESSED = re.compile(
    r"(?:请求|恳请|申请|要求|希望|建议|呼吁|望|请)[^。！？!?；;]{0,6}"
    r"(?:有关|相关|政府|领导|上级|部门|局|厅|书记|市长|县长|区长|主任)[^。！？!?；;]{0,24}$"
)
_IMPOSING = re.compile(
    r"责令|勒令|下令|下达|被|强制|强行|依法对|给予|处以|遭|决定对|通知|把|给|进行了|实施了"
)
_FEARED = re.compile(
    r"(?:即将|将要|(?<!麻)将|欲|准备|打算|扬言|威胁|恐吓|听说|据说|传言|网传|可能|担心|害怕|怕|"
    r"如果|若|否则|面临|不然|再不[^，,。]{0,6}就|不(?!久)[^，,。]{1,6}就|会不会|要被|会被|"
    r"有无|有没有|是否|传说|要把|将把)"
    r"[^，,。]{0,14}$"
)
_PLANNED = re.compile(r"名单|计划|方案|范围|对象")  # 列入拆除名单: a plan, not a stop (yet)
_NEGATED = re.compile(
    r"(?:没有|没|未|并未|尚未|从未|未能|拒不|不予|无法|不能|不得|不准|严禁|禁止|别)"
    r"(?:强行|强制|随意|擅自|依法|立即|马上|直接|轻易|予以|进行)?$"
    r"|(?:没有|没|未|并未|尚未|从未|不会)被[^，,。]{0,6}$"
)
# a negation further back, over the object: 没有一个部门对这些作坊进行取缔 / 从不谈取缔
_NEGATED_FAR = re.compile(
    r"(?:没有|没|未|并未|从未|从不|从没|不曾)[^，,。？?！!]{0,16}(?:进行|实施|予以|给予|谈|提)$"
)
_NOT_ENFORCED = re.compile(
    r"^[^。！？!?]{0,16}?(?:仍|依然|照常|照样|继续|至今没(?![让有开])|一直没(?![让有开])|没有停|未停|又开|又干|"
    r"根本没|没停|还在(?:生产|干|开|营业|经营|施工)|"
    r"偷偷|拒不|不执行|没执行|未执行|形同虚设|但[^，,。]{0,8}(?:生产|施工|营业|开工|经营))"
)
_OWN = re.compile(
    r"自行|主动|自愿|经营不善|倒闭|转让|放假|跑路|亏损|不干了|自己关|自己停|破产|资不抵债|"
    r"资金链|改制|下岗"
)
# A clause that opens with the writer's request reaches its stop however long the object named
# between them (请求依法对城东某某建材贸易有限公司夜间施工的行为作出停工处理): the clause from
# the last comma or sentence end, an enumeration (一、 / 2. / （三）) allowed before the request.
_REQUEST_CLAUSE = re.compile(
    r"(?:^|[，,。；;！!？?\n])\s*(?:[（(]?[一二三四五六七八九十\d]{1,2}[、.．)）]\s*)?"
    r"(?:请求|恳请|强烈要求|要求|建议|呼吁|希望|申请)[^，,。；;！!？?\n]{0,40}$"
)
# Verbs joined into one act share the first one's modality: 打算先把车间搬走，再拆除 / 请求关停并
# 取缔 (a neutral trigger right after a demanded or feared one, joined by 然后 / 并 / 再 …).
_JOINED = re.compile(
    r"^[^。！？!?；;\n]{0,6}(?:然后|随后|之后|再|并|并且|及|和|或|或者|、)[^。！？!?；;\n]{0,6}$"
)


def read_modality(
    term: str, before: str, after: str, sentence: str, demanded: bool, clause: str = ""
) -> str:
    """The modality of a trigger from the characters ``before`` and ``after`` it, its window
    (``sentence``) and its ``clause`` (up to 48 characters back within the sentence);
    ``demanded``: the cue is a demanded-cue that names a stop (请关停, 要求拆除 …)."""
    if demanded:  # a cue of its own: 请关停, 依法取缔, 要求拆除 …
        return "imposed" if _DECISION.search(before) else "demanded"
    if (
        _CONDITIONAL.match(after)
        or _RULE_CLAUSE.search(before)
        or _QUOTED.search(before)
        or _SANCTIONS.search(before)
        or (_LEGAL.search(sentence) and not _DECIDED.search(before))
    ):
        return "legal"
    if _NEGATED.search(before[-6:]) or _NEGATED_FAR.search(before):
        return "negated"
    told = bool(_TOLD_PASSIVE.search(before))
    for pattern in (_DEMANDED, _ADDRESSED):
        m = None if told else pattern.search(before)
        if (
            m
            and not (  # an authority's or a passive 要求 imposes: 环保局要求…停产, 被要求停业
                m.group().startswith("要求")
                and (
                    _REQUIRED_OF.search(before[: m.start()])
                    or AUTHORITY.search(before[: m.start()])
                )
            )
            and not (m.group().startswith("予以") and _DECISION.search(before[: m.start()]))
        ):
            return "demanded"
    if not told and _REQUEST_CLAUSE.search(clause):
        return "demanded"
    if _FEARED.search(before) or _PLANNED.match(after):
        return "feared"
    if _NOT_ENFORCED.search(after):
        return "not_enforced"
    own_after = _OWN.search(after[:10])  # …被拆除，造成亏损: a loss it caused is not its cause
    if (
        _OWN.search(before)
        or (own_after and own_after.group() != "亏损")
        or before.endswith("自己")
    ):
        return "own"
    if (
        _PAUSE.match(after)
        and not _IMPOSING.search(before)
        and not term.startswith(("被", "给"))
        and not AUTHORITY.search(before)
    ):
        return "own"
    if (
        _IMPOSING.search(before)
        or term.endswith("了")
        or term.startswith(("被", "给"))
        or after[:1] in ("了", "掉")
    ):
        return "imposed"
    if _URGED.search(before) and not AUTHORITY.search(before):
        return "demanded"
    return "neutral"


class Read(Protocol):
    """What the passes across triggers read of each (a :class:`yuqing.nlp.context.Trigger`)."""

    @property
    def term(self) -> str: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def modality(self) -> str: ...


def joined(norm: str, triggers: Sequence[Read]) -> list[str]:
    """The triggers' modalities once a neutral trigger joined to the one before it (_JOINED)
    takes its demanded or feared modality."""
    out: list[str] = []
    for i, t in enumerate(triggers):
        modality = t.modality
        if (
            i
            and modality == "neutral"
            and out[-1] in ("demanded", "feared")
            and _JOINED.match(norm[triggers[i - 1].end : t.start])
        ):
            modality = out[-1]
        out.append(modality)
    return out


def echoes_of_demands(triggers: Sequence[Read]) -> list[str]:
    """The triggers' modalities once a trigger with no marker of its own whose term the writer
    also demands elsewhere in the post restates the demand (请取缔… / …取缔境内无证机构): it is
    read as demanded."""
    demanded = {t.term[-2:] for t in triggers if t.modality == "demanded"}
    return [
        "demanded" if t.modality == "neutral" and t.term[-2:] in demanded else t.modality
        for t in triggers
    ]
