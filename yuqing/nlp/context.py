"""The event around each shutdown trigger: who stops whom, how, and what is stopped.

Real petitions mention 关停 / 拆除 / 查封 in many roles: an authority stopping a business (what
the shutdown tag means), the writer *asking* for a closure, an order that was never enforced, a
home or a railing being pulled down, staff being 清退, a law's list of powers. Words alone do not
tell these apart; the few characters around the trigger usually do. :func:`read_context` reads
them for every shutdown cue found by :mod:`yuqing.nlp.cues` and returns a :class:`Context`.
Each reading is a module of :mod:`yuqing.nlp.event`:

- ``modality`` of each trigger (:mod:`~yuqing.nlp.event.modality`): imposed, neutral, demanded,
  feared, not enforced, own, negated or legal;
- ``object`` (:mod:`~yuqing.nlp.event.objects`): the nearest thing stopped in the same
  sentence: business, household, structure, person or none; ``goods`` seized; ``thing``: what
  is plainly no business (a household's water cut, a tender, a road, a door, an appliance,
  people or papers seized, a home), which makes the trigger neither strong nor a stop event;
- ``authority`` / ``by_authority`` (:mod:`~yuqing.nlp.event.doer`): an authority named in the
  sentence; the stop made an authority's act by the clause before it (no private doer);
- collectivity, timing, ``sweeping`` and licensed-together-with-unlicensed for blanket
  (:mod:`~yuqing.nlp.event.scope`); ``Context.defied`` (:mod:`~yuqing.nlp.event.defiance`): the
  post says a stopped business goes on (照样生产, 根本没有停工), so no trigger of it lifts the post;
- which cues are triggers and which terms are never strong alone (:mod:`~yuqing.nlp.event.terms`).

This module holds the types and ties the readings together. ``Trigger.strong``: an authority's
imposed stop of a business read from the trigger's own clause; ``Trigger.stop_event``: an event
that is not a seizure of goods or of unnamed things. Neither is a model feature:
:func:`yuqing.nlp.combine.combine` lets the best trigger drive the post's shutdown and blanket
scores (issue 11) with the factors below. Example: in 环保局责令砖厂停产 the trigger 停产 reads
``imposed/business`` by an authority, an event and a strong one; in 恳请取缔这个黑作坊 the
stop reads ``demanded/business``, no event.

Its findings become model features (``k:ctx.…``, see :meth:`Context.features`) and evidence.
Plain regular expressions over short windows: cheap next to segmentation.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from yuqing.nlp.cues import CueHit
from yuqing.nlp.event import (
    background,
    cueless,
    defiance,
    doer,
    modality,
    objects,
    scope,
    sudden,
    terms,
)
from yuqing.nlp.event.doer import AGENT_BEFORE, DROPPED_BEFORE
from yuqing.nlp.event.modality import EVENT_MODALITIES
from yuqing.nlp.event.objects import BUSINESS_SLACK

__all__ = [
    "AFTER",
    "AGENT_BEFORE",
    "BEFORE",
    "BUSINESS_SLACK",
    "DEMANDED_ONLY_FACTOR",
    "DROPPED_BEFORE",
    "EVENT_MODALITIES",
    "NO_EVENT_FACTOR",
    "NO_STRONG_FACTOR",
    "STRONG_BLANKET_SCORE",
    "STRONG_EVENT_SCORE",
    "Context",
    "Trigger",
    "length_bucket",
    "read_context",
]

# Sentence ends; a trigger's sentence is its window (bounded by BEFORE / AFTER characters).
_SENTENCE = re.compile(r"[。！？!?；;\n]+")
BEFORE, AFTER = 24, 20

# A post in which no cue reads as an event keeps this share of its shutdown probability as its
# score: with the default threshold 0.3 it then needs a probability of 0.54 (measured on realdev
# and the dev split, yuqing/nlp/README.md).
NO_EVENT_FACTOR = 0.5 / 0.9
# The per-trigger event view (issue 11, combine.combine): a post with a strong trigger
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
    sweeping: bool = False  # a strict collectivity or timing word around it (scope.SWEEPING)
    goods: bool = False  # goods, not a business, named around it (objects.GOODS: 查封一批货物)
    extra: bool = False  # a stop told without a stop word (event.cueless), not a cue term
    private: bool = False  # a private party stops or demolishes (doer.private_doer: 公司…强拆)
    background: str = ""  # a business stop told in passing: its kind (event.background)
    thing: str = ""  # plainly no business stopped: its kind (objects.stopped_thing: utility …)

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
        (没收 / 扣押 …) or a move with no business named is not one. A business stop told in
        passing (``background``: 政策性关停, 后经举报，该会所停业 …) is one."""
        if self.thing:
            return False
        if self.background and not self.private:
            return True
        if (
            self.modality != "imposed"
            or not self.by_authority
            or self.term in terms.WEAK
            or self.goods
            or self.private
        ):
            return False
        return self.object == "business" or (
            self.object == "none" and bool(terms.FORMAL.search(self.term))
        )

    @property
    def stop_event(self) -> bool:
        """An event that stops a business, for the post's score (combine.combine): not a seizure,
        a clearance or a move of unnamed things (没收了一批货, 清理了) and not a seizure of goods
        (查封一批货物). Not a model feature (``event`` is)."""
        if not self.event or self.goods or self.private or self.thing:
            return False
        return self.object == "business" or self.term not in terms.WEAK

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
    defied: bool = False  # the post says a stopped business goes on (defiance.DEFIED)
    # blanket readings told around the triggers, not model features (combine.combine, issue 11):
    raided: bool = False  # a sudden raid razes or closes a business (event.sudden)
    # the licensed stopped with the rest (scope.licensed_swept; set by the tagger, which reads
    # the permits: combine.read_blanket)
    licensed_swept: bool = False

    @property
    def events(self) -> list[Trigger]:
        return [t for t in self.triggers if t.event]

    def features(self) -> list[str]:
        """Model features: per trigger its modality, object and both; per post the events."""
        out: list[str] = []
        triggers = cueless.cue_triggers(self.triggers)  # extra stops: for the score only
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


def _with_modalities(triggers: list[Trigger], modalities: list[str]) -> list[Trigger]:
    return [
        t if t.modality == m else replace(t, modality=m)
        for t, m in zip(triggers, modalities, strict=True)
    ]


def read_context(norm: str, hits: Sequence[CueHit], title_len: int) -> Context:
    """The context of every shutdown cue in ``norm`` (the normalized title + "\\n" + text)."""
    ctx = Context(length=len(norm))
    triggers = [
        h
        for h in hits
        if "shutdown" in h.categories or ("demanded" in h.categories and terms.STOP.search(h.term))
    ]
    if extra := cueless.extra_hits(norm):  # cue-less stops (吊销执照, 征收门面 …)
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
            obj = objects.read_object(window, h.start - lo)
            obj = "business" if cueless.EXTRA_BUSINESS in h.categories else obj
            ctx.triggers.append(
                Trigger(
                    h.term,
                    h.start,
                    h.end,
                    modality.read_modality(
                        h.term,
                        before,
                        after,
                        window,
                        "shutdown" not in h.categories,
                        norm[max(s0 - 1, 0, h.start - 48) : h.start],
                    ),
                    obj,
                    bool(doer.AUTHORITY.search(window)),
                    bool(scope.COLLECTIVE.search(window)),
                    bool(scope.TIMING.search(window)),
                    doer.by_authority(norm[max(s0, h.start - AGENT_BEFORE) : h.start], h.term, obj)
                    or doer.dropped_subject(norm, s0, h.start, h.term, after, obj),
                    scope.sweeping(before, h.term, after),
                    obj == "none" and bool(objects.GOODS.search(window)),
                    cueless.EXTRA in h.categories,
                    private=doer.private_doer(norm[max(s0, h.start - AGENT_BEFORE) : h.start]),
                    thing=objects.stopped_thing(norm, h.start, h.end, s0, s1),
                )
            )
        ctx.triggers = _with_modalities(ctx.triggers, modality.joined(norm, ctx.triggers))
        ctx.triggers = _with_modalities(ctx.triggers, modality.echoes_of_demands(ctx.triggers))
        ctx.triggers = cueless.settle(ctx.triggers, norm)
        ctx.triggers = background.settle(ctx.triggers, norm)
        ctx.title_event = any(
            t.event and t.end <= title_len for t in cueless.cue_triggers(ctx.triggers)
        )
    ctx.collective = bool(scope.COLLECTIVE.search(norm))
    ctx.timing = bool(scope.TIMING.search(norm))
    ctx.mixed_licence = bool(scope.MIXED.search(norm))
    ctx.defied = bool(ctx.triggers) and bool(defiance.DEFIED.search(norm))
    if ctx.triggers:
        ctx.raided = sudden.raided(norm)
    return ctx
