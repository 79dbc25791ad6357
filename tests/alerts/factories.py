"""Small factories for alerts tests: posts and tags written through the store's own upserts."""

from __future__ import annotations

import hashlib
import itertools
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from yuqing.config import Config, load
from yuqing.store.posts import PostRecord, TagRecord, upsert_posts, upsert_tags
from yuqing.store.session import Database

_seq = itertools.count(1)


def tags(
    *,
    shutdown: bool = False,
    blanket: bool = False,
    complaint: bool = False,
    licensed: bool = False,
    sector: str = "other",
    district: str | None = None,
    custom: dict[str, Any] | None = None,
    evidence: dict[str, Any] | None = None,
) -> TagRecord:
    return TagRecord(
        model_version="test",
        shutdown=shutdown,
        shutdown_score=1.0 if shutdown else 0.1,
        blanket_score=1.0 if blanket else 0.1,
        blanket=blanket,
        complaint=complaint,
        complaint_score=0.8 if complaint else 0.1,
        sector=sector,
        sector_score=0.7,
        district=district,
        licensed=licensed,
        custom=custom or {},
        evidence=evidence or {},
    )


def blanket(district: str | None = "龙沙区", sector: str = "life_services", **kw: Any) -> TagRecord:
    return tags(shutdown=True, blanket=True, district=district, sector=sector, **kw)


def add_posts(
    db: Database,
    tag_list: list[TagRecord],
    *,
    published: datetime,
    source: str = "demo-board",
    cluster_ids: list[int | None] | None = None,
    texts: list[str] | None = None,
) -> list[int]:
    """Store one post per tag record (published at ``published``) and tag it; returns ids."""
    records = []
    for i, _ in enumerate(tag_list):
        n = next(_seq)
        text = texts[i] if texts else f"第{n}条：龙沙区烧烤店被一刀切全部关停，证照齐全也不行。"
        records.append(
            PostRecord(
                source=source,
                url=f"https://demo.example/posts/{n}",
                title=f"帖子{n}",
                text=text,
                published_at=published - timedelta(seconds=i),
                content_hash=hashlib.sha1(f"{n}{text}".encode()).hexdigest(),
                external_id=str(n),
                cluster_id=cluster_ids[i] if cluster_ids else None,
            )
        )
    with db.session() as s:
        ids = upsert_posts(s, records).ids
        upsert_tags(s, list(zip(ids, tag_list, strict=True)))
    return ids


def retag(db: Database, post_ids: list[int], tag_list: list[TagRecord]) -> None:
    with db.session() as s:
        upsert_tags(s, list(zip(post_ids, tag_list, strict=True)))


def load_config(tmp_path: Path, **files: str) -> Config:
    """The shipped defaults overlaid with ``files`` (``routing="..."`` → conf/routing.yaml)."""
    conf = tmp_path / "conf"
    conf.mkdir(exist_ok=True)
    for name, text in files.items():
        (conf / f"{name}.yaml").write_text(text, encoding="utf-8")
    return load(conf, overrides={"data_dir": str(tmp_path / "var")}, env={})
