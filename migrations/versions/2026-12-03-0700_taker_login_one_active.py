"""one active taker login per participant, held by the database: a unique index over the
logins not revoked (a read-then-insert let 2–4 of 20 simultaneous logins with one NIP in)

Revision ID: 9c3e51d7a0f2
Revises: 7a1c0e5b2d41
Create Date: 2026-12-03 07:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9c3e51d7a0f2"
down_revision: str | None = "7a1c0e5b2d41"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTIVE = sa.text("revoked_at IS NULL")


def upgrade() -> None:
    # Seats the race left with several live logins keep the newest; the others are ended
    # as a proctor's reset would end them (the taker logs in again).
    op.execute(
        """
        UPDATE delivery_taker_login SET revoked_at = created_at,
               revoked_reason = 'duplicate login ended by migration'
        WHERE revoked_at IS NULL AND EXISTS (
            SELECT 1 FROM delivery_taker_login AS newer
            WHERE newer.participant_id = delivery_taker_login.participant_id
              AND newer.revoked_at IS NULL
              AND (newer.created_at > delivery_taker_login.created_at
                   OR (newer.created_at = delivery_taker_login.created_at
                       AND newer.id > delivery_taker_login.id)))
        """
    )
    op.drop_index("ix_delivery_taker_login_active", table_name="delivery_taker_login")
    op.create_index(
        "ux_delivery_taker_login_one_active",
        "delivery_taker_login",
        ["participant_id"],
        unique=True,
        sqlite_where=ACTIVE,
        postgresql_where=ACTIVE,
    )


def downgrade() -> None:
    op.drop_index("ux_delivery_taker_login_one_active", table_name="delivery_taker_login")
    op.create_index(
        "ix_delivery_taker_login_active",
        "delivery_taker_login",
        ["participant_id", "revoked_at"],
        unique=False,
    )
