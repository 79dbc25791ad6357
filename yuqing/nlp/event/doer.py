"""Who stops: an authority, a campaign, or a private party (a reading of the shutdown context).

Decides ``Trigger.authority`` (an authority is named in the trigger's window: 城管 / 环保 /
街道 …) and ``Trigger.by_authority`` (the clause before the trigger makes the stop an
authority's act), which :attr:`yuqing.nlp.context.Trigger.strong` requires. Example:
环保局责令该砖厂停产 is the authority's act; 物业强行把店关停了 is a private party's, not one.
"""

from __future__ import annotations

import re

AUTHORITY = re.compile(
    r"政府|局|执法|城管|环保|街道|镇里|乡里|县里|区里|市里|村委|派出所|公安|法院|管委会|"
    r"督察|监管|部门|工作组|综合执法|市场监管|应急|安监|国土|住建|生态环境|镇政府|乡政府|"
    r"办事处|大队|中队|指挥部|上面|上级|检查组"
)
# Who stops: an authority named in the clause before the trigger (环保局责令…, 已被政府取缔), or a
# business stopped in the passive (该机构因无证办学被关停, 养猪场被迫关闭). A private party right
# before the passive or the forcing verb is the doer instead (被开发商…, 物业强行…, 对方强制断电).
AGENT_BEFORE = 30
# A sentence with no subject before its stop (only a time, 之前 / 后来 …, and punctuation) takes
# the authority of the DROPPED_BEFORE characters before it (dropped_subject).
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


# A private doer of the stop itself (issue 11, shutdown 4th pass): a company, a developer, a boss
# or a gang that demolishes or closes — in the passive (惨遭某某公司深夜强拆, 被开发商拆了) or as
# the subject of a forcing verb (公司擅自拆除厂房, 涉黑强拆). A firm that acts for the authorities
# (城投公司, 拆迁公司, 征收 …) is not one, nor a company that is itself stopped (该公司被责令停产:
# 被 after it). An authority named after the private word takes the act back.
_PRIVATE_WORD = (
    r"(?<!城投)(?<!拆迁)(?<!征收)(?<!国有)(?:公司|集团|开发商|地产商|老板|房东|物业|承包商|施工方|"
    r"施工队|涉黑|黑恶|恶势力|村霸|地痞|流氓|社会人员|闲散人员|不法分子)"
)
_PRIVATE_DOER = re.compile(
    r"(?:被|遭|遭到|遭受|遭遇)[^，,。；;！!？?被]{0,24}"
    + _PRIVATE_WORD
    + r"[^，,。；;！!？?被]{0,16}$|"
    + _PRIVATE_WORD
    + r"[^，,。；;！!？?被]{0,6}(?:强行|强制|擅自|私自|非法|违法|深夜|连夜|雇人|找人|纠集)"
    r"[^，,。；;！!？?被]{0,4}$"
)


def private_doer(clause: str) -> bool:
    """Whether the clause before a trigger names a private party as the one who stops or
    demolishes (see _PRIVATE_DOER), with no authority named after it."""
    m = _PRIVATE_DOER.search(clause)
    return m is not None and not AUTHORITY.search(clause[m.start() :])


def by_authority(clause: str, term: str, obj: str) -> bool:
    """Whether the clause before a trigger makes it an authority's act (see AGENT_BEFORE)."""
    if _PRIVATE.search(clause):
        return False
    if AUTHORITY.search(clause) or _CAMPAIGN.search(clause):
        return True
    passive = term.startswith(("被", "给")) or bool(_PASSIVE.search(clause))
    return passive and obj == "business"


def dropped_subject(norm: str, s0: int, at: int, term: str, after: str, obj: str) -> bool:
    """A sentence that opens with the stop itself, told as done (十月中旬，查封了这家作坊), has
    the subject of the sentences before it: an authority named in the DROPPED_BEFORE
    characters before, and no private party."""
    if obj != "business" or not (term.endswith("了") or after[:1] == "了"):
        return False
    if len(_SUBJECT_GAP.sub("", norm[s0:at])) > 0:
        return False
    back = norm[max(0, s0 - DROPPED_BEFORE) : s0]
    return bool(AUTHORITY.search(back)) and not _PRIVATE.search(back)


# A private party or the business itself right before a stop told without its own doer
# (房东单方面解除合同, 老板自己把网箱拆了, 厂方…): no authority's act. Shared by the readings that
# add triggers or lift them (event.cueless, event.background).
_PRIVATE_JUST_BEFORE = re.compile(
    r"(?:开发商|物业|房东|出租方|业主|老板|自己|自行|主动|村民|股东|合伙人|对方|厂方|公司决定)"
    r"[^，,。；;！!？?\n]{0,8}$"
)


def private_just_before(before: str) -> bool:
    """Whether ``before`` (the characters just before a stop) ends with a private party or the
    business itself as the one who stops, at most 8 characters of the same clause away."""
    return _PRIVATE_JUST_BEFORE.search(before) is not None
