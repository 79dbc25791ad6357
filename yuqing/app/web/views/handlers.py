"""协办 actions (issue 13): a co-handling department's officers add feedback and mark their
part done (协办完成); the lead department resolves (see :mod:`.incidents`)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from yuqing.alerts import handlers as actions
from yuqing.alerts.incidents import lead_department
from yuqing.app.web.deps import csrf, get_web
from yuqing.app.web.params import IdPath
from yuqing.app.web.render import CurrentUser
from yuqing.app.web.views.incidents import ActionRefused, Reader, Text, _act
from yuqing.store.models import Incident

router = APIRouter()


def _department(user: CurrentUser, s: Session, inc: Incident, what: str) -> str:
    """The officer's department, when it is on the incident and not its lead."""
    if not user.is_officer or not user.department_code:
        raise ActionRefused(f"只有协办单位的承办人员可以{what}。")
    lead = lead_department(s, inc)
    if lead is None or user.department_code == lead:
        raise ActionRefused(f"贵单位负责办结本事件，无需{what}。")
    return user.department_code


@router.post("/incidents/{incident_id}/part-done", dependencies=[Depends(csrf)])
def part_done(request: Request, user: Reader, incident_id: IdPath, note: Text = "") -> Response:
    def run(s: Session, inc: Incident) -> None:
        if inc.status == "resolved":
            raise ActionRefused("该事件已办结，不能再标记协办完成。")
        code = _department(user, s, inc, "标记协办完成")
        actions.mark_done(
            s, inc.id, code, user.username, note.strip() or None, now=get_web(request).now()
        )

    return _act(request, user, incident_id, run, "part_done")


@router.post("/incidents/{incident_id}/feedback", dependencies=[Depends(csrf)])
def part_feedback(request: Request, user: Reader, incident_id: IdPath, note: Text = "") -> Response:
    def run(s: Session, inc: Incident) -> None:
        if not note.strip():
            raise ActionRefused("反馈内容不能为空。")
        if not user.is_officer or not user.department_code:
            raise ActionRefused("只有责任单位的承办人员可以反馈。")
        actions.add_feedback(
            s, inc.id, user.department_code, user.username, note, now=get_web(request).now()
        )

    return _act(request, user, incident_id, run, "part_feedback")
