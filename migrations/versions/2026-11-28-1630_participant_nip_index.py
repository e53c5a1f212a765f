"""participant lookup by NIP: a taker's login finds their seat by NIP and room token across
events, which without this index read every participant ever registered

Revision ID: 7a1c0e5b2d41
Revises: 2b067bf861e0
Create Date: 2026-11-28 16:30:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "7a1c0e5b2d41"
down_revision: str | None = "2b067bf861e0"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(op.f("ix_exam_participant_nip"), "exam_participant", ["nip"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_exam_participant_nip"), table_name="exam_participant")
