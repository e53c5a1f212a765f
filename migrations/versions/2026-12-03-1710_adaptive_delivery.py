"""exam_adaptive_pool and delivery_adaptive_step: an adaptive section's pool frozen when its
forms are drawn (items, parameters, Sympson–Hetter K), and each item an attempt was given
in it with the response, θ and SE after it (issue 21, delivery)

Revision ID: 4a8c2e7d1f36
Revises: 2e6f8d14b9c3
Create Date: 2026-12-05 09:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "4a8c2e7d1f36"
down_revision: str | None = "2e6f8d14b9c3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "exam_adaptive_pool",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("section_position", sa.Integer(), nullable=False),
        sa.Column("blueprint_hash", sa.String(length=64), nullable=False),
        sa.Column("built_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("parameters", sa.String(length=220), nullable=True),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["exam_event.id"],
            name=op.f("fk_exam_adaptive_pool_event_id_exam_event"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exam_adaptive_pool")),
        sa.UniqueConstraint(
            "event_id",
            "section_position",
            "blueprint_hash",
            name=op.f("uq_exam_adaptive_pool_event_id_section_position_blueprint_hash"),
        ),
    )
    op.create_table(
        "delivery_adaptive_step",
        sa.Column("attempt_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("section_position", sa.Integer(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("item_version_id", sa.Uuid(), nullable=False),
        sa.Column("option_order", sa.JSON(), nullable=False),
        sa.Column("passed", sa.JSON(), nullable=False),
        sa.Column("excluded", sa.JSON(), nullable=True),
        sa.Column("chosen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("response", sa.Integer(), nullable=True),
        sa.Column("theta", sa.Float(), nullable=True),
        sa.Column("se", sa.Float(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["attempt_id"],
            ["delivery_attempt.id"],
            name=op.f("fk_delivery_adaptive_step_attempt_id_delivery_attempt"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["item_version_id"],
            ["bank_item_version.id"],
            name=op.f("fk_delivery_adaptive_step_item_version_id_bank_item_version"),
        ),
        sa.PrimaryKeyConstraint("attempt_id", "position", name=op.f("pk_delivery_adaptive_step")),
        sa.UniqueConstraint(
            "attempt_id",
            "section_position",
            "step",
            name=op.f("uq_delivery_adaptive_step_attempt_id_section_position_step"),
        ),
    )


def downgrade() -> None:
    op.drop_table("delivery_adaptive_step")
    op.drop_table("exam_adaptive_pool")
