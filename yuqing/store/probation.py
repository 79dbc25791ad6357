"""New sources on probation (issue 12).

A source crawled for the first time less than ``settings.source_probation_days`` ago, and not
confirmed by an admin, is *on probation*: its posts are stored and tagged as usual, but raise
no department alerts; the digest lists them under 新采集源试运行 instead. An admin ends the
probation early with ``yuqing sources confirm NAME`` or the web admin's 确认 button (both
audit-logged); otherwise it ends by itself when the source is old enough.

``first_seen_at`` is set by the source's first crawl run (:func:`mark_seen`), not when the row
is created: rows made by imports or tests (and sources that predate migration 0004) are never
on probation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yuqing.store.errors import StoreError
from yuqing.store.models import AuditLog, Post, Source
from yuqing.store.types import utcnow


class UnknownSource(StoreError):
    """No source of that name has been crawled yet."""

    exit_code = 2


@dataclass(frozen=True)
class OnProbation:
    """One source on probation, as the digest and ``yuqing sources list`` show it."""

    id: int
    name: str
    first_seen_at: datetime
    ends_at: datetime
    posts: int = 0


def mark_seen(session: Session, source_id: int, at: datetime | None = None) -> None:
    """Record the source's first crawl (once)."""
    row = session.get(Source, source_id)
    if row is not None and row.first_seen_at is None:
        row.first_seen_at = at or utcnow()


def on_probation(
    session: Session,
    days: int,
    now: datetime | None = None,
    with_posts_since: datetime | None = None,
) -> list[OnProbation]:
    """The sources on probation now (none when ``days`` is 0), with, if asked, how many posts
    each stored since ``with_posts_since``."""
    if days <= 0:
        return []
    now = now or utcnow()
    period = timedelta(days=days)
    rows = session.execute(
        select(Source.id, Source.name, Source.first_seen_at)
        .where(
            Source.confirmed_at.is_(None),
            Source.first_seen_at.is_not(None),
            Source.first_seen_at > now - period,
        )
        .order_by(Source.name)
    ).all()
    counts: dict[int, int] = {}
    if rows and with_posts_since is not None:
        counts = dict(
            session.execute(
                select(Post.source_id, func.count())
                .where(
                    Post.source_id.in_([r.id for r in rows]),
                    Post.fetched_at >= with_posts_since,
                )
                .group_by(Post.source_id)
            ).all()
        )
    return [
        OnProbation(r.id, r.name, r.first_seen_at, r.first_seen_at + period, counts.get(r.id, 0))
        for r in rows
    ]


def probation_ids(session: Session, days: int, now: datetime | None = None) -> set[int]:
    return {p.id for p in on_probation(session, days, now)}


def confirm(session: Session, name: str, actor: str, now: datetime | None = None) -> bool:
    """Confirm source ``name`` (ends its probation); audit-logged. False when it was
    confirmed already (nothing changes)."""
    row = session.execute(select(Source).where(Source.name == name)).scalar_one_or_none()
    if row is None:
        raise UnknownSource(
            f"source {name!r} has not been crawled yet (confirm it after its first crawl)"
        )
    if row.confirmed_at is not None:
        return False
    now = now or utcnow()
    row.confirmed_at, row.confirmed_by = now, actor
    session.add(
        AuditLog(
            at=now,
            actor=actor,
            action="source_confirm",
            object_type="source",
            object_id=name,
            detail={"first_seen_at": row.first_seen_at.isoformat() if row.first_seen_at else None},
        )
    )
    return True
