"""The dedupe stage's clustering: content hashes, simhashes and the near-duplicate index.

:func:`assign_cluster` gives a normalized item its content hash, simhash and cluster: the
cluster of the first post it copies (exactly, or nearly: a repost), among the recently stored
posts and everything this process has processed, else a cluster of its own. It runs in the
dedupe pipeline, or — with the store worker (``YUQING_STORE_WORKER=process``) — in the worker,
on each batch in order before tagging: the index lives where the clustering happens, one per
database per process either way, so crawlers running together share it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from yuqing.config import Config
from yuqing.crawler.items import ClusterRef, PostItem
from yuqing.nlp.dedup import (
    NearDuplicateIndex,
    content_hash_of_forms,
    matching_form,
    simhash_form,
)
from yuqing.store import crawl as crawl_store
from yuqing.store.session import Database

log = logging.getLogger(__name__)
DEDUP_WINDOW = timedelta(days=14)
DEDUP_LIMIT = 50_000


@dataclass
class DedupIndex:
    """Copies (content hash) and near-copies (simhash index) seen: the recently stored posts
    and everything the crawls of this process have processed. One per database per process,
    shared by the crawlers running together (a repost and its original may come from two
    sources crawled at the same time)."""

    index: NearDuplicateIndex[ClusterRef]
    exact: dict[str, ClusterRef] = field(default_factory=dict)
    users: int = 0

    @classmethod
    def load(cls, config: Config, database: Database, now: datetime) -> DedupIndex:
        places = {n: d.name for d in config.gazetteer.districts for n in d.names()}
        made = cls(NearDuplicateIndex(places))
        with database.session() as s:
            for c in crawl_store.recent_for_dedup(s, now - DEDUP_WINDOW, DEDUP_LIMIT):
                ref = ClusterRef(cluster_id=c.cluster_id or c.post_id)
                made.exact.setdefault(c.content_hash, ref)
                if c.simhash is not None:
                    made.index.add(matching_form(c.title + "\n" + c.text), c.simhash, ref)
        log.info("dedup index: %d recent posts", len(made.index))
        return made

    def assign(self, item: PostItem) -> bool:
        """Set the item's content hash, simhash and cluster; True when it copies an earlier
        post (exactly or nearly)."""
        title_form, text_form = matching_form(item.title or ""), matching_form(item.text or "")
        item.content_hash = content_hash_of_forms(title_form, text_form)
        form = title_form + text_form
        item.simhash = simhash_form(form)
        own = ClusterRef(source=item.source, key=item.key)
        ref = self.exact.get(item.content_hash)
        if ref is None and item.simhash is not None:
            ref = self.index.find(form, item.simhash)
        item.cluster = ref or own
        self.exact.setdefault(item.content_hash, item.cluster)
        if item.simhash is not None and ref is None:
            self.index.add(form, item.simhash, item.cluster)
        return ref is not None and ref != own


_INDEXES: dict[str, DedupIndex] = {}


def acquire_index(key: str, config: Config, database: Database, now: datetime) -> DedupIndex:
    """The process's index for database ``key`` (loaded on first use)."""
    if key not in _INDEXES:
        _INDEXES[key] = DedupIndex.load(config, database, now)
    shared = _INDEXES[key]
    shared.users += 1
    return shared


def release_index(key: str) -> None:
    shared = _INDEXES.get(key)
    if shared is not None:
        shared.users -= 1
        if shared.users <= 0:
            del _INDEXES[key]
