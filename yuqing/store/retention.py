"""Retention: delete posts older than ``settings.retention_days`` together with their tags.

Run daily by the scheduler. Deletes in batches so that neither SQLite nor PostgreSQL holds a
long write transaction. Rows that point at a deleted post go with it (incident links,
feedback) or lose the pointer (replies' ``parent_id``); incidents themselves are kept.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update

from yuqing.store.models import (
    Feedback,
    IncidentPost,
    Post,
    PostTag,
    TriageDepartment,
    TriageItem,
)
from yuqing.store.session import Database
from yuqing.store.types import utcnow

log = logging.getLogger(__name__)
BATCH = 1000


@dataclass(frozen=True)
class PurgeResult:
    cutoff: datetime
    posts: int
    tags: int


def purge(
    db: Database, retention_days: int, now: datetime | None = None, batch: int = BATCH
) -> PurgeResult:
    """Delete posts published before ``now - retention_days`` (and their tags)."""
    cutoff = (now or utcnow()) - timedelta(days=retention_days)
    posts = tags = 0
    while True:
        with db.session() as s:
            ids = list(s.scalars(select(Post.id).where(Post.published_at < cutoff).limit(batch)))
            if not ids:
                break
            # Explicit deletes, not only ON DELETE CASCADE: correct even where foreign keys
            # are not enforced.
            opts = {"synchronize_session": False}
            tags += _count(
                s.execute(delete(PostTag).where(PostTag.post_id.in_(ids)), execution_options=opts)
            )
            s.execute(
                delete(IncidentPost).where(IncidentPost.post_id.in_(ids)), execution_options=opts
            )
            s.execute(delete(Feedback).where(Feedback.post_id.in_(ids)), execution_options=opts)
            queued = select(TriageItem.id).where(TriageItem.post_id.in_(ids))
            s.execute(
                delete(TriageDepartment).where(TriageDepartment.item_id.in_(queued)),
                execution_options=opts,
            )
            s.execute(delete(TriageItem).where(TriageItem.post_id.in_(ids)), execution_options=opts)
            s.execute(
                update(Post).where(Post.parent_id.in_(ids)).values(parent_id=None),
                execution_options=opts,
            )
            posts += _count(s.execute(delete(Post).where(Post.id.in_(ids)), execution_options=opts))
    if posts:
        log.info(
            "retention: deleted %d posts and %d tag rows published before %s",
            posts,
            tags,
            cutoff.isoformat(),
        )
    return PurgeResult(cutoff, posts, tags)


def _count(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
