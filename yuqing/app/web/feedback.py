"""Feedback on a post's tags, stored for retraining (``feedback`` table) and audit-logged.

Values are strings: ``"1"``/``"0"`` for shutdown, blanket, complaint and licensed; a sector
code; a district name or ``""`` (none). Marking a false positive stores ``false_positive=1``.
Feedback never changes the current tags: the next model does.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from yuqing.app.web.audit import audit
from yuqing.app.web.errors import WebError
from yuqing.app.web.labels import SECTORS
from yuqing.store.models import Feedback, PostTag

BOOL_TAGS = ("shutdown", "blanket", "complaint", "licensed")
FIELDS = (*BOOL_TAGS, "sector", "district")
MAX_NOTE = 2000


def _current(tags: PostTag | None, name: str) -> str | None:
    if tags is None:
        return None
    value = getattr(tags, name)
    if isinstance(value, bool):
        return "1" if value else "0"
    return "" if value is None else str(value)


def mark_false_positive(
    session: Session, post_id: int, *, actor: str, note: str, now: datetime, incident_id: int
) -> Feedback:
    row = Feedback(
        post_id=post_id,
        actor=actor,
        field="false_positive",
        old_value=None,
        new_value="1",
        note=note.strip()[:MAX_NOTE],
        created_at=now,
    )
    session.add(row)
    audit(
        session,
        actor,
        "feedback.false_positive",
        "post",
        post_id,
        {"incident": incident_id, "note": row.note},
        at=now,
    )
    return row


def correct_tags(
    session: Session,
    post_id: int,
    changes: dict[str, str],
    *,
    actor: str,
    note: str,
    districts: list[str],
    now: datetime,
    incident_id: int,
) -> list[Feedback]:
    """One feedback row per tag whose corrected value differs from the current one."""
    tags = session.scalar(select(PostTag).where(PostTag.post_id == post_id))
    rows = []
    for name, value in changes.items():
        value = value.strip()
        if name not in FIELDS:
            raise WebError(f"unknown tag {name!r}", f"未知的标签 {name}")
        ok = (
            value in ("0", "1")
            if name in BOOL_TAGS
            else value in SECTORS
            if name == "sector"
            else value == "" or value in districts
        )
        if not ok:
            raise WebError(f"invalid value {value!r} for {name}", f"标签 {name} 的取值无效")
        old = _current(tags, name)
        if old == value:
            continue
        rows.append(
            Feedback(
                post_id=post_id,
                actor=actor,
                field=name,
                old_value=old,
                new_value=value,
                note=note.strip()[:MAX_NOTE],
                created_at=now,
            )
        )
    if not rows:
        raise WebError("no tag changed", "未修改任何标签")
    session.add_all(rows)
    audit(
        session,
        actor,
        "feedback.correct",
        "post",
        post_id,
        {
            "incident": incident_id,
            "changes": {r.field: [r.old_value, r.new_value] for r in rows},
            "note": note.strip()[:MAX_NOTE],
        },
        at=now,
    )
    return rows
