"""A grievance stated in a post's title (issue 11): the headline of a flat real appeal.

Real message-board appeals often say their grievance once, in the title, and tell the story
flatly below without a demand word: a school forcing paid extra classes (强制有偿补课), a
property company charging at will (违规收费), a bar noisy all night (通宵扰民), a bus never on
time (经常不按时发车), water cut for three days (停水三天), a building put up by force (强行
施工). The complaint model, trained on a corpus with few of them, scores such posts near 0.
:func:`title_grievance` finds the first grievance term of the title — a wrong done, coercion,
an unfair charge, a nuisance, unpaid wages, officials who do nothing, a danger, a failing
service, bad food, abuse, or the writer's distress — and returns it, unless

- it is negated right before (没有乱收费, 无噪音, 杜绝…);
- an authority acts on it right before (整治乱收费, 查处违建, 拆除违建, 关于…): a notice or news
  of a campaign, not a grievance;
- the title tells an enforcement outcome (…被查封, 责令停业, 罚款, 已解决), names an official
  document (…通知, 关于…的答复, 条例, 出台…政策, 计划停电) or the text opens as a news report
  (本报记者, 通讯员 …);
- the title thanks or praises (the grievance was resolved; ``petition._THANKS_TITLE``).

Only the title is read: measured, the same terms in the first sentence or anywhere in the text
raise false complaints on news, thanks letters, chatter and takeaway reviews faster than they
find real appeals (yuqing/nlp/README.md, rows 19p).
"""

from __future__ import annotations

import re

# Text is matched after normalize_for_matching (NFKC, lower case). One group per kind of
# grievance (the spec's complaint: the author voices a grievance, anger or distress).
TERMS: dict[str, str] = {
    "coercion": r"强迫|强制(?!执行|隔离|性|措施)|强行|被迫|逼迫|摊派|强买强卖|"
    r"捆绑(?:销售|收费|消费)|变相",
    "charge": r"乱收费|乱收|滥收|乱罚|多收|收费过高|收费偏高|价格偏高|天价|私自收费|违规收费|"
    r"有偿补课|索要|索贿|吃拿卡要|回扣",
    "nuisance": r"扰民|噪音|噪声|恶臭|臭味|异味|臭不可闻|臭气|发臭|浓烟|黑烟|粉尘|扬尘|油烟|"
    r"污水横流|脏乱差|垃圾成堆|偷排|直排|乱排|乱倒|通宵|彻夜|深夜施工|夜间施工|凌晨施工|"
    r"半夜施工|乱停乱放|乱搭乱建|违建|私搭乱建|占道",
    "arrears": r"拖欠|欠薪|讨薪|克扣|不发工资|不给工资|未发放|不发放|未兑现|不兑现|"
    r"拒不退|拒退|不予退|不退",
    "officials": r"不作为|乱作为|慢作为|推诿|踢皮球|刁难|敷衍|不予受理|不受理|拒不",
    "danger": r"隐患|漏水|渗水|裂缝|开裂|偷工减料|烂尾|延期交房|逾期交房|质量问题|质量差",
    "service": r"不按时|不准时|晚点|误点|甩客|拒载|不停站|停水|停电|断水|断电|无法接通|打不通|"
    r"态度恶劣|态度差|服务差|遥遥无期|迟迟|延误|迟到|不到位|无故",
    "food": r"腐烂|变质|发霉|霉变|馊|苍蝇|不卫生|食物中毒|地沟油",
    "abuse": r"殴打|打人|辱骂|威胁|恐吓|黑恶|涉黄|涉赌|赌博|传销|诈骗|欺骗|骗局|虚假宣传|欺诈|"
    r"坑害|坑人|欺压|欺负|霸凌|打压|报复|霸王条款|黑心|乱象",
    "wrong": r"违法|违规|违章|非法|擅自|私自|强占|霸占|侵占|侵犯|侵害|垄断|不公|不合理|歧视|"
    r"损害|污染|反对|抗议",
    "distress": r"烦心|烦恼|困扰|闹心|揪心|苦恼|心寒|寒心|气愤|愤怒|"
    r"不满(?![\d一二两三四五六七八九十百千万周岁个年月天])|苦不堪言|难以忍受|难耐|叫苦|"
    r"投诉无门|求助无门|无人管|没人管|谁来管|何时了|涉嫌",
    "hardship": r"(?:看病|停车|出行|上学|入学|办证|就医|就学|过马路|打车|如厕|办事)难",
}


def _alternatives(rx: str) -> list[str]:
    """The top-level alternatives of a pattern."""
    out, depth, start = [], 0, 0
    for i, ch in enumerate(rx):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            out.append(rx[start:i])
            start = i + 1
    return [*out, rx[start:]]


def _first_characters(rx: str) -> set[str]:
    """The characters a match of ``rx`` can start with (its alternatives start with a literal
    character or a non-capturing group of such alternatives)."""
    chars: set[str] = set()
    for alt in _alternatives(rx):
        if alt.startswith("(?:"):
            depth = 0
            for i, ch in enumerate(alt):
                depth += {"(": 1, ")": -1}.get(ch, 0)
                if depth == 0:
                    chars |= _first_characters(alt[3:i])
                    break
        else:
            chars.add(alt[0])
    return chars


_ALL = "|".join(f"(?:{rx})" for rx in TERMS.values())
# a look-ahead on the first characters spares the engine trying every term at every position
_TERM = re.compile(f"(?=[{''.join(sorted(_first_characters(_ALL)))}])(?:{_ALL})")
# negated right before the term (2 characters)
_NEGATED = re.compile(r"(?:没有|没|未|无|不|非|杜绝|拒绝)$")
# an authority acts on it right before the term (6 characters): a campaign, a notice
_ACTED_ON = re.compile(
    r"拆除|强拆|查封|关停|关闭|依法|执法|整治|治理|打击|查处|严查|严打|整顿|专项|开展|清理|取缔|防止|防范|杜绝|"
    r"严禁|禁止|解决|处理|举措|行动|通知|公告|通报|管控|曝光|关于"
)
# the title tells an enforcement outcome or a resolved problem: news, not a grievance
_OUTCOME = re.compile(
    r"被(?:停业|查封|关停|取缔|查处|处罚|罚|查|拆|抓|刑拘|拘留|判)|责令|罚款|立案|落网|获刑|"
    r"曝光|整改到位|已整改|已解决|得到解决"
)
# the title names an official document: a notice, a reply to a netizen, a rule, a policy
_OFFICIAL = re.compile(
    r"通知|预告|公告|公示|通报|(?<![无不没未])(?:答复|回复)|预警|条例|清单|出台|印发|计划停|检修"
)
# the text opens as a news report
_NEWS_LEAD = re.compile(r"^.{0,12}(?:本报|记者|通讯员|讯|日电|消息)")
BEFORE = 6  # characters before a term where an authority's action is looked for
LEAD = 16  # characters of the text where a news lead is looked for


def title_grievance(title: str, text: str) -> str | None:
    """The first grievance term of a normalized ``title`` (``text``: the normalized text after
    it, or its first few dozen characters), or None when there is none or the title reads as
    news of enforcement, an official document or news."""
    m = title_grievance_match(title, text)
    return m.group() if m else None


def title_grievance_match(title: str, text: str) -> re.Match[str] | None:
    """:func:`title_grievance` as the match in ``title`` (its span is the evidence's)."""
    if not title:
        return None
    found = None
    for m in _TERM.finditer(title):
        start = m.start()
        if _NEGATED.search(title, max(0, start - 2), start):
            continue
        if _ACTED_ON.search(title, max(0, start - BEFORE), start):
            continue
        found = m
        break
    if found is None or _OUTCOME.search(title) or _OFFICIAL.search(title):
        return None
    if _NEWS_LEAD.search(text.lstrip()[:LEAD]):
        return None
    return found
