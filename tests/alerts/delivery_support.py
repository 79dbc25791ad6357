"""Helpers for the delivery tests: outbox rows built directly (payload per the contract)."""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter

from yuqing.config import Config
from yuqing.config.departments import Channel, Department, DepartmentsFile
from yuqing.store.models import Incident, Notification
from yuqing.store.session import Database

CHANNEL = TypeAdapter(Channel)

BASE_PAYLOAD: dict[str, Any] = {
    "kind": "firing",
    "sequence": 1,
    "idempotency_key": "",
    "created_at": "2026-11-27T17:00:05+08:00",
    "incident": {
        "id": 12,
        "rule": "blanket-shutdown",
        "rule_description": "一刀切式关停（不分合法与否的整体关停）",
        "severity": "high",
        "status": "open",
        "district": "龙沙区",
        "sector": "life_services",
        "sector_name": "生活服务业",
        "title": "龙沙区 生活服务业 一刀切式关停",
        "post_count": 3,
        "first_post_at": "2026-11-27T08:55:00+00:00",
        "last_post_at": "2026-11-27T09:00:00+00:00",
        "opened_at": "2026-11-27T09:00:00+00:00",
        "due_at": "2026-11-27T11:00:00+00:00",
        "acknowledged_by": None,
        "acknowledged_at": None,
        "resolved_by": None,
        "resolved_at": None,
        "resolution": None,
        "url": "http://127.0.0.1:8000/incidents/12",
    },
    "department": {"code": "lsq", "name": "龙沙区人民政府"},
    "labels": {
        "rule": "blanket-shutdown",
        "severity": "high",
        "district": "龙沙区",
        "sector": "life_services",
    },
    "route": "routes[5]",
    "escalation": None,
    "posts": [
        {
            "id": 101,
            "title": "龙沙区烧烤店被一刀切全部关停",
            "url": "https://bbs.example.cn/t/101",
            "source": "demo-board",
            "published_at": "2026-11-27T08:55:00+00:00",
            "snippet": "南苑街道的烧烤店昨天被一刀切全部关停了，有证的也不让开。",
            "evidence": ["一刀切", "全部关停"],
            "shutdown_score": 0.97,
            "complaint_score": 0.8,
        }
    ],
}


def payload(kind: str = "firing", **incident: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE_PAYLOAD)
    data["kind"] = kind
    data["incident"].update(incident)
    return data


def department(code: str, channels: list[dict[str, Any]], name: str | None = None) -> Department:
    return Department(
        code=code,
        name=name or f"{code} 部门",
        kind="office",
        channels=[CHANNEL.validate_python(c) for c in channels],
    )


def with_departments(config: Config, *departments: Department) -> Config:
    return config.model_copy(update={"departments": DepartmentsFile(departments=list(departments))})


def add_incident(db: Database, now: datetime, fingerprint: str = "fp") -> int:
    with db.session() as s:
        inc = Incident(
            fingerprint=fingerprint,
            rule="blanket-shutdown",
            severity="high",
            title="龙沙区 生活服务业 一刀切式关停",
            opened_at=now,
            updated_at=now,
        )
        s.add(inc)
        s.flush()
        return inc.id


def add_notification(
    db: Database,
    now: datetime,
    *,
    incident_id: int,
    department: str,
    channel: str,
    kind: str = "firing",
    sequence: int = 1,
    data: dict[str, Any] | None = None,
) -> str:
    """One pending outbox row, as alerts-core writes it; returns its idempotency key."""
    key = f"inc-{incident_id}/{department}/{kind}/{sequence}/{channel}"
    body = copy.deepcopy(data) if data is not None else payload(kind)
    body.update(kind=kind, sequence=sequence, idempotency_key=key)
    body["incident"]["id"] = incident_id
    body["department"] = {"code": department, "name": body["department"]["name"]}
    with db.session() as s:
        s.add(
            Notification(
                idempotency_key=key,
                incident_id=incident_id,
                department_code=department,
                channel=channel,
                kind=kind,
                status="pending",
                payload=body,
                next_attempt_at=now,
                created_at=now,
            )
        )
    return key


def statuses(db: Database) -> dict[str, str]:
    with db.session() as s:
        return {n.idempotency_key: n.status for n in s.query(Notification)}
