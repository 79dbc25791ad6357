"""new sources on probation

Revision ID: 0004_source_probation
Revises: 0003_locality_triage
Create Date: 2026-12-06 07:00:00

``sources.first_seen_at``: when the source was first crawled (set by the crawl's first run);
``confirmed_at`` / ``confirmed_by``: when and by whom an admin confirmed it. A source first
seen less than ``settings.source_probation_days`` ago and not confirmed is on probation: its
posts raise no department alerts (``yuqing.store.probation``). Sources that exist when this
migration runs were crawled before probation existed: they keep ``first_seen_at`` empty and
are not on probation.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_source_probation"
down_revision = "0003_locality_triage"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.add_column(sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("confirmed_by", sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.drop_column("confirmed_by")
        batch.drop_column("confirmed_at")
        batch.drop_column("first_seen_at")
