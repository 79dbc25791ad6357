"""The store stage's work: one batch of items → posts, clusters, reply links, tags
(:func:`store_batch`), done by a :class:`BatchWriter` off the crawl's thread."""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from yuqing.crawler.clusters import DedupIndex
from yuqing.crawler.items import ClusterRef, PostItem
from yuqing.crawler.tagging import TagStage
from yuqing.store import crawl as crawl_store
from yuqing.store.posts import PostRecord, TagRecord, upsert_posts, upsert_tags
from yuqing.store.session import Database
from yuqing.store.types import utcnow

log = logging.getLogger(__name__)


@dataclass
class StoreResult:
    new: int = 0
    updated: int = 0
    tags: int = 0


def record(item: PostItem, words: list[str] | None = None) -> PostRecord:
    """The post to store; ``words``: its full-text index words, if the tagger gave them."""
    assert item.url is not None and item.published_at is not None and item.content_hash
    ref = item.cluster
    return PostRecord(
        source=item.source,
        url=item.url,
        title=item.title or "",
        text=item.text or "",
        published_at=item.published_at,
        content_hash=item.content_hash,
        external_id=item.external_id,
        author_hash=item.author_hash,
        fetched_at=utcnow(),
        simhash=item.simhash,
        cluster_id=ref.cluster_id if ref is not None else None,
        likes=item.likes,
        replies=item.replies,
        reposts=item.reposts,
        raw_ref=item.found_on,
        published_guessed=item.published_guessed,
        words=words,
    )


@dataclass
class StoreState:
    """What the crawls of this process have stored so far, keyed by (source, dedup key).

    Shared by every crawler of a process (see :func:`shared_state`), so a repost found by one
    source's crawl joins the cluster of a post another source's crawl stores at the same time.
    ``pending`` holds posts whose cluster's first post was not stored yet when they were:
    they are stored as their own cluster and moved by :meth:`resolve` once it is."""

    ids: dict[tuple[str, str], int] = field(default_factory=dict)
    clusters: dict[tuple[str, str], int] = field(default_factory=dict)
    pending: dict[int, tuple[str, str]] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    def checkpoint(self) -> tuple[dict[Any, Any], ...]:
        with self.lock:
            return dict(self.ids), dict(self.clusters), dict(self.pending)

    def restore(self, mark: tuple[dict[Any, Any], ...]) -> None:
        """Back to ``mark`` (a batch's transaction was rolled back: its ids do not exist)."""
        with self.lock:
            self.ids, self.clusters, self.pending = (dict(m) for m in mark)

    def cluster_of(self, target: tuple[str, str]) -> int | None:
        return self.clusters.get(target) or self.ids.get(target)

    def resolve(self, session: Session) -> int:
        """Move pending posts into their cluster where its first post is stored now."""
        with self.lock:
            moves = [(pid, c) for pid, t in self.pending.items() if (c := self.cluster_of(t))]
            for pid, _cluster in moves:
                del self.pending[pid]
        for pid, cluster in moves:
            if cluster != pid:
                crawl_store.move_cluster(session, pid, cluster)
        return len(moves)


_SHARED: dict[str, StoreState] = {}
_SHARED_LOCK = threading.Lock()


def shared_state(key: str) -> StoreState:
    """The process's store state for one database (``key``: its URL)."""
    with _SHARED_LOCK:
        return _SHARED.setdefault(key, StoreState())


def resolve_all() -> int:
    """After every crawl of the process has finished: settle the remaining pending posts."""
    with _SHARED_LOCK:
        states = [(url, st) for url, st in _SHARED.items() if st.pending]
    moved = 0
    for url, state in states:
        database = Database(url)
        try:
            with database.session() as s:
                moved += state.resolve(s)
        finally:
            database.dispose()
    return moved


def store_batch(
    session: Session,
    items: Sequence[PostItem],
    state: StoreState,
    words: Mapping[int, list[str]] | None = None,
) -> StoreResult:
    """Upsert ``items`` and everything that needs their ids. Does not commit. ``words``: the
    full-text index words of some items, by position (:class:`~yuqing.crawler.tagging.Tagged`).

    Clusters: an item that copies another resolves to that post's cluster. An item that
    starts a cluster of its own first checks the database for an exact copy stored meanwhile
    by another crawl (sources crawled at the same time); the earliest one's cluster wins.
    """
    words = words or {}
    result = upsert_posts(session, [record(i, words.get(n)) for n, i in enumerate(items)])
    pids = result.ids
    with state.lock:
        for item, pid in zip(items, pids, strict=True):
            state.ids[(item.source, item.key)] = pid
    roots = [
        i
        for i, item in enumerate(items)
        if item.cluster is None or item.cluster == ClusterRef(source=item.source, key=item.key)
    ]
    copies = crawl_store.earliest_clusters(
        session, [items[i].content_hash or "" for i in roots], pids
    )
    clusters: list[tuple[int, int]] = []
    for i, (item, pid) in enumerate(zip(items, pids, strict=True)):
        ref, own = item.cluster, (item.source, item.key)
        if ref is not None and ref.cluster_id is not None:
            cluster = ref.cluster_id
        elif i in roots:
            found = copies.get(item.content_hash or "")
            cluster = found if found is not None and found < pid else pid
        else:
            target = (ref.source or "", ref.key or "") if ref is not None else own
            with state.lock:
                found = state.cluster_of(target)
                if found is None:
                    state.pending[pid] = target
            cluster = found or pid
        with state.lock:
            state.clusters[own] = cluster
        clusters.append((pid, cluster))
    parents: list[tuple[int, int]] = []
    missing_parents: dict[str, list[tuple[int, str]]] = {}
    tags: list[tuple[int, TagRecord]] = []
    for item, pid in zip(items, pids, strict=True):
        parent = item.parent_key
        if parent is not None:
            if (item.source, parent) in state.ids:
                parents.append((pid, state.ids[(item.source, parent)]))
            else:
                missing_parents.setdefault(item.source, []).append((pid, parent))
        if item.tags is not None:
            tags.append((pid, item.tags))
    for source, wanted in missing_parents.items():
        found_ids = crawl_store.post_ids(session, source, [k for _, k in wanted])
        parents.extend((pid, found_ids[k]) for pid, k in wanted if k in found_ids)
    crawl_store.assign_clusters(session, clusters)
    if state.pending:
        state.resolve(session)
    crawl_store.assign_parents(session, parents)
    n_tags = upsert_tags(session, tags)
    return StoreResult(new=result.new, updated=result.updated, tags=n_tags)


@dataclass
class WriteTotals:
    """What the store stage did for one crawl (merged from batches, possibly in a worker)."""

    new: int = 0
    updated: int = 0
    tags: int = 0
    tag_errors: int = 0
    failed_items: int = 0
    errors: list[str] = field(default_factory=list)
    newest: datetime | None = None
    near_duplicates: int = 0  # clustered in the store worker (else counted by the dedupe stage)

    def add(self, other: WriteTotals) -> None:
        self.new += other.new
        self.updated += other.updated
        self.tags += other.tags
        self.tag_errors += other.tag_errors
        self.failed_items += other.failed_items
        self.near_duplicates += other.near_duplicates
        self.errors.extend(other.errors[: max(0, MAX_ERRORS - len(self.errors))])
        if other.newest is not None and (self.newest is None or other.newest > self.newest):
            self.newest = other.newest

    def fail(self, count: int, exc: BaseException | str) -> None:
        self.failed_items += count
        if len(self.errors) < MAX_ERRORS:
            text = exc if isinstance(exc, str) else f"{type(exc).__name__}: {exc}"
            self.errors.append(f"store: {text}"[:300])


MAX_ERRORS = 20


def _store(
    database: Database,
    items: Sequence[PostItem],
    state: StoreState,
    words: Mapping[int, list[str]] | None = None,
) -> StoreResult:
    """One transaction; on failure the shared state forgets what the batch added."""
    mark = state.checkpoint()
    try:
        with database.session() as s:
            return store_batch(s, items, state, words)
    except BaseException:
        state.restore(mark)
        raise


def write_batch(
    database: Database,
    tagging: TagStage | None,
    state: StoreState,
    batch: Sequence[PostItem],
    index: DedupIndex | None = None,
) -> WriteTotals:
    """Tag and store one batch (clustering its posts first with ``index`` where the dedupe
    stage left that to the writer). A batch that cannot be stored is stored again post by
    post, so one bad post costs only itself; each post that still fails is counted (never
    lost silently). Never raises for a bad batch."""
    totals = WriteTotals()
    if index is not None:
        totals.near_duplicates = sum(index.assign(i) for i in batch if i.content_hash is None)
    words: dict[int, list[str]] = {}
    if tagging is not None:
        tagged = tagging.tag(batch)
        totals.tag_errors += tagged.failed
        words = tagged.words
    stored: Sequence[PostItem] = batch
    try:
        result = _store(database, batch, state, words)
    except Exception as exc:  # one failed batch must not end the crawl
        if len(batch) == 1:
            log.exception("could not store a post: %s", batch[0].url)
            totals.fail(1, exc)
            return totals
        log.warning(
            "could not store a batch of %d posts (%s: %s): storing them one by one",
            len(batch),
            type(exc).__name__,
            exc,
        )
        result, ok = StoreResult(), []
        for n, item in enumerate(batch):
            try:
                one = _store(database, [item], state, {0: words[n]} if n in words else None)
            except Exception as item_exc:
                log.exception("could not store a post: %s", item.url)
                totals.fail(1, item_exc)
                continue
            result.new, result.updated = result.new + one.new, result.updated + one.updated
            result.tags += one.tags
            ok.append(item)
        stored = ok
    totals.new, totals.updated, totals.tags = result.new, result.updated, result.tags
    times = [i.published_at for i in stored if i.published_at is not None]
    totals.newest = max(times) if times else None
    return totals


_POOLS: dict[str, ThreadPoolExecutor] = {}


def _pool_for(key: str) -> ThreadPoolExecutor:
    """One writer thread per database per process: writes to a database never contend."""
    with _SHARED_LOCK:
        pool = _POOLS.get(key)
        if pool is None:
            pool = _POOLS[key] = ThreadPoolExecutor(1, thread_name_prefix="yuqing-store")
        return pool


class BatchWriter:
    """Tags and stores batches on the process's writer thread for the database, in order, so
    the crawl keeps fetching and parsing meanwhile (SQLite and most of the tagger release the
    GIL part of the time). At most ``max_pending`` batches wait; more makes :meth:`submit`
    block, which slows the crawl to the writer's pace. ``threaded=False`` writes in the
    caller's thread. (The crawl process uses :mod:`yuqing.crawler.worker` instead: a process
    of its own, so tagging does not compete with the crawl for the GIL.)"""

    def __init__(
        self,
        database: Callable[[], Database],
        tagging: TagStage | None,
        threaded: bool = True,
        max_pending: int = 4,
        state: StoreState | None = None,
        key: str = "",
        index: DedupIndex | None = None,
    ) -> None:
        self.database = database
        self.tagging = tagging
        self.index = index
        self.state = state or StoreState()
        self.totals = WriteTotals()
        self.max_pending = max_pending
        self._pool = _pool_for(key or str(id(self.state))) if threaded else None
        self._pending: deque[Future[None]] = deque()

    def submit(self, batch: list[PostItem]) -> None:
        if not batch:
            return
        if self._pool is None:
            self._write(batch)
            return
        while len(self._pending) >= self.max_pending:
            self._pending.popleft().result()
        self._pending.append(self._pool.submit(self._write, batch))

    def drain(self) -> None:
        """Wait until every submitted batch is written."""
        while self._pending:
            self._pending.popleft().result()

    def finish(self) -> WriteTotals:
        self.drain()
        if self.state.pending:
            try:
                with self.database().session() as s:
                    self.state.resolve(s)
            except Exception:
                log.exception("could not settle the clusters of reposts")
        return self.totals

    def _write(self, batch: list[PostItem]) -> None:
        self.totals.add(write_batch(self.database(), self.tagging, self.state, batch, self.index))
