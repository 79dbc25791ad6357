"""A post's scores from its parts' (issue 11): the model's probabilities of each part row and the
event readings of each part's shutdown cues (:mod:`yuqing.nlp.context`, :mod:`yuqing.nlp.event`)
combined into one score per tag. The factors live in context.py; the tagger calls
:func:`read_blanket` on each part, then :func:`combine` on each post.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from yuqing.nlp.context import (
    DEMANDED_ONLY_FACTOR,
    NO_EVENT_FACTOR,
    NO_STRONG_FACTOR,
    STRONG_BLANKET_SCORE,
    STRONG_EVENT_SCORE,
    Context,
)
from yuqing.nlp.event import aftermath, scope
from yuqing.nlp.features import Analysis
from yuqing.nlp.permits import read_permits


def read_blanket(part: Analysis) -> None:
    """The blanket readings of a part that need the licensed reading (not the featurizer's:
    nlp.permits reaches the featurizer): the licensed stopped with the rest
    (event.scope.licensed_swept), read only where the part has shutdown triggers."""
    ctx = part.context
    if ctx is not None and ctx.triggers:
        ctx.licensed_swept = scope.licensed_swept(part.norm, read_permits)


def combine(
    probs: dict[str, np.ndarray], at: list[int], contexts: list[Context | None]
) -> dict[str, Any]:
    """A post's probabilities from the rows of its parts (``at[1:]``; ``at[0]`` is the whole
    post, also its only part when it is short): shutdown is the part with the highest score,
    discounted by NO_EVENT_FACTOR where no cue of the part reads as a stop event
    (context.Trigger.stop_event; not a demolition after a business closed on its own,
    event.aftermath) or the part says the stopped business goes on (Context.defied), then
    at least STRONG_EVENT_SCORE when a trigger of any part is strong (context.Trigger.strong:
    its own clause reads as an authority's imposed stop of a business) and no part is defied,
    else × NO_STRONG_FACTOR when the post has triggers, × DEMANDED_ONLY_FACTOR more
    when every trigger is demanded by the writer; blanket that part's, at least
    STRONG_BLANKET_SCORE when an event's clause is sweeping (context.Trigger.sweeping: 一律,
    全县, 一批, 几十家, 突然 …), a sudden raid razes a business (event.sudden) or the licensed are
    stopped with the rest (event.scope.licensed_swept), else × scope.UNSWEPT_FACTOR;
    complaint a grievance in any part (noisy-OR: 1 - Π(1 - p)); licensed the highest of any
    part; sector the whole post's."""
    parts = at[1:] or at
    triggers = [t for c in contexts if c is not None for t in c.triggers]
    # a business closed on its own, then pulled down: no stop (event.aftermath)
    closed = aftermath.closed_on_its_own(triggers)
    shutdown = [
        float(probs["shutdown"][j])
        * (
            NO_EVENT_FACTOR
            if c is not None
            and (
                c.defied
                or not any(t.stop_event and not (closed and aftermath.razed(t)) for t in c.triggers)
            )
            else 1.0
        )
        for j, c in zip(parts, contexts, strict=True)
    ]
    k = int(np.argmax(shutdown))
    score, blanket = shutdown[k], float(probs["blanket"][parts[k]])
    defied = any(c is not None and c.defied for c in contexts)
    if not defied and any(t.strong for t in triggers):
        score = max(score, STRONG_EVENT_SCORE)
    elif triggers:
        score *= NO_STRONG_FACTOR
        if all(t.modality == "demanded" for t in triggers):
            score *= DEMANDED_ONLY_FACTOR
    if any(
        t.sweeping and t.object == "business" and (t.event or t.strong) for t in triggers
    ) or any(c is not None and (c.raided or c.licensed_swept) for c in contexts):
        blanket = max(blanket, STRONG_BLANKET_SCORE)
    else:  # no reading tells the stop as blanket: the model's word alone is weaker evidence
        blanket *= scope.UNSWEPT_FACTOR
    return {
        "shutdown": score,
        "blanket": blanket,
        "complaint": 1.0 - float(np.prod([1.0 - probs["complaint"][j] for j in parts])),
        "licensed": max(probs["licensed"][j] for j in parts),
        "sector": probs["sector"][at[0]],
    }
