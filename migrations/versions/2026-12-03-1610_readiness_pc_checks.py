"""readiness_pc_check: the last readiness check of each PC of a room, reported from
/ujian/cek by the room's technician

Revision ID: 5c8c80934e0c
Revises: 44077dd59be9
Create Date: 2026-12-03 16:10:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5c8c80934e0c"
down_revision: str | None = "44077dd59be9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "readiness_pc_check",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("exam_session_id", sa.Uuid(), nullable=False),
        sa.Column("pc_label", sa.String(length=32), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("results", sa.JSON(), nullable=False),
        sa.Column("user_agent", sa.String(length=400), nullable=True),
        sa.Column("client_address", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["exam_session_id"],
            ["exam_session.id"],
            name=op.f("fk_readiness_pc_check_exam_session_id_exam_session"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_readiness_pc_check")),
        sa.UniqueConstraint(
            "exam_session_id",
            "pc_label",
            name=op.f("uq_readiness_pc_check_exam_session_id_pc_label"),
        ),
    )


def downgrade() -> None:
    op.drop_table("readiness_pc_check")
