"""answer journal append only

Revision ID: fcabfd157416
Revises: 5d41a7b91653
Create Date: 2026-11-28 10:51:32.653101+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "fcabfd157416"
down_revision: str | None = "5d41a7b91653"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


TRIGGERS = {
    "postgresql": [
        """CREATE FUNCTION answer_journal_refuse_change() RETURNS trigger AS $$
        BEGIN
            RAISE EXCEPTION 'delivery_answer_journal is append-only';
        END;
        $$ LANGUAGE plpgsql""",
        """CREATE TRIGGER answer_journal_append_only BEFORE UPDATE OR DELETE
        ON delivery_answer_journal FOR EACH ROW EXECUTE FUNCTION answer_journal_refuse_change()""",
    ],
    "sqlite": [
        """CREATE TRIGGER answer_journal_no_update BEFORE UPDATE ON delivery_answer_journal
        BEGIN SELECT RAISE(ABORT, 'delivery_answer_journal is append-only'); END""",
        """CREATE TRIGGER answer_journal_no_delete BEFORE DELETE ON delivery_answer_journal
        BEGIN SELECT RAISE(ABORT, 'delivery_answer_journal is append-only'); END""",
    ],
}


def upgrade() -> None:
    """The journal settles disputes: the database itself refuses to change or delete it."""
    for statement in TRIGGERS.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS answer_journal_append_only ON delivery_answer_journal")
        op.execute("DROP FUNCTION IF EXISTS answer_journal_refuse_change()")
    elif dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS answer_journal_no_update")
        op.execute("DROP TRIGGER IF EXISTS answer_journal_no_delete")
