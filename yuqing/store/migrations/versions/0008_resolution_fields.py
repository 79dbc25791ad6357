"""structured resolution of an incident

Revision ID: 0008_resolution_fields
Revises: 0006_published_guessed
Create Date: 2026-12-06 09:50:00

Issue 13: an incident's resolution records, besides its free-text note, 核实结果
(``verification``), 是否属实 (``verified``: true / partly / false), 是否已恢复生产经营
(``production_restored``: yes / no / na) and 群众回应情况 (``public_response``: replied /
not_replied, with ``public_response_note``). All nullable: incidents resolved before this
revision (and non-policy incidents resolved from the CLI without them) have none.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_resolution_fields"
down_revision = "0007_incident_events"
branch_labels = None
depends_on = None

COLUMNS = (
    ("verification", sa.Text()),
    ("verified", sa.String(10)),
    ("production_restored", sa.String(10)),
    ("public_response", sa.String(15)),
    ("public_response_note", sa.Text()),
)


def upgrade() -> None:
    # plain ADD COLUMNs (nullable, no batch copy on SQLite)
    for name, type_ in COLUMNS:
        op.add_column("incidents", sa.Column(name, type_, nullable=True))


def downgrade() -> None:
    # plain DROP COLUMNs (SQLite ≥ 3.35): no batch copy of a table the views read
    for name, _type in reversed(COLUMNS):
        op.drop_column("incidents", name)
