"""The item every spider yields: a post as found on the page, filled in by the pipelines.

Spiders set the *raw* fields (strings as extracted; ``published`` may be a string or a number).
The pipelines add the rest: validate → ``published_at``; normalize → clean title/text,
canonical ``url``, ``author_hash``; dedupe → ``content_hash``, ``simhash``, ``cluster``;
tag → ``tags``; store writes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from yuqing.store.posts import TagRecord, dedup_key


@dataclass
class PostItem:
    source: str
    url: str | None
    title: str | None = None
    text: str | None = None
    published: Any = None
    author: str | None = None
    external_id: str | None = None
    replies: int | None = None
    likes: int | None = None
    reposts: int | None = None
    parent_url: str | None = None
    parent_external_id: str | None = None
    found_on: str | None = None
    time_format: str = "auto"
    required: tuple[str, ...] = ("title", "text", "published")
    timezone: str | None = None  # the source's, for times printed without a zone

    # set by the pipelines
    # True when the post's date was missing or could not be read (and was optional):
    # published_at is then the time the post was first seen (issue 12).
    published_guessed: bool = False
    published_at: datetime | None = None
    author_hash: str | None = None
    content_hash: str | None = None
    simhash: int | None = None
    form: str | None = field(default=None, repr=False)
    cluster: ClusterRef | None = None
    tags: TagRecord | None = None
    tag_pending: bool = False

    @property
    def key(self) -> str:
        return dedup_key(self.external_id, self.url or "")

    @property
    def parent_key(self) -> str | None:
        if not (self.parent_external_id or self.parent_url):
            return None
        return dedup_key(self.parent_external_id, self.parent_url or "")


@dataclass(frozen=True)
class ClusterRef:
    """The first post of a near-duplicate cluster: a stored post (its cluster id) or an item
    of this crawl not stored yet (its source and dedup key, resolved at the store stage)."""

    cluster_id: int | None = None
    source: str | None = None
    key: str | None = None
