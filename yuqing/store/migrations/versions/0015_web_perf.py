"""the incident page at scale: the audit log read by object

Revision ID: 0015_web_perf
Revises: 0014_source_daily
Create Date: 2026-12-06 13:00:00

``ix_audit_log_object`` on ``audit_log (object_type, object_id, at)``: every incident page reads
the incident's audit rows (its timeline, and the names of the people in it) by object type and
id. With only ``ix_audit_log_at`` that was a sequential scan of the whole audit log, which
grows with every login and every action (56,000 rows in bench.web_load's 1 M-post database:
~20 ms of PostgreSQL CPU per incident page, twice). The rows and their order are the same
query's; only the plan changes (issue 15).
"""

from __future__ import annotations

from alembic import op

revision = "0015_web_perf"
down_revision = "0014_source_daily"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_audit_log_object", "audit_log", ["object_type", "object_id", "at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_audit_log_object", table_name="audit_log")
