"""Writing posts and tags: batched, idempotent upserts that work on SQLite and PostgreSQL.

A post is keyed within its source on its external id when the site gives one, else on its
canonical URL. Re-crawling a post updates its metrics (likes, replies, reposts), its text if
it was edited, and ``fetched_at``; it never creates a second row.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from yuqing.store import fts
from yuqing.store.models import Post, PostTag, Source
from yuqing.store.types import utcnow

# Columns refreshed when a known post is seen again.
REFRESHED = (
    "title",
    "text",
    "content_hash",
    "simhash",
    "likes",
    "replies",
    "reposts",
    "fetched_at",
)
BATCH = 500


def dedup_key(external_id: str | None, url: str) -> str:
    basis = f"id:{external_id}" if external_id else f"url:{url}"
    return hashlib.sha1(basis.encode("utf-8")).hexdigest()


def signed64(value: int | None) -> int | None:
    """Store an unsigned 64-bit simhash in a signed BIGINT column."""
    if value is None:
        return None
    return value - (1 << 64) if value >= (1 << 63) else value


def unsigned64(value: int | None) -> int | None:
    if value is None:
        return None
    return value + (1 << 64) if value < 0 else value


@dataclass
class PostRecord:
    """A cleaned post, ready to store. ``published_at`` and ``fetched_at`` must be aware."""

    source: str
    url: str
    title: str
    text: str
    published_at: datetime
    content_hash: str
    external_id: str | None = None
    author_hash: str | None = None
    fetched_at: datetime = field(default_factory=utcnow)
    simhash: int | None = None
    cluster_id: int | None = None
    likes: int | None = None
    replies: int | None = None
    reposts: int | None = None
    raw_ref: str | None = None
    # The full-text index's words for this title and text, when the writer has segmented them
    # already (see yuqing.store.fts.Indexable); None: the index segments the text itself.
    words: list[str] | None = field(default=None, repr=False)

    @property
    def key(self) -> str:
        return dedup_key(self.external_id, self.url)


@dataclass
class TagRecord:
    model_version: str
    shutdown: bool
    shutdown_score: float
    blanket: bool
    complaint: bool
    complaint_score: float
    sector: str
    sector_score: float
    district: str | None
    licensed: bool
    blanket_score: float = 0.0
    licensed_score: float = 0.0
    district_match: str | None = None
    custom: dict[str, Any] = field(default_factory=dict)
    evidence: dict[str, Any] = field(default_factory=dict)

    @property
    def city_mentioned(self) -> bool:
        """The text names the configured city itself (齐齐哈尔 / 齐市 / 鹤城 …), whether or not a
        district resolves; the name as spelled is ``evidence["city"]`` (stored with the tags)."""
        return bool(self.evidence.get("city"))


@dataclass
class UpsertResult:
    new: int = 0
    updated: int = 0
    ids: list[int] = field(default_factory=list)  # in input order
    new_ids: list[int] = field(default_factory=list)


def ensure_source(
    session: Session, name: str, kind: str = "", config: dict[str, Any] | None = None
) -> int:
    """The id of source ``name``, creating its row if needed (config and kind kept current)."""
    row = session.execute(select(Source).where(Source.name == name)).scalar_one_or_none()
    if row is None:
        row = Source(name=name, kind=kind or "unknown", config=config or {})
        session.add(row)
        session.flush()
    elif config is not None and (row.config != config or (kind and row.kind != kind)):
        row.config, row.kind = config, kind or row.kind
    return row.id


def _dialect(session: Session) -> str:
    name = session.get_bind().dialect.name
    if name not in ("postgresql", "sqlite"):
        raise NotImplementedError(f"upsert is not implemented for {name}")
    return name


# The upserts are built once per dialect and sent with the rows as a parameter list (one
# executemany: SQLAlchemy compiles the statement once and caches it, and its "insertmanyvalues"
# sends the rows as multi-row INSERTs, RETURNING included). A statement with the rows inlined
# (``.values([...])``) would be compiled again for every batch, which cost ten times the write.
@lru_cache(maxsize=4)
def _post_upsert(dialect: str) -> Any:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = Post.__table__
    stmt = insert(Post)
    return stmt.on_conflict_do_update(
        index_elements=["source_id", "dedup_key"],
        set_={col: stmt.excluded[col] for col in (*REFRESHED, "updated_at")},
    ).returning(table.c.id, table.c.source_id, table.c.dedup_key)


@lru_cache(maxsize=4)
def _tag_upsert(dialect: str) -> Any:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(PostTag)
    return stmt.on_conflict_do_update(
        index_elements=["post_id"], set_={c: stmt.excluded[c] for c in _TAG_COLUMNS}
    )


_TAG_FIELDS = tuple(f.name for f in fields(TagRecord))
_TAG_COLUMNS = (*_TAG_FIELDS, "tagged_at")


def upsert_posts(session: Session, records: Sequence[PostRecord]) -> UpsertResult:
    """Insert new posts and refresh known ones, in batches. Duplicate keys inside one call
    collapse to the last record. Does not commit."""
    result = UpsertResult()
    if not records:
        return result
    stmt = _post_upsert(_dialect(session))
    source_ids: dict[str, int] = {}
    indexable: dict[int, fts.Indexable] = {}
    for start in range(0, len(records), BATCH):
        chunk = records[start : start + BATCH]
        rows: dict[tuple[int, str], dict[str, Any]] = {}
        for rec in chunk:
            sid = source_ids.get(rec.source)
            if sid is None:
                sid = source_ids[rec.source] = ensure_source(session, rec.source)
            key = rec.key
            rows[(sid, key)] = {
                "source_id": sid,
                "dedup_key": key,
                "url": rec.url,
                "title": rec.title,
                "text": rec.text,
                "published_at": rec.published_at,
                "content_hash": rec.content_hash,
                "external_id": rec.external_id,
                "author_hash": rec.author_hash,
                "fetched_at": rec.fetched_at,
                "updated_at": rec.fetched_at,
                "simhash": signed64(rec.simhash),
                "cluster_id": rec.cluster_id,
                "likes": rec.likes,
                "replies": rec.replies,
                "reposts": rec.reposts,
                "raw_ref": rec.raw_ref,
            }
        existing = _existing_ids(session, rows.keys())
        returned = session.connection().execute(stmt, list(rows.values()))  # Core, not ORM bulk
        ids = {(sid, dkey): pid for pid, sid, dkey in returned}
        for rec in chunk:
            pid = ids[(source_ids[rec.source], rec.key)]
            result.ids.append(pid)
            # what was just stored (of duplicate keys, the last record: as in `rows`)
            indexable[pid] = fts.Indexable(fts.document(rec.title or "", rec.text or ""), rec.words)
        for row_key, pid in ids.items():
            if row_key in existing:
                result.updated += 1
            else:
                result.new += 1
                result.new_ids.append(pid)
    fts.sync_posts(session, result.ids, indexable)  # the Chinese full-text index (store/fts.py)
    return result


def _existing_ids(session: Session, keys: Iterable[tuple[int, str]]) -> set[tuple[int, str]]:
    by_source: dict[int, list[str]] = {}
    for sid, key in keys:
        by_source.setdefault(sid, []).append(key)
    found: set[tuple[int, str]] = set()
    for sid, dkeys in by_source.items():
        q = select(Post.source_id, Post.dedup_key).where(
            Post.source_id == sid, Post.dedup_key.in_(dkeys)
        )
        found.update((s, k) for s, k in session.execute(q))
    return found


def upsert_tags(session: Session, tags: Sequence[tuple[int, TagRecord]]) -> int:
    """Replace the current tags of each post. Does not commit."""
    if not tags:
        return 0
    stmt = _tag_upsert(_dialect(session))
    now = utcnow()
    for start in range(0, len(tags), BATCH):
        rows = [
            {**{f: getattr(t, f) for f in _TAG_FIELDS}, "post_id": pid, "tagged_at": now}
            for pid, t in tags[start : start + BATCH]
        ]
        session.connection().execute(stmt, rows)
    return len(tags)
