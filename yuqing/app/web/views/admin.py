"""Admin pages: users and roles, silences, sources and crawl health, departments and the
routing tree as loaded (read-only), the audit log."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select

from yuqing.alerts import silences
from yuqing.alerts.audit_text import describe as describe_audit
from yuqing.alerts.errors import SilenceError
from yuqing.alerts.labels import AUDIT_OBJECT_NAMES
from yuqing.alerts.people import display_names
from yuqing.app.web.audit import audit
from yuqing.app.web.deps import admin, csrf, get_web
from yuqing.app.web.errors import UserError
from yuqing.app.web.labels import ACTOR_ZH
from yuqing.app.web.params import BadParam, IdPath, parse_local_datetime
from yuqing.app.web.render import CurrentUser, render
from yuqing.app.web.users import ROLES, create_user, list_users, set_password, update_user
from yuqing.config.routing import Matcher, Route
from yuqing.config.types import parse_duration
from yuqing.store import probation
from yuqing.store.models import AuditLog, CrawlRun, Department, Source, User

router = APIRouter(prefix="/admin")
Admin = Annotated[CurrentUser, Depends(admin)]
AUDIT_PAGE = 100
DURATIONS = {
    "1h": "1 小时",
    "4h": "4 小时",
    "1d": "1 天",
    "3d": "3 天",
    "7d": "7 天",
    "30d": "30 天",
}


# -- users -----------------------------------------------------------------------------------


def _users_page(request: Request, error: str = "", status: int = 200) -> Response:
    web = get_web(request)
    with web.db.session() as s:
        users = list_users(s)
        throttled = web.throttle.throttled_users(s)
    return render(
        request,
        "admin/users.html",
        {
            "users": users,
            "throttled": {
                u.id: throttled[u.username.lower()]
                for u in users
                if u.username.lower() in throttled
            },
            "roles": ROLES,
            "departments": web.config.departments.departments,
            "error": error,
        },
        status_code=status,
    )


@router.get("/users")
def users_page(request: Request, user: Admin) -> Response:
    return _users_page(request)


@router.post("/users", dependencies=[Depends(csrf)])
def users_create(
    request: Request,
    user: Admin,
    username: Annotated[str, Form(max_length=100)] = "",
    display_name: Annotated[str, Form(max_length=100)] = "",
    role: Annotated[str, Form(max_length=20)] = "",
    department: Annotated[str, Form(max_length=40)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    web = get_web(request)
    try:
        with web.db.session() as s:
            create_user(
                s,
                web.config,
                username=username,
                password=password,
                role=role,
                department=department,
                display_name=display_name,
                actor=user.username,
            )
    except UserError as exc:
        return _users_page(request, exc.zh, 400)
    return RedirectResponse("/admin/users?msg=user_created", 303)


@router.post("/users/{user_id}", dependencies=[Depends(csrf)])
def users_update(
    request: Request,
    user: Admin,
    user_id: IdPath,
    display_name: Annotated[str, Form(max_length=100)] = "",
    role: Annotated[str, Form(max_length=20)] = "",
    department: Annotated[str, Form(max_length=40)] = "",
    active: Annotated[str, Form(max_length=5)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    web = get_web(request)
    try:
        with web.db.session() as s:
            row = s.get(User, user_id)
            if row is None:
                raise HTTPException(status_code=404, detail="no such user")
            update_user(
                s,
                web.config,
                row,
                role=role,
                department=department,
                display_name=display_name,
                active=active == "1",
                actor=user.username,
            )
            if password:
                set_password(s, row, password, actor=user.username)
    except UserError as exc:
        return _users_page(request, exc.zh, 400)
    return RedirectResponse("/admin/users?msg=user_updated", 303)


@router.post("/users/{user_id}/unlock", dependencies=[Depends(csrf)])
def users_unlock(request: Request, user: Admin, user_id: IdPath) -> Response:
    """End the login back-off of a user (every address); audit-logged."""
    web = get_web(request)
    with web.db.session() as s:
        row = s.get(User, user_id)
        if row is None:
            raise HTTPException(status_code=404, detail="no such user")
        cleared = web.throttle.unlock(s, row.username)
        audit(s, user.username, "login.unlock", "user", row.username, {"cleared": cleared})
    return RedirectResponse("/admin/users?msg=user_unlocked", 303)


# -- silences --------------------------------------------------------------------------------


def _silences_page(request: Request, error: str = "", status: int = 200) -> Response:
    web = get_web(request)
    now = web.now()
    with web.db.session() as s:
        rows = silences.list_silences(s, now=now, include_expired=True)
    active = [r for r in rows if r.ends_at > now]
    expired = sorted((r for r in rows if r.ends_at <= now), key=lambda r: r.ends_at, reverse=True)
    return render(
        request,
        "admin/silences.html",
        {
            "active": active,
            "expired": expired[:50],
            "durations": DURATIONS,
            "error": error,
            "now_local": now.astimezone(web.tz).strftime("%Y-%m-%dT%H:%M"),
        },
        status_code=status,
    )


@router.get("/silences")
def silences_page(request: Request, user: Admin) -> Response:
    return _silences_page(request)


@router.post("/silences", dependencies=[Depends(csrf)])
def silences_create(
    request: Request,
    user: Admin,
    matchers: Annotated[str, Form(max_length=4000)] = "",
    starts_at: Annotated[str, Form(max_length=30)] = "",
    ends_at: Annotated[str, Form(max_length=30)] = "",
    duration: Annotated[str, Form(max_length=10)] = "",
    comment: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    web = get_web(request)
    lines = [line.strip() for line in matchers.splitlines() if line.strip()]
    if not lines:
        return _silences_page(request, '请至少填写一条匹配条件，例如 district="龙沙区"。', 400)
    for line in lines:
        try:
            Matcher.parse(line)
        except ValueError:
            return _silences_page(
                request, f'匹配条件格式错误：{line}（应为 标签="值"，可用 = != =~ !~）', 400
            )
    if not comment.strip():
        return _silences_page(request, "请填写静默原因。", 400)
    try:
        start = parse_local_datetime("starts_at", starts_at, web.tz)
        end = parse_local_datetime("ends_at", ends_at, web.tz)
    except BadParam as exc:
        return _silences_page(request, exc.zh, 400)
    length = None
    if end is None:
        if duration not in DURATIONS:
            return _silences_page(request, "请选择静默时长或填写结束时间。", 400)
        length = parse_duration(duration)
    try:
        with web.db.session() as s:
            silences.create(
                s,
                lines,
                author=user.username,
                comment=comment.strip(),
                starts_at=start,
                ends_at=end,
                duration=length,
                now=web.now(),
            )
    except SilenceError as exc:
        return _silences_page(request, f"无法创建静默：{exc}", 400)
    return RedirectResponse("/admin/silences?msg=silence_created", 303)


@router.post("/silences/{silence_id}/expire", dependencies=[Depends(csrf)])
def silences_expire(request: Request, user: Admin, silence_id: IdPath) -> Response:
    web = get_web(request)
    try:
        with web.db.session() as s:
            silences.expire(s, silence_id, actor=user.username, now=web.now())
    except SilenceError as exc:
        return _silences_page(request, f"无法结束静默：{exc}", 409)
    return RedirectResponse("/admin/silences?msg=silence_expired", 303)


# -- sources ---------------------------------------------------------------------------------


@router.get("/sources")
def sources_page(request: Request, user: Admin) -> Response:
    web = get_web(request)
    configured = {src.name: src for src in web.config.sources.sources}
    with web.db.session() as s:
        stored = {src.name: src for src in s.scalars(select(Source))}
        last_runs: dict[int, CrawlRun] = {}
        newest = select(func.max(CrawlRun.id)).group_by(CrawlRun.source_id).scalar_subquery()
        for run in s.scalars(select(CrawlRun).where(CrawlRun.id.in_(newest))):
            last_runs[run.source_id] = run
        days = web.config.settings.source_probation_days
        trial = {p.id: p for p in probation.on_probation(s, days, web.now())}
    rows = []
    for name in sorted(set(configured) | set(stored)):
        db_row = stored.get(name)
        rows.append(
            {
                "name": name,
                "conf": configured.get(name),
                "db": db_row,
                "run": last_runs.get(db_row.id) if db_row else None,
                "probation": trial.get(db_row.id) if db_row else None,
            }
        )
    return render(request, "admin/sources.html", {"rows": rows})


@router.post("/sources/{source_id}/confirm", dependencies=[Depends(csrf)])
def source_confirm(request: Request, user: Admin, source_id: IdPath) -> Response:
    """End a new source's probation (audit-logged as ``source_confirm``)."""
    web = get_web(request)
    with web.db.session() as s:
        src = s.get(Source, source_id)
        if src is None:
            raise HTTPException(status_code=404, detail="no such source")
        probation.confirm(s, src.name, actor=user.username, now=web.now())
    return RedirectResponse("/admin/sources?msg=source_confirmed", 303)


@router.get("/sources/{source_id}")
def source_page(request: Request, user: Admin, source_id: IdPath) -> Response:
    web = get_web(request)
    with web.db.session() as s:
        src = s.get(Source, source_id)
        if src is None:
            raise HTTPException(status_code=404, detail="no such source")
        runs = list(
            s.scalars(
                select(CrawlRun)
                .where(CrawlRun.source_id == source_id)
                .order_by(CrawlRun.started_at.desc(), CrawlRun.id.desc())
                .limit(50)
            )
        )
    conf = next((c for c in web.config.sources.sources if c.name == src.name), None)
    return render(request, "admin/source.html", {"src": src, "runs": runs, "conf": conf})


# -- departments and routing -----------------------------------------------------------------


def _route_rows(route: Route, depth: int = 0, path: str = "") -> list[dict[str, Any]]:
    rows = []
    for i, child in enumerate(route.routes):
        here = f"{path}.routes[{i}]" if path else f"routes[{i}]"
        rows.append({"route": child, "depth": depth, "path": here})
        rows.extend(_route_rows(child, depth + 1, here))
    return rows


@router.get("/departments")
def departments_page(request: Request, user: Admin) -> Response:
    web = get_web(request)
    configured = {d.code for d in web.config.departments.departments}
    with web.db.session() as s:
        counts = dict(
            s.execute(
                select(User.department_code, func.count())
                .where(User.active)
                .group_by(User.department_code)
            ).all()
        )
        removed = [  # kept in the table for history (yuqing.store.departments)
            d
            for d in s.scalars(select(Department).order_by(Department.code))
            if d.code not in configured
        ]
    return render(
        request,
        "admin/departments.html",
        {
            "departments": web.config.departments.departments,
            "removed": removed,
            "routing": web.config.routing,
            "routes": _route_rows(web.config.routing),
            "user_counts": counts,
        },
    )


# -- audit log -------------------------------------------------------------------------------


@router.get("/audit")
def audit_page(
    request: Request,
    user: Admin,
    actor: Annotated[str, Query(max_length=100)] = "",
    action: Annotated[str, Query(max_length=50)] = "",
    object_type: Annotated[str, Query(max_length=50)] = "",
    object_id: Annotated[str, Query(max_length=100)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    web = get_web(request)
    conds = []
    if actor:
        conds.append(AuditLog.actor == actor)
    if action:
        conds.append(AuditLog.action.startswith(action, autoescape=True))
    if object_type:
        conds.append(AuditLog.object_type == object_type)
    if object_id:
        conds.append(AuditLog.object_id == object_id)
    with web.db.session() as s:
        rows = list(
            s.scalars(
                select(AuditLog)
                .where(*conds)
                .order_by(AuditLog.at.desc(), AuditLog.id.desc())
                .offset((page - 1) * AUDIT_PAGE)
                .limit(AUDIT_PAGE + 1)
            )
        )
        # who, as a person (issue 13): display names, 系统, 命令行 — never a bare login
        people = {**display_names(s, [r.actor for r in rows]), **ACTOR_ZH}
    entries = [(row, describe_audit(row.detail, web.config)) for row in rows[:AUDIT_PAGE]]
    params = {"actor": actor, "action": action, "object_type": object_type, "object_id": object_id}
    return render(
        request,
        "admin/audit.html",
        {
            "entries": entries,
            "params": params,
            "page": page,
            "has_next": len(rows) > AUDIT_PAGE,
            "object_names": AUDIT_OBJECT_NAMES,
            "people": people,
        },
    )
