"""scoring_selfview_login: an official's login to /hasil (hash of the cookie token)

Revision ID: 3e8f0a6c5d21
Revises: 7b3c1e9d2f40
Create Date: 2026-12-03 12:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3e8f0a6c5d21"
down_revision: str | None = "7b3c1e9d2f40"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "scoring_selfview_login",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("participant_ids", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scoring_selfview_login")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_scoring_selfview_login_token_hash")),
    )


def downgrade() -> None:
    op.drop_table("scoring_selfview_login")
