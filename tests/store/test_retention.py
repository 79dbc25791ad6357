"""Retention purge: posts older than retention_days go, with their tags; the rest stay."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from yuqing.store.models import (
    Incident,
    IncidentPost,
    Post,
    PostTag,
    Source,
    TriageDepartment,
    TriageItem,
)
from yuqing.store.retention import purge
from yuqing.store.session import Database


def _post(s: Any, source_id: int, n: int, published: Any, parent: int | None = None) -> int:
    post = Post(
        source_id=source_id,
        dedup_key=f"k{n}",
        url=f"https://x.cn/{n}",
        title=f"t{n}",
        text="正文",
        published_at=published,
        content_hash=f"h{n}",
        parent_id=parent,
    )
    s.add(post)
    s.flush()
    s.add(
        PostTag(
            post_id=post.id,
            model_version="v1",
            shutdown=False,
            shutdown_score=0.1,
            blanket=False,
            complaint=True,
            complaint_score=0.9,
            sector="other",
            sector_score=0.5,
            district=None,
            licensed=False,
        )
    )
    return post.id


def _count(db: Database, model: Any) -> int:
    with db.session() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_purge_deletes_old_posts_and_their_tags_only(database: Database, clock: Any) -> None:
    now = clock()
    with database.session() as s:
        src = Source(name="demo", kind="feed")
        s.add(src)
        s.flush()
        old_ids = [_post(s, src.id, i, now - timedelta(days=400 + i)) for i in range(5)]
        keep = _post(s, src.id, 99, now - timedelta(days=10), parent=old_ids[0])
        inc = Incident(
            fingerprint="f", rule="complaint", severity="normal", opened_at=now, updated_at=now
        )
        s.add(inc)
        s.flush()
        s.add_all(
            [
                IncidentPost(incident_id=inc.id, post_id=old_ids[1]),
                IncidentPost(incident_id=inc.id, post_id=keep),
            ]
        )
    result = purge(database, retention_days=365, now=now, batch=2)  # several batches
    assert (result.posts, result.tags) == (5, 5)
    assert result.cutoff == now - timedelta(days=365)
    with database.session() as s:
        assert list(s.scalars(select(Post.id))) == [keep]
        assert s.scalar(select(Post.parent_id).where(Post.id == keep)) is None
        assert list(s.scalars(select(IncidentPost.post_id))) == [keep]
    assert _count(database, PostTag) == 1
    assert _count(database, Incident) == 1  # incidents are kept
    assert purge(database, retention_days=365, now=now).posts == 0


def test_purge_takes_queued_triage_items_along(database: Database, clock: Any) -> None:
    """Issue 11: a purged post leaves no 待研判 item behind (even without foreign keys)."""
    now = clock()
    with database.session() as s:
        src = Source(name="demo", kind="feed")
        s.add(src)
        s.flush()
        old, keep = _post(s, src.id, 1, now - timedelta(days=400)), _post(s, src.id, 2, now)
        for pid in (old, keep):
            item = TriageItem(
                post_id=pid,
                fields=["shutdown"],
                rules=["shutdown-report"],
                shutdown_score=0.6,
                blanket_score=0.1,
                locality="",
            )
            s.add(item)
            s.flush()
            s.add(TriageDepartment(item_id=item.id, department_code="lsq"))
    assert purge(database, retention_days=365, now=now).posts == 1
    with database.session() as s:
        assert list(s.scalars(select(TriageItem.post_id))) == [keep]
    assert _count(database, TriageDepartment) == 1
