"""The event around each shutdown trigger: who stops whom, how, and what is stopped.

Real petitions mention 关停 / 拆除 / 查封 in many roles: an authority stopping a business (what
the shutdown tag means), the writer *asking* for a closure, an order that was never enforced, a
home or a railing being pulled down, staff being 清退, a law's list of powers. Words alone do not
tell these apart; the few characters around the trigger usually do. :func:`read_context` reads
them for every shutdown cue found by :mod:`yuqing.nlp.cues` and returns a :class:`Context`:

- ``modality`` of each trigger: ``imposed`` (责令 / 被 / 强制 … or a past 了), ``neutral`` (no
  marker), ``demanded`` (请求 / 要求 / 希望 … by the writer), ``feared`` (听说 / 扬言 / 如果 …),
  ``not_enforced`` (仍在 / 照常 / 一直没 … after it), ``own`` (自行 / 经营不善 / 转让 …),
  ``negated`` (没有 / 未 right before it) or ``legal`` (a law's or rule's text: 《…》, 第…条,
  有权 …);
- ``object``: the nearest thing stopped in the same sentence: ``business`` (厂 / 店 / 养殖 / 工地
  …), ``household`` (房屋 / 住宅 / 我家 …), ``structure`` (违建 / 围墙 / 招牌 / 基站 …), ``person``
  (教师 / 职工 / 学生 …) or ``none``;
- ``authority``: whether an authority (政府 / 城管 / 环保 / 街道 …) is named in the sentence;
- document-level blanket signals: collectivity (整个 / 全县 / 所有 / 一律 …), timing (督察 /
  检查期间 / 突然 …) and licensed-together-with-unlicensed, each also "near an event".
- ``strong`` (per trigger): an authority's imposed stop of a business read from the trigger's own
  clause (who did it: an authority, a campaign or policy, or a business in the passive, and no
  private doer); ``sweeping``: a strict collectivity or timing word in its window. Not model
  features: :func:`yuqing.nlp.tagger.combine` lets the best trigger drive the post's shutdown
  and blanket scores (issue 11). ``Context.defied``: the post says a stopped business goes on
  (照样生产, 根本没有停工), so no trigger of it lifts the post. ``Trigger.stop_event``: an event
  that is not a seizure of goods or of unnamed things, for the post's score (shutdown 3rd pass).

Its findings become model features (``k:ctx.…``, see :meth:`Context.features`) and evidence.
Plain regular expressions over short windows: cheap next to segmentation.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from yuqing.nlp import stops_extra
from yuqing.nlp.cues import CueHit

# Sentence ends; a trigger's sentence is its window (bounded by BEFORE / AFTER characters).
_SENTENCE = re.compile(r"[。！？!?；;\n]+")
BEFORE, AFTER = 24, 20
BUSINESS_SLACK = 6
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
_AUTHORITY = re.compile(
    r"政府|局|执法|城管|环保|街道|镇里|乡里|县里|区里|市里|村委|派出所|公安|法院|管委会|"
    r"督察|监管|部门|工作组|综合执法|市场监管|应急|安监|国土|住建|生态环境|镇政府|乡政府|"
    r"办事处|大队|中队|指挥部|上面|上级|检查组"
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
_OBJECTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "household",
        re.compile(
            r"住宅|住房|房屋|房子|民房|祖居|老屋|老房|我家|他家|家中|家里|宿舍|居民楼|自建房|"
            r"住户|居住|安置|拆迁户|征收|拆迁|楼房|平房|宅基地|屋里|该房|此房|房产|祖屋|建房|私宅|供水|供电|供气|供暖"
        ),
    ),
    (
        "structure",
        re.compile(
            r"违建|违章|违法建筑|违法建设|违法搭建|围墙|栏杆|护栏|招牌|牌匾|广告牌|基站|雨棚|"
            r"防盗网|阳台|屋顶|围挡|减速带|模板|管道|屋基|墙体|花园|台阶|车棚|铁门|地锁|"
            r"隔断|阳光房|彩钢|铁皮房|菜园|坟|亭|帐篷|遮阳|纪念|雕塑|路灯|树|大门|侧门|入口|通道|车库|"
            r"店招|门头|牌子|灯箱"
        ),
    ),
    (
        "person",
        re.compile(
            r"教师|老师|代课|职工|员工|临时工|学生|干部|村官|书记|主任|局长|校长|"
            r"出借人|会员|合同工|民警|保安|保洁|辅警|协警|村医|编外"
        ),
    ),
    (
        "business",
        re.compile(
            r"厂|企业|公司|店|门面|门市|商户|商铺|铺面|摊|作坊|养殖|猪场|鸡场|牛场|羊场|鱼塘|"
            r"工地|项目|工程|矿|砂场|石场|采石|砖|窑|超市|饭店|餐馆|酒店|网吧|加工|车间|"
            r"生产线|合作社|生意|市场|培训|幼儿园|诊所|加油站|搅拌站|场子|烧锅|油坊|"
            r"生产|营业|经营|开工|施工|园区|(?<!宅)基地|宾馆|旅馆|浴池|洗浴|KTV|ktv|歌厅|机构|"
            r"办公室|办学|会所|舞厅|茶楼|馆|厂房|网点|驾校|档口|车行|汽修|网贷|平台"
        ),
    ),
)
_COLLECTIVE = re.compile(
    r"整个|全县|全区|全镇|全乡|全市|全省|所有|一律|全部|统一|集中|一个不留|挨家挨户|挨个|"
    r"全都|都被|都给|都停|都关|都拆|统统|一刀切|一锅端|大面积|大规模|成片|几十家|数十家|"
    r"十几家|十多家|多家|一批|一大片|整条街|整片|一起"
)
_TIMING = re.compile(
    r"督察|巡视|检查期间|检查组|迎检|来检查|来之前|突然|一夜之间|先停|紧急|临时通知|"
    r"风头|躲过|上面来人|环保检查|暗访期间"
)
# Collectivity and timing that make a strong stop a blanket one, stricter than _COLLECTIVE /
# _TIMING (全部 of the seized goods, 一起 as in 查处一起…案, an inspection of one site do not):
# 一律, 全县, 所有, 统一, 一批, 几十家 / 24家 (a count of businesses), 突然, 督察期间 …
_SWEEPING = re.compile(
    r"一刀切|一律|全县|全区|全镇|全乡|全市|全省|整条街|整片|成片|所有|统一|集中|一批(?!次)|"
    r"挨家挨户|一锅端|一个不留|大面积|大规模|几十家|数十家|十几家|十多家|多家|上百家|"
    r"\d{2,}家|[二三四五六七八九]?十[一二三四五六七八九几多余]?家|突然|一夜之间|督察期间|"
    r"检查期间|迎检|先停|农贸市场|菜市场|批发市场|商业街|小吃街|夜市"
)
_MIXED = re.compile(
    r"有证[^。]{0,12}(?:无证|没证)|(?:无证|没证)[^。]{0,12}有证|合法[^。]{0,8}(?:非法|违法)|"
    r"不管[^。]{0,6}(?:有没有|合不合|是否)|(?:手续|证照)齐全的也|有手续的也|合法的也"
)
# The post says the stopped business goes on (an order not enforced, told anywhere in the post:
# 砖厂被关停了。…到今年还照样在生产 / 下了停工通知。…他家继续施工): its stops lift nothing.
_DEFIED = re.compile(
    r"(?:照样|照常|照旧|依然|仍然|仍在|仍旧|继续|还在|又在)[^，,。；;！!？?]{0,8}?"
    r"(?:生产|施工|营业|经营|修建|开工|开业|作业|开采|采砂|排放)|根本(?:就)?没(?:有)?(?:停|关)|"
    r"停而不关|关而不停|明停暗开|偷偷(?:生产|开工|施工|营业)"
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
_STOP = re.compile(r"关|停|取缔|拆|封|清退|搬")  # a demanded-cue that names a stop
EVENT_MODALITIES = frozenset({"imposed", "neutral"})
# Who stops: an authority named in the clause before the trigger (环保局责令…, 已被政府取缔), or a
# business stopped in the passive (该机构因无证办学被关停, 养猪场被迫关闭). A private party right
# before the passive or the forcing verb is the doer instead (被开发商…, 物业强行…, 对方强制断电).
AGENT_BEFORE = 30
# A sentence with no subject before its stop (only a time, 之前 / 后来 …, and punctuation) takes
# the authority of the DROPPED_BEFORE characters before it (_dropped_subject).
DROPPED_BEFORE = 80
_SUBJECT_GAP = re.compile(
    r"[\s，,、]|\d+|[一二三四五六七八九十零〇]+|[年月日号份底初中旬]|之前|此前|以前|先前|后来|随后|"
    r"然后|不久|当时|去年|今年|前年|上月|当天|次日|同时|又|还|已经|已|曾经|曾|先后|最终|终于"
)
# campaigns and policies that stop businesses without naming the office: 扫黄, 专项整治, 国家政策
_CAMPAIGN = re.compile(r"扫黄|打非|严打|专项行动|专项整治|联合执法|整治行动|政策|经侦|警方")
_PASSIVE = re.compile(r"(?:被|遭到)[^，,。；;！!？?]{0,12}$")
_PRIVATE = re.compile(
    r"(?:开发商|物业|房东|对方|出租方|业主|校方|甲方|承包方|厂方|老板|村民|他们)"
    r"[^，,。；;]{0,6}(?:强行|强制|擅自|私自|把|将|给|自行)|被(?:开发商|物业|房东|对方|出租方|业主|老板)"
)
# Triggers that are never a strong event by themselves: seizures of things, moves, and plain
# words that stop many things besides businesses (燃气停了, 站点撤了, 推了他一把).
_WEAK = frozenset(
    (
        *("没收", "扣押", "暂扣", "清理", "清场", "搬迁", "搬走", "限期搬迁", "腾退"),
        *("推了", "撤了", "停了", "关门", "禁养区", "禁牧", "拉闸", "电闸"),
    )
)
# Goods, money and vehicles: what a seizure takes when no business is named (查封一批货物,
# 扣押车辆).
_GOODS = re.compile(
    r"肉|货物|货品|商品|产品|物品|药品|冻品|物资|车辆|货车|车子|账户|存款|资金|财产|资产|"
    r"手机|电脑|证件|钱款|现金|赃物|原料|原材料"
)
# With no object named, only the formal terms of a stop count (关停, 取缔, 查封, 责令停止 …).
_FORMAL = re.compile(r"关停|停产|停业|停工|取缔|查封|封停|责令|叫停|勒令|吊销|关闭|被关|被封")
# A post in which no cue reads as an event keeps this share of its shutdown probability as its
# score: with the default threshold 0.3 it then needs a probability of 0.54 (measured on realdev
# and the dev split, yuqing/nlp/README.md).
NO_EVENT_FACTOR = 0.5 / 0.9
# The per-trigger event view (issue 11, tagger.combine): a post with a strong trigger
# (Trigger.strong) scores at least STRONG_EVENT_SCORE (above the shutdown threshold 0.3, inside
# the triage band); a post with triggers of which none is strong keeps NO_STRONG_FACTOR of its
# score; an event whose window is sweeping (Trigger.sweeping) lifts blanket to at least
# STRONG_BLANKET_SCORE (the blanket threshold is 0.25). Measured on realdev and the dev split,
# yuqing/nlp/README.md.
STRONG_EVENT_SCORE = 0.4
NO_STRONG_FACTOR = 0.8
STRONG_BLANKET_SCORE = 0.3
# A post whose every stop is asked for by the writer (all triggers demanded: 请求关闭…, 恳请取缔…)
# tells no stop: it keeps this share more of its score (issue 11, shutdown 3rd pass; measured on
# realdev and the dev split, yuqing/nlp/README.md rows 19).
DEMANDED_ONLY_FACTOR = 0.75


@dataclass(frozen=True)
class Trigger:
    term: str
    start: int
    end: int
    modality: str
    object: str
    authority: bool
    collective: bool  # a collectivity word in the same sentence
    timing: bool  # a timing word (督察 / 突然 …) in the same sentence
    by_authority: bool = False  # an authority's act by the clause before it (AGENT_BEFORE)
    sweeping: bool = False  # a strict collectivity or timing word around it (_SWEEPING)
    goods: bool = False  # goods, not a business, named around it (_GOODS: 查封一批货物)

    @property
    def event(self) -> bool:
        """An authority's stop of a business, imposed or reported (an unnamed object counts
        when the stop is marked as imposed and an authority is named in its sentence: 没收了手机
        after a raid is not a business stop)."""
        if self.object == "business":
            return self.modality in EVENT_MODALITIES
        return self.object == "none" and self.modality == "imposed" and self.authority

    @property
    def strong(self) -> bool:
        """An imposed stop done by an authority (or a business stopped in the passive): the
        event the shutdown tag means, read from the trigger's own clause. A seizure of things
        (没收 / 扣押 …) or a move with no business named is not one."""
        if self.modality != "imposed" or not self.by_authority or self.term in _WEAK or self.goods:
            return False
        return self.object == "business" or (
            self.object == "none" and bool(_FORMAL.search(self.term))
        )

    @property
    def stop_event(self) -> bool:
        """An event that stops a business, for the post's score (tagger.combine): not a seizure,
        a clearance or a move of unnamed things (没收了一批货, 清理了) and not a seizure of goods
        (查封一批货物). Not a model feature (``event`` is)."""
        if not self.event or self.goods:
            return False
        return self.object == "business" or self.term not in _WEAK

    def describe(self) -> str:
        return f"{self.term}:{self.modality}/{self.object}"


@dataclass
class Context:
    triggers: list[Trigger] = field(default_factory=list)
    collective: bool = False
    timing: bool = False
    mixed_licence: bool = False
    title_event: bool = False
    length: int = 0
    defied: bool = False  # the post says a stopped business goes on (_DEFIED)

    @property
    def events(self) -> list[Trigger]:
        return [t for t in self.triggers if t.event]

    def features(self) -> list[str]:
        """Model features: per trigger its modality, object and both; per post the events."""
        out: list[str] = []
        triggers = stops_extra.cue_triggers(self.triggers)  # extra stops: for the score only
        for t in triggers:
            out += [
                f"k:ctx.m.{t.modality}",
                f"k:ctx.o.{t.object}",
                f"k:ctx.{t.modality}.{t.object}",
            ]
            if t.authority and t.event:
                out.append("k:ctx.authority_event")
        events = [t for t in triggers if t.event]
        if events:
            out.append("k:ctx.event")
            strong = [t for t in events if t.object == "business"]
            if strong:
                out.append("k:ctx.business_event")
            if any(t.collective for t in events):
                out.append("k:ctx.collective_event")
            if any(t.timing for t in events):
                out.append("k:ctx.timing_event")
        elif triggers:
            out.append("k:ctx.no_event")
        if self.title_event:
            out.append("k:ctx.title_event")
        if self.collective:
            out.append("k:ctx.collective")
        if self.timing:
            out.append("k:ctx.timing")
        if self.mixed_licence:
            out.append("k:ctx.mixed_licence")
        out.append(f"k:ctx.len.{length_bucket(self.length)}")
        return out


def length_bucket(n: int) -> str:
    return "s" if n < 120 else "m" if n < 400 else "l" if n < 1200 else "xl"


def _modality(
    term: str, before: str, after: str, sentence: str, demanded: bool, clause: str = ""
) -> str:
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
                    or _AUTHORITY.search(before[: m.start()])
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
        and not _AUTHORITY.search(before)
    ):
        return "own"
    if (
        _IMPOSING.search(before)
        or term.endswith("了")
        or term.startswith(("被", "给"))
        or after[:1] in ("了", "掉")
    ):
        return "imposed"
    if _URGED.search(before) and not _AUTHORITY.search(before):
        return "demanded"
    return "neutral"


def _object(window: str, at: int) -> str:
    """The nearest kind of thing named around the trigger; a business named almost as near
    (within BUSINESS_SLACK more characters) wins: 我家的砖厂被…停产 is a business."""
    nearest: dict[str, int] = {}
    for name, pattern in _OBJECTS:
        for m in pattern.finditer(window):
            d = at - m.end() if m.end() <= at else m.start() - at
            nearest[name] = min(d, nearest.get(name, d))
    if not nearest:
        return "none"
    best = min(nearest, key=lambda n: nearest[n])
    if (
        "business" in nearest
        and best in ("household", "person")  # a shop's sign or railing stays a structure
        and nearest["business"] <= nearest[best] + BUSINESS_SLACK
    ):
        return "business"
    return best


def _by_authority(clause: str, term: str, obj: str) -> bool:
    """Whether the clause before a trigger makes it an authority's act (see AGENT_BEFORE)."""
    if _PRIVATE.search(clause):
        return False
    if _AUTHORITY.search(clause) or _CAMPAIGN.search(clause):
        return True
    passive = term.startswith(("被", "给")) or bool(_PASSIVE.search(clause))
    return passive and obj == "business"


def _joined(ctx: Context, norm: str) -> None:
    """A neutral trigger joined to the one before it (_JOINED) takes its demanded or feared
    modality."""
    out: list[Trigger] = []
    for t in ctx.triggers:
        prev = out[-1] if out else None
        if (
            prev is not None
            and t.modality == "neutral"
            and prev.modality in ("demanded", "feared")
            and _JOINED.match(norm[prev.end : t.start])
        ):
            t = replace(t, modality=prev.modality)
        out.append(t)
    ctx.triggers = out


def _dropped_subject(norm: str, s0: int, at: int, term: str, after: str, obj: str) -> bool:
    """A sentence that opens with the stop itself, told as done (十月中旬，查封了这家作坊), has
    the subject of the sentences before it: an authority named in the DROPPED_BEFORE
    characters before, and no private party."""
    if obj != "business" or not (term.endswith("了") or after[:1] == "了"):
        return False
    if len(_SUBJECT_GAP.sub("", norm[s0:at])) > 0:
        return False
    back = norm[max(0, s0 - DROPPED_BEFORE) : s0]
    return bool(_AUTHORITY.search(back)) and not _PRIVATE.search(back)


def _echoes_of_demands(ctx: Context) -> None:
    """A trigger with no marker of its own whose term the writer also demands elsewhere in the
    post restates the demand (请取缔… / …取缔境内无证机构): it is read as demanded."""
    demanded = {t.term[-2:] for t in ctx.triggers if t.modality == "demanded"}
    if demanded:
        ctx.triggers = [
            replace(t, modality="demanded")
            if t.modality == "neutral" and t.term[-2:] in demanded
            else t
            for t in ctx.triggers
        ]


def read_context(norm: str, hits: Sequence[CueHit], title_len: int) -> Context:
    """The context of every shutdown cue in ``norm`` (the normalized title + "\\n" + text)."""
    ctx = Context(length=len(norm))
    triggers = [
        h
        for h in hits
        if "shutdown" in h.categories or ("demanded" in h.categories and _STOP.search(h.term))
    ]
    if extra := stops_extra.extra_hits(norm):  # cue-less stops (吊销执照, 征收门面 …)
        triggers = sorted([*triggers[:40], *extra[:10]], key=lambda h: h.start)
    if triggers:
        ends = [m.end() for m in _SENTENCE.finditer(norm)]
        for h in triggers[:50]:
            k = bisect_right(ends, h.start)
            s0 = ends[k - 1] if k else 0
            s1 = ends[k] if k < len(ends) else len(norm)
            lo, hi = max(s0, h.start - BEFORE), min(s1, h.end + AFTER)
            before, after = norm[lo : h.start], norm[h.end : hi]
            window = norm[lo:hi]
            obj = _object(window, h.start - lo)
            obj = "business" if stops_extra.EXTRA_BUSINESS in h.categories else obj
            ctx.triggers.append(
                Trigger(
                    h.term,
                    h.start,
                    h.end,
                    _modality(
                        h.term,
                        before,
                        after,
                        window,
                        "shutdown" not in h.categories,
                        norm[max(s0 - 1, 0, h.start - 48) : h.start],
                    ),
                    obj,
                    bool(_AUTHORITY.search(window)),
                    bool(_COLLECTIVE.search(window)),
                    bool(_TIMING.search(window)),
                    _by_authority(norm[max(s0, h.start - AGENT_BEFORE) : h.start], h.term, obj)
                    or _dropped_subject(norm, s0, h.start, h.term, after, obj),
                    bool(_SWEEPING.search(window)),
                    obj == "none" and bool(_GOODS.search(window)),
                )
            )
        _joined(ctx, norm)
        _echoes_of_demands(ctx)
        ctx.triggers = stops_extra.settle(ctx.triggers, norm)
        ctx.title_event = any(
            t.event and t.end <= title_len for t in stops_extra.cue_triggers(ctx.triggers)
        )
    ctx.collective = bool(_COLLECTIVE.search(norm))
    ctx.timing = bool(_TIMING.search(norm))
    ctx.mixed_licence = bool(_MIXED.search(norm))
    ctx.defied = bool(ctx.triggers) and bool(_DEFIED.search(norm))
    return ctx
