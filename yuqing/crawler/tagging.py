"""The tag stage's engine: nlp's tagger, loaded once per process, applied to batches.

If the tagger cannot be imported or loaded (the NLP model is missing and cannot be built, a
bug), the stage becomes an explicit pass-through: posts are stored without tags, one warning
is logged, and the crawl's stats say ``yuqing/tagger: unavailable: <why>``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from yuqing.config import Config
from yuqing.crawler.items import PostItem

log = logging.getLogger(__name__)


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
            from yuqing.nlp.tagger import load_tagger

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

    def tag(self, items: Sequence[PostItem]) -> tuple[int, int]:
        """Tag the pending items in place; (how many got tags, how many failed)."""
        pending = [i for i in items if i.tag_pending and i.tags is None]
        if self.tagger is None or not pending:
            return 0, 0
        pairs = [(i.title or "", i.text or "") for i in pending]
        try:
            records = list(self.tagger.tag_many(pairs))
        except Exception:
            log.exception("batch tagging failed; tagging %d posts one by one", len(pending))
            records = []
            for title, text in pairs:
                try:
                    records.append(self.tagger.tag(title, text))
                except Exception as exc:
                    log.warning("could not tag a post: %s: %s", type(exc).__name__, exc)
                    records.append(None)
        done = 0
        for item, record in zip(pending, records, strict=False):
            item.tags = record
            item.tag_pending = False
            done += record is not None
        return done, len(pending) - done
