"""The 待研判 queue: posts whose shutdown or blanket score fell in the uncertain band wait here
for a person instead of opening an incident (:mod:`yuqing.alerts.triage`).

Scoped like incidents: an officer sees (and answers) the items whose incidents would be routed
to their department; analysts and admins see all of them. Confirming opens and routes the
incidents; rejecting records the answer; both are feedback for the next model and audit-logged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import ColumnElement, func, select, true
from sqlalchemy.orm import Session

from yuqing.alerts import triage as actions
from yuqing.alerts.context import context_for
from yuqing.alerts.errors import AlertsError
from yuqing.alerts.evidence import SNIPPET_CHARS
from yuqing.alerts.key_posts import reply_headings
from yuqing.app.web.deps import csrf, get_web, incident_reader
from yuqing.app.web.highlight import highlight_terms, snippet
from yuqing.app.web.params import IdPath, parse_offset
from yuqing.app.web.render import CurrentUser, render
from yuqing.store.models import Post, PostTag, Source, TriageItem

router = APIRouter()
Reader = Annotated[CurrentUser, Depends(incident_reader)]
Note = Annotated[str, Form(max_length=4000)]
PAGE = 50
STATUS_ZH = {"pending": "待研判", "confirmed": "已确认", "rejected": "已排除", "all": "全部"}
FIELD_ZH = {"shutdown": "关停", "blanket": "一刀切"}


def visible(user: CurrentUser) -> ColumnElement[bool]:
    """A condition on ``TriageItem``: the items ``user`` may see."""
    if user.role == "officer":
        return TriageItem.id.in_(actions.departments_items(user.department_code or ""))
    if user.role in ("admin", "analyst"):
        return true()
    return ~true()


@dataclass
class Row:
    item: TriageItem
    title: str
    text: str
    url: str
    source: str
    published_at: Any
    departments: list[str]
    tags: PostTag | None
    snippet: list[tuple[str, bool]] = field(default_factory=list)
    heading: str = ""  # 回复：<thread title> for a forum reply

    @property
    def long(self) -> bool:
        """Longer than its snippet: the full text is shown on demand."""
        return len(self.text) > SNIPPET_CHARS


def _rows(s: Session, user: CurrentUser, status: str, offset: int) -> tuple[list[Row], bool]:
    q = (
        select(TriageItem, Post, Source.name, PostTag)
        .join(Post, Post.id == TriageItem.post_id)
        .join(Source, Source.id == Post.source_id)
        .outerjoin(PostTag, PostTag.post_id == Post.id)
        .where(visible(user))
    )
    if status != "all":
        q = q.where(TriageItem.status == status)
    q = q.order_by(TriageItem.created_at.desc(), TriageItem.id.desc())
    found = s.execute(q.limit(PAGE + 1).offset(offset)).all()
    rows = []
    for item, post, source, tags in found[:PAGE]:
        both = f"{post.title}\n{post.text}"
        terms = highlight_terms(tags.evidence, both) if tags is not None else []
        rows.append(
            Row(
                item,
                post.title or "",
                (post.text or "")[:400],
                post.url,
                source,
                post.published_at,
                actions.item_departments(s, item.id),
                tags,
                snippet(post.text or "", terms, title=post.title or ""),
            )
        )
    replies = reply_headings(s, [post.id for _i, post, _s, _t in found[:PAGE]])
    for row, (_item, post, _source, _tags) in zip(rows, found, strict=False):
        row.heading = replies.get(post.id, ("", ""))[0]
    return rows, len(found) > PAGE


def _counts(s: Session, user: CurrentUser) -> dict[str, int]:
    counts = dict(
        s.execute(
            select(TriageItem.status, func.count()).where(visible(user)).group_by(TriageItem.status)
        ).all()
    )
    out = {k: int(counts.get(k, 0)) for k in actions.STATUSES}
    out["all"] = sum(out.values())
    return out


def _page(request: Request, user: CurrentUser, error: str = "", status_code: int = 200) -> Response:
    web = get_web(request)
    status = request.query_params.get("status", "pending")
    if status not in STATUS_ZH:
        status = "pending"
    offset = parse_offset(dict(request.query_params))
    with web.db.session() as s:
        rows, has_next = _rows(s, user, status, offset)
        counts = _counts(s, user)
        s.expunge_all()
    return render(
        request,
        "triage.html",
        {
            "rows": rows,
            "has_next": has_next,
            "offset": offset,
            "page": PAGE,
            "status": status,
            "counts": counts,
            "status_zh": STATUS_ZH,
            "field_zh": FIELD_ZH,
            "bands": web.config.settings.triage.bands,
            "enabled": web.config.settings.triage.enabled,
            "error": error,
        },
        status_code=status_code,
    )


@router.get("/triage")
def triage_page(request: Request, user: Reader) -> Response:
    return _page(request, user)


def _answer(
    request: Request, user: CurrentUser, item_id: int, confirm: bool, note: str
) -> Response:
    web = get_web(request)
    try:
        with web.db.session() as s:
            seen = s.scalar(select(TriageItem.id).where(TriageItem.id == item_id, visible(user)))
            if seen is None:
                raise HTTPException(status_code=404, detail="not found")
            if confirm:
                actions.confirm(
                    s, context_for(web.config), item_id, user.username, note, now=web.now()
                )
            else:
                actions.reject(s, item_id, user.username, note, now=web.now())
    except AlertsError as exc:  # answered meanwhile by someone else
        return _page(request, user, f"操作未执行：{exc}", 409)
    done = "triage_confirmed" if confirm else "triage_rejected"
    return RedirectResponse(f"/triage?msg={done}", 303)


@router.post("/triage/{item_id}/confirm", dependencies=[Depends(csrf)])
def confirm(request: Request, user: Reader, item_id: IdPath, note: Note = "") -> Response:
    return _answer(request, user, item_id, True, note)


@router.post("/triage/{item_id}/reject", dependencies=[Depends(csrf)])
def reject(request: Request, user: Reader, item_id: IdPath, note: Note = "") -> Response:
    return _answer(request, user, item_id, False, note)
