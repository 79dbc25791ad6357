"""posts whose publication date could not be read

Revision ID: 0006_published_guessed
Revises: 0005_web_sessions
Create Date: 2026-12-06 08:10:00

``posts.published_guessed``: the page gave no readable date for an optional ``published``
field, so ``published_at`` is the time the post was first seen (issue 12). Analysts can leave
such posts out of time series; re-crawls keep the first-seen time.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_published_guessed"
down_revision = "0005_web_sessions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a plain ADD COLUMN (no batch copy on SQLite: the posts table carries triggers and views)
    op.add_column(
        "posts",
        sa.Column("published_guessed", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    op.drop_column("posts", "published_guessed")
