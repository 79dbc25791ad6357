"""crawl runs on Scrapyd nodes

Revision ID: 0009_crawl_nodes
Revises: 0006_published_guessed
Create Date: 2026-12-06 09:45:00

``crawl_runs.node`` (the Scrapyd node's name; NULL for a local crawl) and ``crawl_runs.job_id``
(Scrapyd's job id), so that the scheduler can poll a dispatched crawl and re-dispatch it when
its node dies (issue 15).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_crawl_nodes"
down_revision = "0008_resolution_fields"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("crawl_runs", sa.Column("node", sa.String(64), nullable=True))
    op.add_column("crawl_runs", sa.Column("job_id", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("crawl_runs") as batch:
        batch.drop_column("job_id")
        batch.drop_column("node")
