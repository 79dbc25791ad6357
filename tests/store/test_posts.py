"""Batched, idempotent upserts of posts and tags."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from yuqing.store.models import Post, PostTag, Source
from yuqing.store.posts import (
    PostRecord,
    TagRecord,
    dedup_key,
    signed64,
    unsigned64,
    upsert_posts,
    upsert_tags,
)
from yuqing.store.session import Database

T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def record(i: int, source: str = "board", **kw: object) -> PostRecord:
    values: dict[str, object] = dict(
        source=source,
        url=f"https://example.gov.cn/msg/{i}",
        external_id=f"m{i}",
        title=f"标题{i}",
        text=f"正文{i}",
        published_at=T0 + timedelta(minutes=i),
        content_hash=f"{i:040d}",
        likes=i,
        replies=0,
        simhash=(1 << 63) + i,
    )
    values.update(kw)
    return PostRecord(**values)  # type: ignore[arg-type]


def count(db: Database, model: type) -> int:
    with db.session() as s:
        return int(s.execute(select(func.count()).select_from(model)).scalar_one())


def test_recrawl_updates_metrics_and_never_duplicates(database: Database) -> None:
    with database.session() as s:
        first = upsert_posts(s, [record(i) for i in range(1200)])  # more than one batch
    assert (first.new, first.updated) == (1200, 0)
    with database.session() as s:
        again = upsert_posts(s, [record(i, likes=100 + i, replies=5) for i in range(1195, 1205)])
    assert (again.new, again.updated) == (5, 5)
    assert again.ids[:5] == first.ids[1195:1200]
    assert count(database, Post) == 1205
    assert count(database, Source) == 1
    with database.session() as s:
        post = s.execute(select(Post).where(Post.external_id == "m1199")).scalar_one()
        assert (post.likes, post.replies) == (1299, 5)
        assert post.published_at == T0 + timedelta(minutes=1199)  # aware, UTC, unchanged
        assert unsigned64(post.simhash) == (1 << 63) + 1199


def test_key_is_external_id_else_canonical_url(database: Database) -> None:
    with database.session() as s:
        upsert_posts(s, [record(1, external_id=None), record(2)])
        result = upsert_posts(
            s, [record(1, external_id=None, likes=9), record(2, url="https://example.gov.cn/moved")]
        )
    assert (result.new, result.updated) == (0, 2)
    assert dedup_key(None, "u") != dedup_key("u", "u")


def test_same_key_in_two_sources_is_two_posts(database: Database) -> None:
    with database.session() as s:
        result = upsert_posts(s, [record(1, source="a"), record(1, source="b")])
    assert result.new == 2 and count(database, Source) == 2


def test_duplicates_within_one_batch_collapse(database: Database) -> None:
    with database.session() as s:
        result = upsert_posts(s, [record(1, likes=1), record(1, likes=2)])
    assert result.ids[0] == result.ids[1] and count(database, Post) == 1


def test_tags_are_replaced_not_duplicated(database: Database) -> None:
    tag = TagRecord(
        model_version="v1",
        shutdown=True,
        shutdown_score=0.9,
        blanket=True,
        complaint=True,
        complaint_score=0.8,
        sector="life_services",
        sector_score=0.7,
        district="龙沙区",
        licensed=False,
        evidence={"shutdown": ["关停"]},
    )
    with database.session() as s:
        ids = upsert_posts(s, [record(1), record(2)]).ids
        upsert_tags(s, [(ids[0], tag), (ids[1], tag)])
        tag.model_version, tag.sector = "v2", "construction"
        upsert_tags(s, [(ids[0], tag)])
    assert count(database, PostTag) == 2
    with database.session() as s:
        row = s.execute(select(PostTag).where(PostTag.post_id == ids[0])).scalar_one()
        assert (row.model_version, row.sector, row.evidence) == (
            "v2",
            "construction",
            {"shutdown": ["关停"]},
        )


def test_signed64_round_trip() -> None:
    for v in (0, 1, (1 << 63) - 1, 1 << 63, (1 << 64) - 1):
        s = signed64(v)
        assert s is not None and -(1 << 63) <= s < (1 << 63)
        assert unsigned64(s) == v
