"""proctor_login_reset_request: a taker's request, from a browser refused because the login
is held by another, that the proctor free the login (at most one pending per participant)

Revision ID: 44077dd59be9
Revises: 7c2d4e6f8a10
Create Date: 2026-12-03 16:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "44077dd59be9"
down_revision: str | None = "7c2d4e6f8a10"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "proctor_login_reset_request",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("participant_id", sa.Uuid(), nullable=False),
        sa.Column("exam_session_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("waiter_hash", sa.String(length=64), nullable=False),
        sa.Column("user_agent", sa.String(length=400), nullable=True),
        sa.Column("client_address", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["exam_session_id"],
            ["exam_session.id"],
            name=op.f("fk_proctor_login_reset_request_exam_session_id_exam_session"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["exam_participant.id"],
            name=op.f("fk_proctor_login_reset_request_participant_id_exam_participant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proctor_login_reset_request")),
        sa.UniqueConstraint("waiter_hash", name=op.f("uq_proctor_login_reset_request_waiter_hash")),
    )
    with op.batch_alter_table("proctor_login_reset_request", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_proctor_login_reset_request_exam_session_id"),
            ["exam_session_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_proctor_login_reset_request_participant_id"),
            ["participant_id"],
            unique=False,
        )
        batch_op.create_index(
            "ux_proctor_login_reset_request_one_pending",
            ["participant_id"],
            unique=True,
            sqlite_where=sa.text("status = 'pending'"),
            postgresql_where=sa.text("status = 'pending'"),
        )


def downgrade() -> None:
    with op.batch_alter_table("proctor_login_reset_request", schema=None) as batch_op:
        batch_op.drop_index(
            "ux_proctor_login_reset_request_one_pending",
            sqlite_where=sa.text("status = 'pending'"),
            postgresql_where=sa.text("status = 'pending'"),
        )
        batch_op.drop_index(batch_op.f("ix_proctor_login_reset_request_participant_id"))
        batch_op.drop_index(batch_op.f("ix_proctor_login_reset_request_exam_session_id"))

    op.drop_table("proctor_login_reset_request")
