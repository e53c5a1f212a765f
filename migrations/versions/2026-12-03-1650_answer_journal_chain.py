"""The answer journal's hash chain (issue 17, item 4): each journal row's place and hash,
each attempt's row count and head. Rows written before stay outside the chain (NULL).

Plain ADD COLUMN, not a batch copy: the journal's append-only triggers stay as they are.

Revision ID: 9b3e51c0a7d4
Revises: 3e8a6c2f9b17
Create Date: 2026-12-04 09:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9b3e51c0a7d4"
down_revision: str | None = "3e8a6c2f9b17"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "delivery_attempt",
        sa.Column("journal_rows", sa.Integer(), server_default="0", nullable=False),
    )
    op.add_column(
        "delivery_attempt",
        sa.Column("journal_head", sa.String(length=64), server_default="", nullable=False),
    )
    op.add_column("delivery_answer_journal", sa.Column("chain_index", sa.Integer(), nullable=True))
    op.add_column(
        "delivery_answer_journal", sa.Column("chain_hash", sa.String(length=64), nullable=True)
    )


def downgrade() -> None:
    # In place (SQLite 3.35+ drops a column without copying the table, so the journal's
    # triggers stay).
    op.drop_column("delivery_answer_journal", "chain_hash")
    op.drop_column("delivery_answer_journal", "chain_index")
    op.drop_column("delivery_attempt", "journal_head")
    op.drop_column("delivery_attempt", "journal_rows")
