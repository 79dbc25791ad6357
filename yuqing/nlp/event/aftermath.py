"""A business that closed on its own, then its premises pulled down (a reading of the shutdown
context, issue 11, shutdown 4th pass).

A post that tells a business stopping by its own doing (破产 / 倒闭 / 经营不善 …: modality
``own``) and then its buildings demolished with no authority behind the demolition tells a
redevelopment, not a shutdown: 宾馆早已停业，因为破产了。…宾馆拆除后土地用于商业开发. Such
demolitions are no stop event for the post's score (:func:`yuqing.nlp.combine.combine`); a
demolition an authority does (被城管强拆, 执法局拆除了) still is.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from yuqing.nlp.event.modality import Read as _ModalityRead


class Read(_ModalityRead, Protocol):
    """What this reading reads of a trigger (a :class:`yuqing.nlp.context.Trigger`): the
    modality passes' view plus what is stopped and by whom."""

    @property
    def object(self) -> str: ...
    @property
    def by_authority(self) -> bool: ...


def closed_on_its_own(triggers: Sequence[Read]) -> bool:
    """Whether a trigger of the post tells a business stopping (not a demolition: 不配合拆除 is
    no closure) by its own doing."""
    return any(
        t.modality == "own" and t.object == "business" and "拆" not in t.term for t in triggers
    )


def razed(t: Read) -> bool:
    """A demolition (拆) no authority is read to do (by_authority)."""
    return "拆" in t.term and not t.by_authority
