"""sync_site_token: a site's credential for pushing results to the centre (issue 17)

Revision ID: 2e6f8d14b9c3
Revises: 9b3e51c0a7d4
Create Date: 2026-12-04 09:10:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "2e6f8d14b9c3"
down_revision: str | None = "9b3e51c0a7d4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sync_site_token",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("site_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["sync_site.id"],
            name=op.f("fk_sync_site_token_site_id_sync_site"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_site_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_sync_site_token_token_hash")),
    )


def downgrade() -> None:
    op.drop_table("sync_site_token")
