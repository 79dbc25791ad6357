"""The shape of a petition: what makes a flatly worded real appeal a complaint (issue 11).

Real message-board appeals are rarely emotional. They state a problem and end with a demand
addressed to the authorities (望有关部门尽快解决, 恳请领导过问, 请求依法查处, 强烈要求拆除), tell
that earlier reports went nowhere (多次投诉无果, 至今没有处理, 互相推诿), and name the harm or the
wrong (严重影响休息, 安全隐患, 违规, 强占, 偷工减料). The corpus the model learns from has few
of them, and real appeals score low there although a reader has no doubt. A neutral
consultation (咨询… / …吗？ in the title, no grievance in the text) and a thanks letter (感谢… /
表扬… in the title) are the opposite signal.

:func:`read_petition` finds these cues in a post's normalized text; :func:`adjust` moves the
complaint model's probability by a fixed log-odds offset per cue group (a demand, up to two
grievance groups, a grievance stated in the title (:mod:`yuqing.nlp.grievance`), minus a neutral
consultation or a thanks title, a little less for a post with no cue at all: chatter, tutorials
and reviews have no petition shape). An offset, not a vote:
news, notices and official replies, which the model reads as such with a probability near 0,
stay below the threshold even where they quote a demand (measured on realdev and the authored
dev split, yuqing/nlp/README.md, row 16).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from yuqing.nlp.calibrated import shift_log_odds
from yuqing.nlp.grievance import title_grievance_match
from yuqing.nlp.rules import map_back

# Text is matched after normalize_for_matching (NFKC: full-width ，？！：；（） are ASCII).
_CLAUSE = r"[^。!?;\n]"  # within one sentence
_ACTION = (
    r"(?:解决|处理|查处|整改|整治|拆除|取缔|关注|重视|过问|调查|核实|落实|督促|整顿|做主|"
    r"给予|予以|给与|责令|管理|管一管|处置|治理|清理|关心|协调|彻查|严查|制止|停止|依法|尽快|"
    r"加快|兑现|帮助|帮忙|答复|回复|追责|问责|监管|执法|查实|查一查|纠正|改正|清除|恢复|维护|保障|"
    r"还[^。!?;\n]{0,6}(?:公道|清白|安宁|安静|环境))"
)
# the writer asks (请 but not 请问 / 请教 / 请示 …)
_ASK = r"(?:望|希望|恳请|请求|敬请|烦请|恳求|盼|麻烦|请(?!问|教|示|假|客|柬)|强烈要求|呼吁)"
_ADDRESSEE = (
    r"(?:政府|有关|相关|上级|领导|贵局|贵单位|部门|书记|市长|县长|区长|局长|主任|城管|执法|环保)"
)
CUES: dict[str, re.Pattern[str]] = {
    # a demand addressed to the authorities, or for an action of theirs
    "demand": re.compile(
        rf"{_ASK}{_CLAUSE}{{0,12}}{_ADDRESSEE}|{_ASK}[^。!?;\n,]{{0,16}}{_ACTION}"
    ),
    # earlier reports, several times
    "repeated": re.compile(
        rf"(?:多次|屡次|反复|几次|几十次|好几次|一再|再三|三番五次){_CLAUSE}{{0,8}}"
        r"(?:投诉|反映|反应|举报|拨打|打电话|找|要求|向)"
    ),
    # nothing was done
    "unresolved": re.compile(
        r"(?:至今|一直|迟迟|始终|仍然|依然|仍)[^。!?;\n,]{0,6}(?:没有|没|未|无|不见)|无果|未果|"
        r"石沉大海|不了了之|无人(?:管|问|理)|没人(?:管|问|理)|推诿|踢皮球|不作为|敷衍"
    ),
    # the harm done to the writer or the public
    "harm": re.compile(
        rf"严重影响|严重干扰|扰民|苦不堪言|难以忍受|臭不可闻|臭气熏天|不堪其扰|无法入(?:眠|睡)|"
        rf"影响{_CLAUSE}{{0,6}}(?:休息|生活|出行|通行|健康|安全)|隐患|危害|污染严重|严重污染|噪音"
    ),
    # a wrong done
    "wrong": re.compile(
        r"违法|违规|非法|违章|擅自|强行|强占|霸占|侵占|侵犯|欺诈|诈骗|乱收费|不合理|不公|太差|"
        r"垄断|偷工减料|私自|反对"
    ),
    # the writer doubts the rule or the deed is right: 合理吗？ 凭什么 …
    "doubt": re.compile(
        r"(?:合理|合法|公平|公正|合规)吗|是否(?:合理|合法|违法|违规|公平)|凭什么|难道|岂不|"
        r"有没有天理|天理何在|公道何在"
    ),
    # a loss the writer wants made good: 能否补偿 / 赔偿 / 损失
    "loss": re.compile(r"补偿|赔偿|损失|退还|退款|追回"),
    # the writer reports or complains in so many words
    "report": re.compile(r"投诉|举报|控诉|检举|申诉|维权"),
}
GRIEVANCES = ("repeated", "unresolved", "harm", "wrong", "report", "doubt", "loss")
# a title that asks a neutral question: 咨询… / 请问… / …能否… / …吗？
_CONSULT_TITLE = re.compile(
    r"^.{0,20}(?:咨询|请问|询问|问询|问一下|想问|是否|能否|可否|什么时候|何时|怎么办理|如何办理|有没有|吗\??$)"
)
# a title that thanks or praises (the grievance it tells of was resolved)
_THANKS_TITLE = re.compile(r"^.{0,8}(?:感谢|表扬|致谢|点赞|赞扬|称赞|致敬|锦旗)")
# log-odds offsets (chosen on realdev and the authored dev split, yuqing/nlp/README.md)
DEMAND_OFFSET = 2.5
GRIEVANCE_OFFSET = 1.0
TITLE_OFFSET = 3.0  # a grievance stated in the title (README rows 19p)
MAX_GRIEVANCES = 2  # grievance groups that count
CONSULT_OFFSET = -2.0  # a consultation title with no grievance in the post
THANKS_OFFSET = -2.5  # a thanks or praise title
NO_SHAPE_OFFSET = -0.5  # no cue at all: no demand, no grievance, no telling title
MAX_TERM = 16  # longer matches are not shown as evidence
LEAD_CHARS = 40  # the text's opening passed to the title reading (a news lead)


@dataclass
class Petition:
    """The petition cues of one post: group -> the first text that matched it."""

    found: dict[str, str] = field(default_factory=dict)
    consultation: bool = False  # a neutral question in the title
    thanks: bool = False  # a title that thanks or praises
    title: str = ""  # the grievance term of the title, if any

    @property
    def grievances(self) -> int:
        return sum(1 for g in GRIEVANCES if g in self.found)

    def offset(self) -> float:
        """The log-odds the cues add to the complaint model's probability."""
        off = DEMAND_OFFSET if "demand" in self.found else 0.0
        g = self.grievances
        off += GRIEVANCE_OFFSET * min(g, MAX_GRIEVANCES)
        if self.title:
            off += TITLE_OFFSET
        if self.consultation and g == 0 and not self.title:
            off += CONSULT_OFFSET
        if self.thanks:
            off += THANKS_OFFSET
        if not self.found and not self.title and not self.consultation and not self.thanks:
            off += NO_SHAPE_OFFSET
        return off

    def terms(self) -> list[str]:
        """The matched texts short enough to show as evidence."""
        found = [t for t in self.found.values() if len(t) <= MAX_TERM]
        return [self.title, *found] if self.title else found


def read_petition(norm: str, title_len: int, original: str | None = None) -> Petition:
    """The petition cues of a post from its normalized ``title + "\\n" + text`` (each found
    text spelled as in ``original``, the text before normalization, when given)."""
    p = Petition()
    for name, rx in CUES.items():
        m = rx.search(norm)
        if m:
            p.found[name] = map_back(original, norm, m.span()) if original else m.group()
    title = norm[:title_len]
    p.consultation = bool(_CONSULT_TITLE.search(title))
    p.thanks = bool(_THANKS_TITLE.search(title))
    if not p.thanks:  # a thanks title tells of a grievance resolved
        m = title_grievance_match(title, norm[title_len : title_len + LEAD_CHARS])
        if m:
            p.title = map_back(original, norm, m.span()) if original else m.group()
    return p


def adjust(probability: float, petition: Petition) -> float:
    """The complaint probability moved by the petition's log-odds offset."""
    return shift_log_odds(probability, petition.offset())
