"""locality gate and triage queue

Revision ID: 0003_locality_triage
Revises: 0002
Create Date: 2026-12-06 07:00:00

``post_tags.city_match``: the city's own name (齐齐哈尔, 齐市, …) in a post that names no
district, for the locality gate (posts tagged before this revision get it when re-tagged:
``yuqing retag``). ``triage_items`` / ``triage_departments``: the 待研判 queue of posts whose
shutdown or blanket score fell in the uncertain band, and the departments that may answer them.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003_locality_triage"
down_revision = "0002"
branch_labels = None
depends_on = None


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("post_tags", schema=None) as batch_op:
        batch_op.add_column(sa.Column("city_match", sa.String(length=100), nullable=True))

    op.create_table(
        "triage_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("fields", _json(), nullable=False),
        sa.Column("rules", _json(), nullable=False),
        sa.Column("shutdown_score", sa.Float(), nullable=False),
        sa.Column("blanket_score", sa.Float(), nullable=False),
        sa.Column("district", sa.String(length=40), nullable=True),
        sa.Column("sector", sa.String(length=40), nullable=True),
        sa.Column("locality", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("incident_ids", _json(), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["posts.id"],
            name=op.f("fk_triage_items_post_id_posts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_triage_items")),
        sa.UniqueConstraint("post_id", name=op.f("uq_triage_items_post_id")),
    )
    with op.batch_alter_table("triage_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_triage_items_status"), ["status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_triage_items_created_at"), ["created_at"], unique=False
        )

    op.create_table(
        "triage_departments",
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("department_code", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["triage_items.id"],
            name=op.f("fk_triage_departments_item_id_triage_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("item_id", "department_code", name=op.f("pk_triage_departments")),
    )
    with op.batch_alter_table("triage_departments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_triage_departments_department_code"), ["department_code"], unique=False
        )


def downgrade() -> None:
    op.drop_table("triage_departments")
    op.drop_table("triage_items")
    with op.batch_alter_table("post_tags", schema=None) as batch_op:
        batch_op.drop_column("city_match")
