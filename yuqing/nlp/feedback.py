"""Tag corrections from the feedback table, as extra training examples.

A corrected post keeps its stored tags except the fields users corrected (the latest correction
of a field wins). ``field`` is a tag name (shutdown, blanket, complaint, licensed: 0/1;
sector: one of the sectors; district: recorded but not learned — districts come from the
gazetteer) or ``false_positive``, whose value lists the tags that were wrongly set (comma
separated; "1"/"true"/empty mean shutdown and blanket). blanket is cleared when shutdown is.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from yuqing.nlp.corpus import FLAGS, SECTORS, Example, parse_flag
from yuqing.store.models import Feedback, Post, PostTag
from yuqing.store.session import Database

FALSE_POSITIVE_DEFAULT = ("shutdown", "blanket")


@dataclass
class FeedbackSet:
    examples: list[Example] = field(default_factory=list)
    feedback_ids: list[int] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)


def _apply(labels: dict[str, Any], fb: Feedback, skipped: Counter[str]) -> None:
    name, value = fb.field.strip(), (fb.new_value or "").strip()
    if name in FLAGS:
        flag = parse_flag(value)
        if flag is None:
            skipped[f"{name}: bad value"] += 1
            return
        labels[name] = flag
    elif name == "sector":
        if value not in SECTORS:
            skipped["sector: unknown value"] += 1
            return
        labels["sector"] = value
    elif name == "district":
        skipped["district (not learned)"] += 1
    elif name == "false_positive":
        tags = [t.strip() for t in value.split(",") if t.strip() in FLAGS]
        for tag in tags or FALSE_POSITIVE_DEFAULT:
            labels[tag] = False
    else:
        skipped[f"unknown field {name!r}"] += 1


def collect(db: Database) -> FeedbackSet:
    """Every post with corrections, as an example labeled with its corrected tags."""
    out = FeedbackSet()
    with db.session() as s:
        rows = s.execute(
            select(Feedback, Post.title, Post.text, PostTag)
            .join(Post, Post.id == Feedback.post_id)
            .outerjoin(PostTag, PostTag.post_id == Feedback.post_id)
            .order_by(Feedback.post_id, Feedback.created_at, Feedback.id)
        ).all()
        by_post: dict[int, tuple[str, str, dict[str, Any] | None, list[Feedback]]] = {}
        for fb, title, text, tag in rows:
            if fb.post_id not in by_post:
                base = None
                if tag is not None:
                    base = {t: getattr(tag, t) for t in FLAGS} | {"sector": tag.sector}
                by_post[fb.post_id] = (title or "", text or "", base, [])
            by_post[fb.post_id][3].append(fb)
        for post_id, (title, text, base, fbs) in by_post.items():
            labels: dict[str, Any] = dict(base or {})
            for fb in fbs:
                _apply(labels, fb, out.skipped)
            out.feedback_ids.extend(fb.id for fb in fbs)
            if any(t not in labels for t in (*FLAGS, "sector")):
                out.skipped["post never tagged and not fully corrected"] += 1
                continue
            if not labels["shutdown"]:
                labels["blanket"] = False
            out.examples.append(Example(f"feedback:{post_id}", title, text, labels, "train"))
    return out


def mark_used(db: Database, ids: list[int], when: datetime) -> None:
    """Record that these corrections went into a model (first use only)."""
    with db.session() as s:
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            s.execute(
                update(Feedback)
                .where(Feedback.id.in_(chunk), Feedback.used_at.is_(None))
                .values(used_at=when)
            )
