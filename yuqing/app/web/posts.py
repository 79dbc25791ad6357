"""The analysts' post list: filters over posts and their current tags, newest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from yuqing.alerts.key_posts import reply_headings
from yuqing.app.web.highlight import highlight_terms, snippet
from yuqing.app.web.labels import SECTORS
from yuqing.app.web.params import parse_page
from yuqing.store.models import Post, PostTag, Source

PAGE_SIZE = 50
FLAGS = ("shutdown", "blanket", "complaint", "licensed")


@dataclass
class PostFilter:
    source: str = ""
    sector: str = ""
    district: str = ""
    flag: str = ""  # one of FLAGS, "untagged", or ""
    page: int = 1

    @classmethod
    def parse(cls, params: dict[str, str], districts: list[str], sources: list[str]) -> PostFilter:
        return cls(
            source=v if (v := params.get("source", "")) in sources else "",
            sector=v if (v := params.get("sector", "")) in SECTORS else "",
            district=v if (v := params.get("district", "")) in districts else "",
            flag=v if (v := params.get("flag", "")) in (*FLAGS, "untagged") else "",
            page=parse_page(params),
        )

    def params(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "sector": self.sector,
            "district": self.district,
            "flag": self.flag,
        }


@dataclass
class PostRow:
    post: Post
    source: str
    tags: PostTag | None
    parts: list[tuple[str, bool]]
    heading: str = ""  # 回复：<thread title> for a forum reply
    thread_url: str = ""


def list_posts(
    session: Session, f: PostFilter, lo: datetime, hi: datetime
) -> tuple[list[PostRow], bool]:
    stmt = (
        select(Post, Source.name, PostTag)
        .join(Source, Source.id == Post.source_id)
        .outerjoin(PostTag, PostTag.post_id == Post.id)
        .where(Post.published_at >= lo, Post.published_at < hi)
    )
    if f.source:
        stmt = stmt.where(Source.name == f.source)
    if f.sector:
        stmt = stmt.where(PostTag.sector == f.sector)
    if f.district:
        stmt = stmt.where(PostTag.district == f.district)
    if f.flag == "untagged":
        stmt = stmt.where(PostTag.id.is_(None))
    elif f.flag:
        stmt = stmt.where(getattr(PostTag, f.flag).is_(True))
    stmt = (
        stmt.order_by(Post.published_at.desc(), Post.id.desc())
        .offset((f.page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE + 1)
    )
    rows = []
    result = session.execute(stmt).all()
    for post, source, tags in result[:PAGE_SIZE]:
        both = f"{post.title}\n{post.text}"
        terms = highlight_terms(tags.evidence, both) if tags is not None else []
        rows.append(PostRow(post, source, tags, snippet(post.text, terms, title=post.title)))
    replies = reply_headings(session, [r.post.id for r in rows if r.post.parent_id is not None])
    for r in rows:
        r.heading, r.thread_url = replies.get(r.post.id, ("", ""))
    return rows, len(result) > PAGE_SIZE
