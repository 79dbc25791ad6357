"""Inbox actions on the filtered list: bulk 签收 and the export of what the list shows.

Both resolve incidents through :mod:`scoping` (an officer only reaches their department's);
bulk 签收 acknowledges each open incident through :mod:`yuqing.alerts.incidents`, which writes
one audit entry per incident, and adds one entry for the batch (what was chosen, done, skipped).
"""

from __future__ import annotations

import io
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from yuqing.alerts import incidents as actions
from yuqing.alerts.errors import AlertsError
from yuqing.alerts.glossary import rule_name
from yuqing.alerts.policy import citations_for_incidents
from yuqing.app.web.audit import audit
from yuqing.app.web.deps import csrf, get_web, incident_reader
from yuqing.app.web.inbox import InboxFilter, export_rows
from yuqing.app.web.labels import SECTOR_NAMES, SEVERITY_ZH, STATUS_ZH
from yuqing.app.web.render import CurrentUser, Web, countdown_zh, query_string
from yuqing.app.web.scoping import can_act, scoped
from yuqing.store.export import write_csv
from yuqing.store.models import Incident

router = APIRouter()
Reader = Annotated[CurrentUser, Depends(incident_reader)]
MAX_BULK = 200

EXPORT_COLUMNS = (
    "编号",
    "事件",
    "预警规则",
    "严重程度",
    "状态",
    "行业",
    "区县",
    "帖文数",
    "开立时间",
    "办理期限",
    "剩余/超时",
    "责任部门",
    "签收人",
    "承办人",
    "最新帖文摘要",
    "政策依据",  # issue 13: the notice and the clause an incident cites (一刀切 incidents)
)


def inbox_filter(web: Web, params: dict[str, str]) -> InboxFilter:
    return InboxFilter.parse(
        params,
        web.config.gazetteer.district_names(),
        {d.code for d in web.config.departments.departments},
        {r.name for r in web.config.rules.rules},
    )


@router.post("/inbox/acknowledge", dependencies=[Depends(csrf)])
async def bulk_acknowledge(request: Request, user: Reader) -> Response:
    form = await request.form()
    web = get_web(request)
    f = inbox_filter(web, {k: str(v) for k, v in form.items() if k != "incident"})
    if not can_act(user):
        raise HTTPException(status_code=403, detail="read-only role")
    chosen: list[int] = []
    for value in form.getlist("incident")[:MAX_BULK]:
        text = str(value)
        if text.isascii() and text.isdigit() and len(text) < 10 and int(text) not in chosen:
            chosen.append(int(text))
    note = str(form.get("note", "")).strip()[:4000] or None
    done: list[int] = []

    def run() -> None:
        now = web.now()
        with web.db.session() as s:
            mine = set(
                s.scalars(
                    scoped(user)
                    .with_only_columns(Incident.id)
                    .where(Incident.id.in_(chosen), Incident.status == "open")
                )
            )
            for iid in chosen:
                if iid not in mine:
                    continue
                try:  # refused before any change when acknowledged meanwhile by someone else
                    actions.acknowledge(s, iid, user.username, note, now=now)
                except AlertsError:
                    continue
                done.append(iid)
            audit(
                s,
                user.username,
                "incident.bulk_acknowledge",
                "inbox",
                user.department_code or "all",
                {
                    "chosen": chosen,
                    "acknowledged": done,
                    "skipped": [i for i in chosen if i not in done],
                },
                at=now,
            )

    await run_in_threadpool(run)
    skipped = len(chosen) - len(done)
    return RedirectResponse(
        "/inbox" + query_string(f.params(), acked=len(done), skipped=skipped or None), 303
    )


@router.get("/inbox/export.csv")
def export_inbox(request: Request, user: Reader) -> Response:
    """The filtered list (all its pages) as CSV with Chinese headers and names."""
    web = get_web(request)
    f = inbox_filter(web, dict(request.query_params))
    names = web.department_names()
    rules = web.config.rules.rules
    now = web.now()
    out = io.BytesIO()
    with web.db.session() as s:
        rows = export_rows(s, user, f, now)
        cited = citations_for_incidents(
            s, web.config, [r.incident for r in rows if web.config.policy.for_rule(r.incident.rule)]
        )
        table = [
            (
                r.incident.id,
                r.incident.title or rule_name(r.incident.rule, rules),
                rule_name(r.incident.rule, rules),
                SEVERITY_ZH.get(r.incident.severity, r.incident.severity),
                STATUS_ZH.get(r.incident.status, r.incident.status),
                SECTOR_NAMES.get(r.incident.sector or "", r.incident.sector or "未识别"),
                r.incident.district or "未识别",
                r.incident.post_count,
                r.incident.opened_at,
                r.incident.due_at,
                countdown_zh(r.remaining, r.overdue),
                "、".join(names.get(c, c) for c in r.departments),
                r.person(r.incident.acknowledged_by),
                r.person(r.incident.assigned_to),
                r.snippet_text,
                c.reference if (c := cited.get(r.incident.id)) is not None else "",
            )
            for r in rows
        ]
        write_csv(EXPORT_COLUMNS, table, out, web.tz)
        audit(
            s,
            user.username,
            "export",
            "export",
            "inbox",
            {"format": "csv", **{k: v for k, v in f.params().items() if v}, "rows": len(table)},
            at=now,
        )
    stamp = now.astimezone(web.tz).strftime("%Y%m%d-%H%M")
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="yuqing-inbox-{stamp}.csv"'},
    )
