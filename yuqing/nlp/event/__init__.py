"""The readings of a shutdown trigger's context, one module per reading (issue 11).

:mod:`yuqing.nlp.context` finds each shutdown trigger's sentence and window and asks these
modules what they read there; it holds the :class:`~yuqing.nlp.context.Trigger` and
:class:`~yuqing.nlp.context.Context` types and ties the readings together.

- :mod:`.terms` — which cue terms are triggers, and which terms can be a strong event alone;
- :mod:`.modality` — how the stop is told: imposed, neutral, demanded, feared, not enforced,
  own, negated or legal;
- :mod:`.objects` — what is stopped: a business, a household, a structure, a person or none;
  goods seized; what is plainly no business (a water cut, a road, a door, a home …);
- :mod:`.doer` — who stops: an authority named, an authority's act by the clause before the
  trigger, a dropped subject, a private party;
- :mod:`.scope` — collectivity, timing, sweeping and licensed-with-unlicensed (blanket);
- :mod:`.sudden` — a sudden raid that razes or closes a business (blanket);
- :mod:`.defiance` — a stopped business that goes on;
- :mod:`.aftermath` — a business closed on its own, then its premises pulled down.

Dependencies point one way: ``modality`` uses ``doer``'s authority words, ``sudden`` uses
``objects``, ``scope`` calls :func:`yuqing.nlp.permits.read_permits` (imported in the function:
permits reaches the featurizer, which imports ``scope``); the others stand alone; none imports
:mod:`yuqing.nlp.context`.
"""
