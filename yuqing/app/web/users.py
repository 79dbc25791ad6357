"""User accounts: create, change, list — shared by ``yuqing users`` and the admin pages.

Roles: ``admin`` (everything), ``officer`` (the incidents routed to their department; needs a
department), ``analyst`` (dashboard, search, exports, read-only SQL; all incidents read-only).
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yuqing.app.web.audit import audit
from yuqing.app.web.errors import UserError
from yuqing.app.web.security import hash_password, password_problem
from yuqing.app.web.sessions import revoke_user_sessions
from yuqing.config import Config
from yuqing.store.models import User
from yuqing.store.types import utcnow

ROLES = ("admin", "officer", "analyst")
ROLE_ZH = {"admin": "管理员", "officer": "承办人员", "analyst": "分析人员"}
_USERNAME = re.compile(r"^[\w.@-]{2,100}$")


def _check_role_department(config: Config, role: str, department: str | None) -> str | None:
    if role not in ROLES:
        raise UserError(
            f"invalid role {role!r} (expected one of {', '.join(ROLES)})", f"无效的角色 {role!r}"
        )
    department = (department or "").strip() or None
    if department is not None:
        codes = {d.code for d in config.departments.departments}
        if department not in codes:
            raise UserError(
                f"unknown department {department!r} (not in departments.yaml)",
                f"未知的部门代码 {department!r}",
            )
    if role == "officer" and department is None:
        raise UserError("an officer needs a department (--department CODE)", "承办人员必须指定部门")
    return department


def _check_password(password: str) -> None:
    problem = password_problem(password)
    if problem is not None:
        raise UserError("password rejected: at least 10 characters, no edge spaces", problem)


def create_user(
    session: Session,
    config: Config,
    *,
    username: str,
    password: str,
    role: str,
    department: str | None = None,
    display_name: str = "",
    actor: str = "cli",
) -> User:
    username = username.strip()
    if not _USERNAME.match(username):
        raise UserError(
            f"invalid username {username!r} (2-100 letters, digits, . _ @ -)",
            "用户名须为 2–100 个字母、数字或 . _ @ -",
        )
    department = _check_role_department(config, role, department)
    _check_password(password)
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise UserError(f"user {username!r} already exists", f"用户 {username} 已存在")
    user = User(
        username=username,
        password_hash=hash_password(password),
        role=role,
        department_code=department,
        display_name=display_name.strip()[:100],
    )
    session.add(user)
    session.flush()
    audit(
        session,
        actor,
        "user.create",
        "user",
        username,
        {"role": role, "department": department, "display_name": user.display_name},
    )
    return user


def _active_admins(session: Session) -> int:
    stmt = select(func.count()).select_from(User).where(User.role == "admin", User.active)
    return int(session.scalar(stmt) or 0)


def update_user(
    session: Session,
    config: Config,
    user: User,
    *,
    role: str,
    department: str | None,
    display_name: str,
    active: bool,
    actor: str,
) -> dict[str, list[object]]:
    """Change ``user``; returns the changed fields as {field: [old, new]} (also audit-logged)."""
    department = _check_role_department(config, role, department)
    was_admin = user.role == "admin" and user.active
    if was_admin and (role != "admin" or not active) and _active_admins(session) <= 1:
        raise UserError("cannot remove the last active admin", "不能停用或降级最后一名管理员")
    changes: dict[str, list[object]] = {}
    for name, new in (
        ("role", role),
        ("department_code", department),
        ("display_name", display_name.strip()[:100]),
        ("active", active),
    ):
        old = getattr(user, name)
        if old != new:
            changes[name] = [old, new]
            setattr(user, name, new)
    if changes:
        detail: dict[str, object] = {"changes": changes}
        if "active" in changes and not active:  # deactivated: every session ends
            detail["sessions_ended"] = revoke_user_sessions(session, user.id, utcnow(), "disabled")
        audit(session, actor, "user.update", "user", user.username, detail)
    return changes


def set_password(
    session: Session, user: User, password: str, *, actor: str, now: datetime | None = None
) -> None:
    """Set the password and end every session of the user (issue 14)."""
    _check_password(password)
    user.password_hash = hash_password(password)
    ended = revoke_user_sessions(session, user.id, now or utcnow(), "password")
    audit(session, actor, "user.password", "user", user.username, {"sessions_ended": ended})


def get_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise UserError(f"no user {username!r}", f"没有用户 {username}")
    return user


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.role, User.username)))


def record_login(session: Session, user: User, at: datetime, address: str) -> None:
    user.last_login_at = at
    audit(session, user.username, "login", "user", user.username, {"address": address}, at=at)
