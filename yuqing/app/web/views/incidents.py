"""The inbox, the incident page and the actions on incidents and their posts.

Actions call :mod:`yuqing.alerts.incidents` (which writes the audit log); feedback is stored by
:mod:`yuqing.app.web.feedback`. Every route resolves the incident through :mod:`scoping`, so an
officer gets 404 for another department's incident, whatever the route.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from yuqing.alerts import incidents as actions
from yuqing.alerts import locality
from yuqing.alerts.errors import AlertsError, ResolutionError
from yuqing.alerts.resolution import Outcome, required_for
from yuqing.alerts.resolution import parse as parse_resolution
from yuqing.app.web import feedback, handling
from yuqing.app.web.deps import csrf, get_web, incident_reader
from yuqing.app.web.errors import WebError
from yuqing.app.web.inbox import (
    colleagues,
    inbox,
    incident_departments,
    incident_posts,
    overdue_by,
    page_count,
    remaining_until,
    status_counts,
    tag_value,
    timeline,
)
from yuqing.app.web.labels import SECTORS, STATUS_ZH
from yuqing.app.web.params import IdPath
from yuqing.app.web.policy import policy_context
from yuqing.app.web.render import CurrentUser, Web, render
from yuqing.app.web.scoping import can_act, incident_or_404, post_in_incident
from yuqing.app.web.views.inbox_actions import inbox_filter
from yuqing.config import Config
from yuqing.store.models import Incident, TriageItem

router = APIRouter()
Reader = Annotated[CurrentUser, Depends(incident_reader)]
Text = Annotated[str, Form(max_length=4000)]


class ActionRefused(Exception):
    def __init__(self, zh: str) -> None:
        self.zh = zh


@router.get("/inbox")
def inbox_page(request: Request, user: Reader) -> Response:
    web = get_web(request)
    f = inbox_filter(web, dict(request.query_params))
    now = web.now()
    with web.db.session() as s:
        counts = status_counts(s, user, f, now)
        rows, has_next = inbox(s, user, f, now)
        s.expunge_all()
    return render(
        request,
        "inbox.html",
        {
            "f": f,
            "rows": rows,
            "has_next": has_next,
            "pages": page_count(counts.get(f.status, 0)),
            "counts": counts,
            "districts": web.config.gazetteer.district_names(),
            "departments": web.config.departments.departments,
            "sectors": SECTORS,
            "rules": [r.name for r in web.config.rules.rules],
            "bulk": bulk_result(request.query_params),
            "can_act": can_act(user),
        },
    )


def bulk_result(params: Any) -> tuple[int, int] | None:
    """(acknowledged, skipped) after a bulk 签收 redirected back, else None."""
    acked, skipped = params.get("acked", ""), params.get("skipped", "0")
    if not (
        (acked + skipped).isascii()
        and acked.isdigit()
        and skipped.isdigit()
        and len(acked + skipped) < 8
    ):
        return None
    return int(acked), int(skipped)


def _incident_context(web: Web, s: Session, user: CurrentUser, inc: Incident) -> dict[str, Any]:
    posts = incident_posts(s, inc.id)
    depts = incident_departments(s, inc.id)
    codes = [d.department_code for d in depts]
    rule = next((r for r in web.config.rules.rules if r.name == inc.rule), None)
    extra = handling.context(web, s, user, inc)
    reasons = alert_reasons(web, s, posts)
    for post_id, lines in extra["handling"].post_reasons.items():
        reasons.setdefault(post_id, []).extend(lines)
    events = timeline(
        s,
        inc,
        [p.post.id for p in posts],
        web.department_names(),
        [m.id for m in extra["handling"].merged_from],
    )
    for e in events:  # the person, not the login (issue 13)
        e.actor = extra["people"].get(e.actor, e.actor)
    return {
        **extra,
        "inc": inc,
        "rule_description": getattr(rule, "description", "") or "",
        "posts": posts,
        "depts": depts,
        "events": events,
        "colleagues": colleagues(s, user, codes),
        "overdue": overdue_by(inc, web.now()),
        "remaining": remaining_until(inc, web.now()),
        "can_act": can_act(user),
        "districts": web.config.gazetteer.district_names(),
        "sectors": SECTORS,
        "tag_fields": feedback.FIELDS,
        "tag_value": tag_value,
        "reasons": reasons,
        "error": "",
        **policy_context(web.config, s, inc),
    }


def alert_reasons(web: Web, s: Session, posts: list[Any]) -> dict[int, list[str]]:
    """Why each post was alerted (in Chinese): the locality gate's reason, and the analyst's
    confirmation when it came through the 待研判 queue."""
    out: dict[int, list[str]] = {}
    ids = [pv.post.id for pv in posts]
    confirmed = {
        item.post_id: item
        for item in s.scalars(
            select(TriageItem).where(TriageItem.post_id.in_(ids), TriageItem.status == "confirmed")
        )
    } if ids else {}  # fmt: skip
    for pv in posts:
        t = pv.tags
        verdict = locality.decide(
            web.config,
            t.district if t is not None else None,
            t.city_match if t is not None else None,
            pv.source,
        )
        lines = [verdict.why_zh]
        item = confirmed.get(pv.post.id)
        if item is not None:
            fields = "、".join(
                {"shutdown": "关停", "blanket": "一刀切"}.get(f, f) for f in item.fields
            )
            lines.append(
                f"评分处于待研判区间（{fields}），经 {item.decided_by} 研判确认后预警"
                + (f"：{item.note}" if item.note else "")
            )
        out[pv.post.id] = lines
    return out


def _page(
    request: Request, user: CurrentUser, incident_id: int, error: str = "", status: int = 200
) -> Response:
    web = get_web(request)
    with web.db.session() as s:
        inc = incident_or_404(s, user, incident_id)
        ctx = _incident_context(web, s, user, inc)
        s.expunge_all()
    ctx["error"] = error
    return render(request, "incident.html", ctx, status_code=status)


@router.get("/incidents/{incident_id}")
def incident_page(request: Request, user: Reader, incident_id: IdPath) -> Response:
    return _page(request, user, incident_id)


def _act(
    request: Request,
    user: CurrentUser,
    incident_id: IdPath,
    action: Callable[[Session, Incident], None],
    done: str,
) -> Response:
    """Run ``action`` on a visible incident in one transaction; redirect back with a message,
    or show the page again with the reason (in Chinese) when the action is refused."""
    web = get_web(request)
    try:
        with web.db.session() as s:
            inc = incident_or_404(s, user, incident_id)
            if not can_act(user):
                raise HTTPException(status_code=403, detail="read-only role")
            action(s, inc)
    except ActionRefused as exc:
        return _page(request, user, incident_id, exc.zh, 409)
    except WebError as exc:
        return _page(request, user, incident_id, exc.zh, 400)
    except AlertsError as exc:  # a race: the state changed since the page was shown
        return _page(request, user, incident_id, f"操作未执行：{exc}", 409)
    return RedirectResponse(f"/incidents/{incident_id}?msg={done}", 303)


def _refuse_if(inc: Incident, *states: str, what: str) -> None:
    if inc.status in states:
        raise ActionRefused(f"该事件{STATUS_ZH.get(inc.status, inc.status)}，不能{what}。")


@router.post("/incidents/{incident_id}/acknowledge", dependencies=[Depends(csrf)])
def acknowledge(request: Request, user: Reader, incident_id: IdPath, note: Text = "") -> Response:
    def run(s: Session, inc: Incident) -> None:
        _refuse_if(inc, "acknowledged", "resolved", what="签收")
        actions.acknowledge(
            s, inc.id, user.username, note.strip() or None, now=get_web(request).now()
        )

    return _act(request, user, incident_id, run, "acknowledged")


@router.post("/incidents/{incident_id}/assign", dependencies=[Depends(csrf)])
def assign(
    request: Request,
    user: Reader,
    incident_id: IdPath,
    assignee: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    def run(s: Session, inc: Incident) -> None:
        _refuse_if(inc, "resolved", what="指派")
        codes = [d.department_code for d in incident_departments(s, inc.id)]
        allowed = {u.username for u in colleagues(s, user, codes)}
        if assignee and assignee not in allowed:
            raise ActionRefused("只能指派给本部门的承办人员。")
        actions.assign(s, inc.id, user.username, assignee, now=get_web(request).now())

    return _act(request, user, incident_id, run, "assigned")


@router.post("/incidents/{incident_id}/note", dependencies=[Depends(csrf)])
def note(request: Request, user: Reader, incident_id: IdPath, note: Text = "") -> Response:
    def run(s: Session, inc: Incident) -> None:
        if not note.strip():
            raise ActionRefused("备注不能为空。")
        actions.add_note(s, inc.id, user.username, note.strip(), now=get_web(request).now())

    return _act(request, user, incident_id, run, "noted")


@router.post("/incidents/{incident_id}/resolve", dependencies=[Depends(csrf)])
def resolve(
    request: Request,
    user: Reader,
    incident_id: IdPath,
    resolution: Text = "",
    verification: Text = "",
    verified: Annotated[str, Form(max_length=20)] = "",
    production_restored: Annotated[str, Form(max_length=20)] = "",
    public_response: Annotated[str, Form(max_length=20)] = "",
    public_response_note: Text = "",
) -> Response:
    fields = {
        "verification": verification,
        "verified": verified,
        "production_restored": production_restored,
        "public_response": public_response,
        "public_response_note": public_response_note,
    }

    def run(s: Session, inc: Incident) -> None:
        _refuse_if(inc, "resolved", what="重复办结")
        if not resolution.strip():
            raise ActionRefused("办结时必须填写办理结果。")
        lead = actions.lead_department(s, inc)
        if not handling.may_resolve(user, lead):
            names = get_web(request).department_names()
            raise ActionRefused(
                f"本事件由{names.get(lead or '', lead or '')}主办，只有主办单位或管理员可以办结；"
                "贵单位为协办单位，请填写协办反馈并标记“协办完成”。"
            )
        outcome = parse_outcome(get_web(request).config, inc, fields)
        actions.resolve(
            s,
            inc.id,
            user.username,
            resolution.strip(),
            now=get_web(request).now(),
            outcome=outcome,
            department=user.department_code if user.is_officer else None,
        )

    return _act(request, user, incident_id, run, "resolved")


def parse_outcome(config: Config, inc: Incident, fields: dict[str, str]) -> Outcome:
    """The structured resolution from the form; required for an incident that cites a notice.
    A bad value is refused with the field and the value named (in Chinese)."""
    required = required_for(config.policy.for_rule(inc.rule) is not None)
    try:
        return parse_resolution(fields, required)
    except ResolutionError as exc:
        raise ActionRefused(exc.zh) from exc


def _check_post(s: Session, inc: Incident, post_id: int) -> None:
    if not post_in_incident(s, inc.id, post_id):
        raise HTTPException(status_code=404, detail="post not in incident")


@router.post(
    "/incidents/{incident_id}/posts/{post_id}/false-positive", dependencies=[Depends(csrf)]
)
def false_positive(
    request: Request, user: Reader, incident_id: IdPath, post_id: IdPath, note: Text = ""
) -> Response:
    def run(s: Session, inc: Incident) -> None:
        _check_post(s, inc, post_id)
        feedback.mark_false_positive(
            s,
            post_id,
            actor=user.username,
            note=note,
            now=get_web(request).now(),
            incident_id=inc.id,
        )

    return _act(request, user, incident_id, run, "feedback")


@router.post("/incidents/{incident_id}/posts/{post_id}/tags", dependencies=[Depends(csrf)])
async def correct_tags(
    request: Request, user: Reader, incident_id: IdPath, post_id: IdPath
) -> Response:
    form = await request.form()
    changes = {
        name: str(form[name])[:100]
        for name in feedback.FIELDS
        if name in form and str(form[name]) != "__keep__"
    }
    note = str(form.get("note", ""))[:4000]
    web = get_web(request)

    def run(s: Session, inc: Incident) -> None:
        _check_post(s, inc, post_id)
        feedback.correct_tags(
            s,
            post_id,
            changes,
            actor=user.username,
            note=note,
            districts=web.config.gazetteer.district_names(),
            now=web.now(),
            incident_id=inc.id,
        )

    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(_act, request, user, incident_id, run, "feedback")
