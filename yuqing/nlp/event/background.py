"""Stops told in passing (issue 11, shutdown recall: background stops).

Long appeals mention a business stop as background, in the past, with the authority a clause
away or only implied by the way it is told. A careful reader still reads these as an
authority's stop of a business; :func:`settle` marks them ``background``, which makes
:attr:`yuqing.nlp.context.Trigger.strong` hold for them:

- a policy closure (政策性关停 / 政策性关闭): the word says who closed it;
- a stop after a report (后经业主举报，该会所停业 / 经媒体曝光后，该厂被关停): what followed a
  report to the authorities is their act (the business named by 该 / 这家 / 那家 …);
- a stop reported as the reason something moved here (因为环保问题从…拆除过来的 /
  在…被关停后搬到这里);
- the stop losses of an expropriation or a demolition (因拆迁造成的停产、停业损失 /
  征收…造成的停产停业损失): only a business has them, and the stop came with the
  authority's act (not a rule's wording of what is compensated: 应当…补偿因征收房屋造成的
  停产停业损失);
- a selective closure: a stop the writer follows with "only this one was closed" (之前关闭了
  《…烧烤店》。难道只关了此一家？其他…凭什么…): the writer tells it as the authority's and
  complains of the others left open.

Each reading leaves a trigger the writer asks for, fears, negates or quotes from a law
(modality other than neutral / imposed) as it is, and gives way to a private doer named just
before (房东 / 老板 / 自己 …). Plain regular expressions over at most 88 characters around
the trigger. Not a model feature: the trigger's modality and object (what the features read)
stay as they were, so the model needs no retrain; ``background`` moves the post's score only
(``combine.combine``, through ``Trigger.strong``).
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any, ClassVar, Protocol, TypeVar

from yuqing.nlp.event import doer
from yuqing.nlp.event.modality import Read


class _Trigger(Read, Protocol):
    """What this module reads of a :class:`yuqing.nlp.context.Trigger` (not imported, so that
    context → event.background stays one way)."""

    __dataclass_fields__: ClassVar[dict[str, Any]]

    @property
    def object(self) -> str: ...
    @property
    def background(self) -> str: ...


T = TypeVar("T", bound=_Trigger)

_STOP = r"(?:关停|关闭|停产|停业|停工|取缔|查封|封停|拆除|拆掉|关掉|搬迁|被关|被封|被拆)"
_CLAUSE = r"[^，,。；;！!？?\n]"
_SENT = r"[^。；;！!？?\n]"

# a policy closure: 政策性关停, 政策性关闭 (not 政策性破产: a bankruptcy is no stop by itself)
_POLICY = re.compile(r"政策性$")
# a report, a complaint or an exposure told before the stop, in the same sentence: 后经业主
# 举报，该会所停业 / 经媒体曝光后，这家厂被责令关停
_REPORTED = re.compile(
    rf"经{_SENT}{{0,12}}?(?:举报|投诉|反映|曝光|报道){_SENT}{{0,4}}?[，,]"
    rf"(?:该|这家|那家|此|这个|那个){_CLAUSE}{{0,10}}$"
)
# a move told right after the stop, the stop its reason: 从…拆除过来的, 关停后搬到这里
_MOVED_AFTER = re.compile(r"^(?:了|掉)?(?:过来|后?搬(?:过来|来|到)|后?迁(?:来|到))")
_MOVED_BEFORE = re.compile(rf"从{_CLAUSE}{{1,12}}$")
# the stop losses an expropriation or a demolition caused: 因拆迁造成的停产、停业损失
_LOSSES_BEFORE = re.compile(
    rf"因{_CLAUSE}{{0,6}}(?:拆迁|征收|拆除|关停|搬迁){_CLAUSE}{{0,4}}(?:造成|导致|引起)的?(?:停产[、和及与]?)?$"
)
_LOSSES_AFTER = re.compile(r"^(?:[、和及与]?停业)?(?:的)?(?:经济)?损失")
# … but not a rule's wording of what is compensated (应当…补偿因征收房屋造成的停产停业损失)
_LOSSES_RULE = re.compile(r"应当|应予|应该|必须|须|(?:补偿|赔偿|给予)因")
_SENTENCE_END = re.compile(r"[。；;！!？?\n]")
# a stop followed by the writer's contrast with the others left open: 之前关闭了…烧烤店。难道只关
# 了此一家？其他…凭什么… (a selective closure: the stop is told as the authority's)
_SELECTIVE = re.compile(
    r"^[^。！？!?\n]{0,24}[。！？!?，,]{0,2}[^。！？!?\n]{0,6}"
    r"(?:只|就|仅)(?:关|停|拆|封|取缔|查封)[^，,。！？!?]{0,3}(?:这|此|那|一)[一两几]?家"
)
_EVENT = frozenset({"neutral", "imposed"})
_TERM = re.compile(_STOP)


def reading(before: str, after: str) -> str | None:
    """Which background reading the characters ``before`` (up to 40) and ``after`` (up to 48)
    a stop make: ``policy``, ``reported``, ``moved``, ``losses``, ``selective`` or None."""
    if _POLICY.search(before):
        return "policy"
    if _REPORTED.search(before):
        return "reported"
    if _MOVED_AFTER.match(after) and (_MOVED_BEFORE.search(before) or "因" in before):
        return "moved"
    if (
        _LOSSES_BEFORE.search(before)
        and _LOSSES_AFTER.match(after)
        and not _LOSSES_RULE.search(_SENTENCE_END.split(before)[-1])
    ):
        return "losses"
    if _SELECTIVE.match(after):
        return "selective"
    return None


def settle(triggers: list[T], norm: str) -> list[T]:
    """Triggers told as background stops of a business (see the module's docstring) marked
    ``background``: a trigger the writer asks for, fears, negates or quotes from a law stays
    as it is, and so does one with a private doer just before it. The stop losses of an
    expropriation and a policy closure name a business by themselves; a stop after a report
    or before a move needs the business read around it (Trigger.object)."""
    out = []
    for t in triggers:
        if t.modality in _EVENT and _TERM.search(t.term):
            before = norm[max(0, t.start - 40) : t.start]
            kind = reading(before, norm[t.end : t.end + 48])
            if (
                kind is not None
                and (kind in ("policy", "losses") or t.object == "business")
                and (kind == "policy" or not doer.private_just_before(before[-16:]))
            ):
                t = replace(t, background=kind)
        out.append(t)
    return out
