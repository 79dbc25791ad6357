"""How real writers say a business is lawful: what makes a real post ``licensed`` (issue 11).

The corpus teaches the model the short set phrases (证照齐全, 合法经营, 有营业执照 …). Real
posts say it at length and in other words: a permit was obtained or is held (办理了营业执照和
排污许可证, 依法取得了生产许可证, 持有…运输证), the papers are complete (五证齐全, 资质合规,
证照都有), or the business operates or pays taxes lawfully (合法正规经营, 按章纳税). In a long
appeal such a sentence is one among dozens, next to the writer's grievances, and the model's
probability stays low (realdev: 17 positives, none found at the threshold; yuqing/nlp/README.md
row 18L).

:func:`read_permits` finds these statements in a post's normalized text and skips one that is
negated just before it (没有办理…, 未取得…, 手续不齐全), denied inside it (过期的许可证),
supposed, asked or required in its clause (如果…证照齐全, 是否办理了…, 手续齐全吗, 要求…具有
…资质, 必须取得…, 请问…), got by fraud in its sentence (伪造签名骗取…) or, when the writer says
anywhere that the permits were got by fraud (骗取了许可证, 假证照), any permit statement; a
statement inside a quoted law article (第三十八条 …已取得许可证的…) or about a household's
permit for its own home (我家建房办了规划许可证) is skipped too; :func:`adjust` moves the
licensed model's probability by a fixed log-odds offset per statement kind found. An offset,
not a vote: a post the model reads as unrelated (a probability near 0) stays below the
threshold, as do official notices that merely mention permits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from yuqing.nlp.calibrated import shift_log_odds
from yuqing.nlp.rules import map_back

# Text is matched after normalize_for_matching (NFKC: full-width ，？！：；（） are ASCII).
# a business permit or the papers as a whole (not a person's papers: 身份证, 资格证, 房产证)
_PERMIT = (
    r"(?:[\u4e00-\u9fff]{0,6}?(?:许可证|执照|登记证|合格证|运营证|运输证|卫生证|排污证|采矿证|"
    r"经营许可|生产许可)|五证|四证|证照|资质|环评|"
    r"(?:相关|合法|审批|报建|建设|经营|环评|全部|各项|一切)手续|"
    r"合法的?[\u4e00-\u9fff]{0,4}?(?:手续|证照|证件))"
)
# the papers are complete or lawful
_COMPLETE = r"(?:齐全|完备|齐备|健全|完善|合法合规|合法|合规|俱全)"
_VERB = (
    r"(?:办理了|办了|办好了?|办下了?|取得了?|领取了?|领到了?|拿到了?|持有|拥有|获得了?|"
    r"具备|具有|下发了|颁发了?|发了|核发了|发放了)"
)
# papers issued by an office (工商所下发了手续); a bare 手续 after 办理了 is often a person's errand
# (办理了退房手续, 住院手续)
_ISSUED = r"(?:下发了|颁发了|核发了|发放了|批下了?|批了)"
PATTERNS: dict[str, re.Pattern[str]] = {
    # a permit obtained or held: 办理了营业执照, 依法取得…许可证, 有危险品运输证, 有合法的…手续,
    # 工商所下发了手续
    "obtained": re.compile(
        rf"{_VERB}[^。!?;\n,]{{0,10}}?《?{_PERMIT}|有《?{_PERMIT}|{_ISSUED}[\u4e00-\u9fff]{{0,2}}?手续"
    ),
    # the papers are complete: 手续齐全, 五证齐全, 资质合规, 证照都有
    "complete": re.compile(
        r"(?:证照|手续|证件|五证|四证|资质|执照|许可证)[都均已也全皆很]{0,2}"
        rf"(?:{_COMPLETE}|都有|都全)"
    ),
    # the business operates, teaches or pays taxes lawfully: 合法正规经营, 合法办学, 按章纳税
    "lawful": re.compile(
        r"(?:合法|守法|依法|正规|合规)[^。!?;\n,]{0,3}?(?:经营|办学|营业)(?!手续|许可|执照)|"
        r"(?:按章|依法|照章|按时|按期|足额)纳税"
    ),
}
# just before a statement: it is negated, asked, supposed or required (没有办理…, 是否取得…,
# 若证件齐全, 要取得…, 以不正当手段取得…)
_NEGATED = re.compile(
    r"(?:没有|没|未|无|不|非|否|有没有|有无|尚未|并未|从未|虚假|伪造|假|如果|若|假如|倘若|要|须|"
    r"才能|才可|应|应当|可以|能|手段|为了)[^。!?;\n,]{0,2}$"
)
# inside a statement: the permit is denied (有无证, 办了假证)
_DENIED = re.compile(r"没|未|无|不|非|假|吊销|注销|过期|到期")
# just after a statement, in its clause: it is asked (证照齐全吗? 手续合法吗)
_ASKED = re.compile(r"^[^。!;\n,]{0,6}?(?:吗|\?)")
# in its sentence: the permit was got by fraud (伪造签名骗取…, 用虚假材料办的执照)
_FRAUD = re.compile(r"伪造|虚假|欺骗|骗取|蒙蔽|贿赂|造假")
# earlier in its clause: it is only supposed, asked or required (如果那家店证件齐全, 是否都办理了…,
# 要求…具有…资质)
_SUPPOSED = re.compile(
    r"如果|假如|倘若|若是|要是|即使|即便|就算|是否|是不是|难道|为什么|为何|要求|必须|需要|应当|请问"
)
# anywhere in the post: the writer says the permits were got by fraud (骗取了办学许可证, 伪造签名
# 骗取证照, 假证假照), so a statement that they are held is the business's claim, not the
# writer's (issue 11, licensed 2nd pass)
_FRAUD_GOT = re.compile(
    r"(?:骗取|骗得|骗来|伪造|造假|(?<![请休放度寒暑])假的?)[^。!?;\n,]{0,8}?"
    r"(?:许可证|执照|证照|资质|手续|证件|合格证|意见书|文书|假照)"
)
# in its sentence: an article of a law or rule is quoted (第三十八条 …已取得许可证的…), not
# named as broken (违反…法第八十一条)
_LAW_TEXT = re.compile(r"第[一二三四五六七八九十百零〇0-9]{1,4}条")
_LAW_BROKEN = re.compile(r"(?:违反|违背)[^。!?;\n,]{0,12}第[一二三四五六七八九十百零〇0-9]{1,4}条")
# in its sentence: the permit is a household's, for building its own home (我家建房办了规划许可证),
# unless the sentence names a business (宅基地上的房屋用作店铺，持有营业执照)
_HOME = re.compile(r"建房|修建房屋|房屋翻新|翻建|自建房|宅基地|盖房|建新房")
_BUSINESS = re.compile(r"店|铺|门面|经营|营业|厂|公司|企业|商户|养殖|场")
_SENTENCE_ENDS = "。!?;\n"
_CLAUSE_ENDS = _SENTENCE_ENDS + ",:"
# the log-odds offset of each statement kind found (README row 18L)
OFFSETS = {"obtained": 2.0, "complete": 2.0, "lawful": 1.0}
MAX_OFFSET = 4.0
MAX_TERM = 20  # longer statements are not shown as evidence


@dataclass
class Permits:
    """The lawfulness statements found in a post: kind -> the matched phrases."""

    found: dict[str, list[str]] = field(default_factory=dict)

    def offset(self) -> float:
        return min(MAX_OFFSET, sum(OFFSETS[k] for k in self.found))

    def terms(self) -> list[str]:
        """The statements short enough to show as evidence, each once."""
        out: list[str] = []
        for terms in self.found.values():
            out.extend(t for t in terms if len(t) <= MAX_TERM and t not in out)
        return out


def read_permits(norm: str, original: str | None = None) -> Permits:
    """The statements in ``norm`` (normalized title + text) that a business holds its permits
    or operates lawfully, each neither negated, supposed, asked, required nor got by fraud
    (each spelled as in ``original``, the text before normalization, when given)."""
    out = Permits()
    fraud: bool | None = None  # searched once, when a statement is found
    for kind, pattern in PATTERNS.items():
        for m in pattern.finditer(norm):
            phrase = m.group(0)
            if _NEGATED.search(norm, max(0, m.start() - 5), m.start()):
                continue
            if kind == "obtained" and _DENIED.search(phrase):
                continue
            if _SUPPOSED.search(norm, _back(norm, m.start(), _CLAUSE_ENDS), m.start()):
                continue
            if _ASKED.search(norm[m.end() : m.end() + 8]):
                continue
            if kind != "lawful":
                if fraud is None:
                    fraud = _FRAUD_GOT.search(norm) is not None
                if fraud:
                    continue
            start = _back(norm, m.start(), _SENTENCE_ENDS)
            end = _ahead(norm, m.end(), _SENTENCE_ENDS)
            if _FRAUD.search(norm, start, end) or _quotes_law(norm, start, end):
                continue
            if _HOME.search(norm, start, end) and not _BUSINESS.search(norm, start, end):
                continue
            if original:
                phrase = map_back(original, norm, m.span())
            out.found.setdefault(kind, []).append(phrase)
    return out


def _quotes_law(text: str, start: int, end: int) -> bool:
    """The sentence ``text[start:end]`` quotes an article of a law (not one named as broken)."""
    quoted = len(_LAW_TEXT.findall(text, start, end))
    return quoted > len(_LAW_BROKEN.findall(text, start, end))


def _back(text: str, pos: int, ends: str) -> int:
    """Where the clause or sentence holding ``pos`` starts (after the last of ``ends``)."""
    return max(text.rfind(c, 0, pos) for c in ends) + 1


def _ahead(text: str, pos: int, ends: str) -> int:
    """Where the clause or sentence holding ``pos`` ends (at the next of ``ends``)."""
    found = [i for i in (text.find(c, pos) for c in ends) if i >= 0]
    return min(found) if found else len(text)


def adjust(probability: float, permits: Permits) -> float:
    """The licensed probability moved by the statements' log-odds offset."""
    return shift_log_odds(probability, permits.offset())
