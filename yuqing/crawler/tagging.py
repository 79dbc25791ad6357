"""The tag stage's engine: nlp's tagger, loaded once per process, applied to batches.

If the tagger cannot be imported or loaded (the NLP model is missing and cannot be built, a
bug), the stage becomes an explicit pass-through: posts are stored without tags, one warning
is logged, and the crawl's stats say ``yuqing/tagger: unavailable: <why>``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from yuqing.config import Config
from yuqing.crawler.items import PostItem

log = logging.getLogger(__name__)


@dataclass
class Tagged:
    """What :meth:`TagStage.tag` did with a batch. ``words``: position in the batch → the
    post's words for the full-text index (``yuqing.store.fts.Indexable.words``), the tagger's
    segmentation handed on so that the store does not segment the text again; posts without
    an entry (not tagged here, or a tagger that does not say) are segmented by the store."""

    done: int = 0
    failed: int = 0
    words: dict[int, list[str]] = field(default_factory=dict)


@dataclass
class TagStage:
    tagger: Any | None
    status: str

    @property
    def active(self) -> bool:
        return self.tagger is not None

    @classmethod
    def load(cls, config: Config, enabled: bool = True) -> TagStage:
        if not enabled:
            log.info("tagging is off (YUQING_TAGGER=off): posts are stored without tags")
            return cls(None, "off")
        try:
            from yuqing.nlp.loader import load_tagger

            tagger = load_tagger(config)
        except Exception as exc:
            log.warning(
                "the tagger is unavailable (%s: %s): posts are stored without tags; "
                "tag them later with the nlp commands",
                type(exc).__name__,
                exc,
            )
            return cls(None, f"unavailable: {type(exc).__name__}")
        return cls(tagger, f"active ({getattr(tagger, 'model_version', '?')})")

    def tag(self, items: Sequence[PostItem]) -> Tagged:
        """Tag the pending items in place: how many got tags, how many failed, and the words
        the tagger found in them (where it says; see :class:`Tagged`)."""
        pending = [n for n, i in enumerate(items) if i.tag_pending and i.tags is None]
        if self.tagger is None or not pending:
            return Tagged()
        pairs = [(items[n].title or "", items[n].text or "") for n in pending]
        words: list[list[str]] = []
        try:
            with_words = getattr(self.tagger, "tag_many_with_words", None)
            if with_words is not None:
                records, words = with_words(pairs)
            else:
                records = list(self.tagger.tag_many(pairs))
        except Exception:
            log.exception("batch tagging failed; tagging %d posts one by one", len(pending))
            records, words = [], []
            for title, text in pairs:
                try:
                    records.append(self.tagger.tag(title, text))
                except Exception as exc:
                    log.warning("could not tag a post: %s: %s", type(exc).__name__, exc)
                    records.append(None)
        result = Tagged()
        for n, record in zip(pending, records, strict=False):
            items[n].tags = record
            items[n].tag_pending = False
            result.done += record is not None
        if len(words) == len(pending):
            result.words = dict(zip(pending, words, strict=True))
        result.failed = len(pending) - result.done
        return result
