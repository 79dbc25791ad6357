"""The ``departments`` table: a mirror of departments.yaml, for SQL and for history.

departments.yaml is the source of truth (routing, delivery and the web read the config). The
table exists so that analysts' SQL (``v_incident_departments.department_name``) and pages
showing old incidents can name a department, including one that has since been removed from
the config: :func:`sync` upserts every configured department by code (``active`` true) and
marks the rows whose code is no longer configured inactive — never deletes them, so history
keeps its names.

``yuqing db upgrade`` and the scheduler process (``yuqing run``, ``yuqing demo``) sync at
start-up. Syncing is idempotent and safe to run from two processes at once (upsert on the
primary key); it writes nothing when the table already matches.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from yuqing.config.departments import Department as ConfiguredDepartment
from yuqing.store.models import Department

log = logging.getLogger(__name__)

FIELDS = ("name", "kind", "district", "escalate_to", "contacts")


@dataclass
class SyncResult:
    configured: int = 0
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)  # incl. reactivated
    deactivated: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.deactivated)

    def __str__(self) -> str:
        def listed(codes: list[str]) -> str:
            return ", ".join(codes[:8]) + (", …" if len(codes) > 8 else "")

        parts = [
            f"{len(codes)} {what} ({listed(codes)})"
            for what, codes in (
                ("added", self.added),
                ("updated", self.updated),
                ("marked inactive", self.deactivated),
            )
            if codes
        ]
        return f"departments: {self.configured} configured; " + ("; ".join(parts) or "in sync")


def _values(dept: ConfiguredDepartment) -> dict[str, Any]:
    return {
        "code": dept.code,
        "name": dept.name,
        "kind": dept.kind,
        "district": dept.district,
        "escalate_to": dept.escalate_to,
        "contacts": list(dept.contacts),
        "active": True,
    }


def sync(session: Session, departments: Iterable[ConfiguredDepartment]) -> SyncResult:
    """Make the table match ``departments`` (the loaded departments.yaml); see the module doc."""
    wanted = {d.code: _values(d) for d in departments}
    rows = {row.code: row for row in session.scalars(select(Department))}
    result = SyncResult(configured=len(wanted))
    changed: list[dict[str, Any]] = []
    for code, values in wanted.items():
        row = rows.get(code)
        if row is None:
            result.added.append(code)
        elif row.active and all(getattr(row, f) == values[f] for f in FIELDS):
            continue
        else:
            result.updated.append(code)
        changed.append(values)
    if changed:
        name = session.get_bind().dialect.name
        insert = postgresql.insert if name == "postgresql" else sqlite.insert
        stmt = insert(Department)
        stmt = stmt.on_conflict_do_update(
            index_elements=["code"],
            set_={f: stmt.excluded[f] for f in (*FIELDS, "active")},
        )
        session.execute(stmt, changed)
    result.deactivated = sorted(c for c, row in rows.items() if c not in wanted and row.active)
    if result.deactivated:
        session.execute(
            update(Department)
            .where(Department.code.in_(result.deactivated))
            .values(active=False)
            .execution_options(synchronize_session=False)
        )
    session.expire_all()
    if result.changed:
        log.info("%s", result)
    return result


def names(session: Session) -> dict[str, str]:
    """code → name of every department the table knows, active or not."""
    return {code: name for code, name in session.execute(select(Department.code, Department.name))}
