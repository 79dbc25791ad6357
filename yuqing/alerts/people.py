"""Who did what, as officers read it: a login (``scjg``) becomes the person's display name
and department (``王芳（市市场监管局）``) on pages and in mail (issue 13)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from yuqing.alerts.audit import SYSTEM_ACTOR
from yuqing.store.models import Department, User

SYSTEM_ZH = "系统"


def display_names(session: Session, logins: Iterable[str | None]) -> dict[str, str]:
    """login → ``名字（部门）`` for the logins given (unknown ones map to themselves)."""
    wanted = {x for x in logins if x}
    out = {x: x for x in wanted}
    if SYSTEM_ACTOR in wanted:
        out[SYSTEM_ACTOR] = SYSTEM_ZH
    if not wanted:
        return out
    rows = session.execute(
        select(User.username, User.display_name, Department.name)
        .outerjoin(Department, Department.code == User.department_code)
        .where(User.username.in_(sorted(wanted)))
    ).all()
    for login, name, dept in rows:
        person = (name or "").strip() or login
        out[login] = f"{person}（{dept}）" if dept else person
    return out
