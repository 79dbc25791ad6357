"""Stops told without a stop word (issue 11, shutdown recall).

An authority can stop a business without 关停 / 停产 / 拆除 being written: it revokes the
permits (吊销营业执照, 政府回收五证), expropriates a shop (征收…门面 / 药店, 商铺被征收), ends a
business's lease by force (管委会强制解除合同) or pulls out a fish farm's nets (拆除拦网 / 网箱).
:func:`extra_hits` finds these phrases as shutdown triggers of their own, so the per-trigger
event reader of :mod:`yuqing.nlp.context` reads them like any cue (modality, object, doer):
a revocation the writer asks for (请求吊销其营业执照) stays demanded, a feared one feared, a
legal text legal. The kinds that name the business's own means (permits, nets, a shop) carry
their object (``business``); a forced end of a contract takes the object found around it.
:func:`settle` then reads an unmarked (neutral) revocation or expropriation done by a named
authority (政府回收五证, 经开区征收…药店) as imposed: the verb itself is an authority's act.

Plain regular expressions over the normalized text; not in the cue lexicon and skipped by
``Context.features`` (:func:`cue_triggers`), so the model's features do not change: the extra
triggers move the post's score only (``combine.combine``).
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any, ClassVar, Protocol, TypeVar

from yuqing.nlp.cues import CueHit
from yuqing.nlp.event import doer
from yuqing.nlp.event.modality import Read


class _Trigger(Read, Protocol):
    """What this module reads of a :class:`yuqing.nlp.context.Trigger` (a dataclass; not
    imported, so that context → event.cueless stays one way): the modality passes' view, plus
    who stops and the dataclass fields ``replace`` needs."""

    __dataclass_fields__: ClassVar[dict[str, Any]]

    @property
    def authority(self) -> bool: ...
    @property
    def extra(self) -> bool: ...
    @property
    def by_authority(self) -> bool: ...


T = TypeVar("T", bound=_Trigger)

# Category marking an extra trigger whose object is a business by its wording.
EXTRA_BUSINESS = "stop_extra.business"
EXTRA = "stop_extra"

_PERMITS = (
    r"(?:营业执照|经营执照|执照|许可证|经营许可|五证|证照|采矿证|采矿许可|排污许可|资质证书?)"
)
# (a pond or a farm's land expropriated is a land matter, not a stop: no 鱼塘 / 养殖场 here)
_SHOP = r"(?:门面|门店|店铺|商铺|铺面|药店|饭店|酒店|商店|超市|厂房|加油站)"
_NETS = r"(?:拦网|网箱|围网|养殖网|网围|拦河网)"
_CLAUSE = r"[^，,。；;！!？?\n]"

_BUSINESS_KINDS = re.compile(
    # a revocation of permits: 吊销其营业执照, 政府回收五证, 被吊销了许可证
    rf"(?:吊销|收回|回收|收缴|撤销|撤回)了?{_CLAUSE}{{0,8}}?{_PERMITS}"
    # an expropriation of a shop or plant: 征收…一药店, 门面被征收 (not 征收费 / 征收办)
    rf"|征收(?![办费税款部补])(?:了)?(?:[^，,。；;！!？?\n费税款做拿承补偿安置面积给为用]{{0,14}}?){_SHOP}"
    rf"|{_SHOP}{_CLAUSE}{{0,4}}被征收"
    # a fish farm's nets or cages removed: 拆除拦网, 网箱全部被拆除
    rf"|(?:拆除|拆掉|拆了|清除|清理){_CLAUSE}{{0,4}}?{_NETS}|{_NETS}{_CLAUSE}{{0,6}}?(?:被|已|全部)?拆除"
)
# A lease or contract ended by force (强制要求我们解除合同, 单方面解除租赁合同): the object is read
# from the window (a business's lease is one; a household's is not).
_CONTRACT = re.compile(
    rf"(?:强制|强行|单方面?|被迫){_CLAUSE}{{0,10}}?解除{_CLAUSE}{{0,6}}?(?:合同|协议)"
)
PRIVATE_BEFORE = 24
# a law the doer flouts: 不顾相关法律法规, 违反法律规定 (then no rule's text)
_FLOUTED = re.compile(r"(?:不顾|无视|违反|违背|践踏)[^，,。；;]{0,4}(?:法律|法规|规定)")


# A person's licence, not a business's: 吊销驾驶执照, 吊销律师执业证 / 医师执照, 撤销资格证
_PERSONAL = re.compile(r"驾|律师|医师|执业|从业|资格|教师|导游|会计|护士")
_ANY = ("证", "照", "征收", "解除", "拦网", "网箱", "围网", "网围")


def extra_hits(norm: str) -> list[CueHit]:
    """Cue-less stops in ``norm`` as shutdown triggers (see the module's docstring)."""
    if not any(n in norm for n in _ANY):  # a cheap test first
        return []
    hits = [
        CueHit(m.group(), ("shutdown", EXTRA, EXTRA_BUSINESS), m.start(), m.end())
        for m in _BUSINESS_KINDS.finditer(norm)
        if not _PERSONAL.search(m.group())
    ]
    hits += [
        CueHit(m.group(), ("shutdown", EXTRA), m.start(), m.end()) for m in _CONTRACT.finditer(norm)
    ]
    return sorted(hits, key=lambda h: h.start)


def settle(triggers: list[T], norm: str) -> list[T]:
    """An extra trigger with no marker (neutral) is imposed by the authority named in its
    window (政府回收五证, 拆除拦网，收归政府) or implied by the verb (only an authority
    expropriates: 征收…药店), unless a private party is the doer right before it (开发商 /
    房东 / 老板 …). A law named only as what the doer flouts (不顾法律法规强制…) is no legal
    text."""
    out = []
    for t in triggers:
        before = norm[max(0, t.start - PRIVATE_BEFORE) : t.start]
        if t.modality == "legal" and t.extra and _FLOUTED.search(before):
            t = replace(t, modality="neutral")
        if (
            t.modality == "neutral"
            and (t.by_authority or t.authority or t.term.startswith("征收") or "被征收" in t.term)
            and t.extra
            and not doer.private_just_before(before)
        ):
            t = replace(t, modality="imposed", by_authority=True)
        out.append(t)
    return out


def cue_triggers(triggers: list[T]) -> list[T]:
    """The triggers of cue terms (the extra ones left out): what the model features read, so
    that the features mean what they meant before (no retrain needed)."""
    return [t for t in triggers if not t.extra]
