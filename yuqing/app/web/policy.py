"""What the incident page shows of the city's notice and of the structured resolution
(templates ``_incident_policy.html``, ``_resolve_fields.html``, ``_incident_resolution.html``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from yuqing.alerts import resolution
from yuqing.alerts.labels import RESOLUTION_FIELD_NAMES
from yuqing.alerts.policy import citation_for_incident
from yuqing.config import Config
from yuqing.store.models import Incident


def policy_context(config: Config, s: Session, inc: Incident) -> dict[str, Any]:
    citation = citation_for_incident(s, config, inc)
    return {
        "policy": citation,
        "resolution_shown": resolution.display(inc),
        "resolution_required": bool(resolution.required_for(citation is not None)),
        "resolution_names": RESOLUTION_FIELD_NAMES,
        "resolution_choices": resolution.CHOICES,
    }
