"""the incident views show merged incidents

Revision ID: 0012_views_merged
Revises: 0010_scheduler_lease
Create Date: 2026-12-06 11:00:00

Issue 13: an incident merged into a higher-precedence one (same district and sector) is
``resolved`` with ``incidents.merged_into`` set (migration 0007). The analysts' views showed it
as an ordinary resolved incident, so counts of incidents counted the event twice. ``v_incidents``
now ends with ``merged_into, merged_at`` and ``v_incident_departments`` with ``merged_into``
(columns appended, none renamed): ``WHERE merged_into IS NULL`` counts events.
"""

from __future__ import annotations

from alembic import op

from yuqing.store import views

revision = "0012_views_merged"
down_revision = "0011_scale_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    views.replace_incident_views(op.get_bind(), merged=True)


def downgrade() -> None:
    views.replace_incident_views(op.get_bind(), merged=False)
