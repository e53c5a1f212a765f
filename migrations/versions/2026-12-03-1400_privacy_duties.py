"""personal-data duties (UU 27/2022): audit_subject (who saw whose data, append-only),
purged attempts (the journal's trigger lets only the purge delete), pseudonymised
registrations, identity corrections

Revision ID: 4f7a9c3e1d82
Revises: 8c4d2a7e5b19
Create Date: 2026-12-03 14:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "4f7a9c3e1d82"
down_revision: str | None = "8c4d2a7e5b19"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SUBJECT_TRIGGERS = {
    "postgresql": [
        """CREATE FUNCTION audit_subject_refuse_change() RETURNS trigger AS $$
        BEGIN
            RAISE EXCEPTION 'audit_subject is append-only';
        END;
        $$ LANGUAGE plpgsql""",
        """CREATE TRIGGER audit_subject_append_only BEFORE UPDATE OR DELETE ON audit_subject
        FOR EACH ROW EXECUTE FUNCTION audit_subject_refuse_change()""",
    ],
    "sqlite": [
        """CREATE TRIGGER audit_subject_no_update BEFORE UPDATE ON audit_subject
        BEGIN SELECT RAISE(ABORT, 'audit_subject is append-only'); END""",
        """CREATE TRIGGER audit_subject_no_delete BEFORE DELETE ON audit_subject
        BEGIN SELECT RAISE(ABORT, 'audit_subject is append-only'); END""",
    ],
}

# The journal stays append-only, except that the retention purge may delete the rows of an
# attempt it has first listed in privacy_purged_attempt (in the same transaction).
JOURNAL_PURGEABLE = {
    "postgresql": [
        """CREATE OR REPLACE FUNCTION answer_journal_refuse_change() RETURNS trigger AS $$
        BEGIN
            IF TG_OP = 'DELETE' AND EXISTS (
                SELECT 1 FROM privacy_purged_attempt WHERE attempt_id = OLD.attempt_id
            ) THEN
                RETURN OLD;
            END IF;
            RAISE EXCEPTION 'delivery_answer_journal is append-only';
        END;
        $$ LANGUAGE plpgsql""",
    ],
    "sqlite": [
        "DROP TRIGGER IF EXISTS answer_journal_no_delete",
        """CREATE TRIGGER answer_journal_no_delete BEFORE DELETE ON delivery_answer_journal
        WHEN NOT EXISTS (
            SELECT 1 FROM privacy_purged_attempt WHERE attempt_id = OLD.attempt_id
        )
        BEGIN SELECT RAISE(ABORT, 'delivery_answer_journal is append-only'); END""",
    ],
}

JOURNAL_STRICT = {
    "postgresql": [
        """CREATE OR REPLACE FUNCTION answer_journal_refuse_change() RETURNS trigger AS $$
        BEGIN
            RAISE EXCEPTION 'delivery_answer_journal is append-only';
        END;
        $$ LANGUAGE plpgsql""",
    ],
    "sqlite": [
        "DROP TRIGGER IF EXISTS answer_journal_no_delete",
        """CREATE TRIGGER answer_journal_no_delete BEFORE DELETE ON delivery_answer_journal
        BEGIN SELECT RAISE(ABORT, 'delivery_answer_journal is append-only'); END""",
    ],
}


def upgrade() -> None:
    op.create_table(
        "audit_subject",
        sa.Column("audit_id", sa.Uuid(), nullable=False),
        sa.Column("nip", sa.String(length=18), nullable=False),
        sa.ForeignKeyConstraint(
            ["audit_id"], ["audit_log.id"], name=op.f("fk_audit_subject_audit_id_audit_log")
        ),
        sa.PrimaryKeyConstraint("audit_id", "nip", name=op.f("pk_audit_subject")),
    )
    op.create_index("ix_audit_subject_nip", "audit_subject", ["nip", "audit_id"])
    op.create_table(
        "privacy_purged_attempt",
        sa.Column("attempt_id", sa.Uuid(), nullable=False),
        sa.Column("purged_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["attempt_id"],
            ["delivery_attempt.id"],
            name=op.f("fk_privacy_purged_attempt_attempt_id_delivery_attempt"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("attempt_id", name=op.f("pk_privacy_purged_attempt")),
    )
    op.create_table(
        "privacy_pseudonymised_participant",
        sa.Column("participant_id", sa.Uuid(), nullable=False),
        sa.Column("pseudonymised_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["exam_participant.id"],
            name=op.f("fk_privacy_pseudonymised_participant_participant_id_exam_participant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "participant_id", name=op.f("pk_privacy_pseudonymised_participant")
        ),
    )
    op.create_table(
        "privacy_identity_correction",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("participant_id", sa.Uuid(), nullable=False),
        sa.Column("field", sa.String(length=32), nullable=False),
        sa.Column("old_value", sa.String(length=300), nullable=False),
        sa.Column("new_value", sa.String(length=300), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("corrected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("corrected_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["exam_participant.id"],
            name=op.f("fk_privacy_identity_correction_participant_id_exam_participant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_identity_correction")),
    )
    op.create_index(
        op.f("ix_privacy_identity_correction_participant_id"),
        "privacy_identity_correction",
        ["participant_id"],
    )
    dialect = op.get_bind().dialect.name
    for statement in SUBJECT_TRIGGERS.get(dialect, []) + JOURNAL_PURGEABLE.get(dialect, []):
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in JOURNAL_STRICT.get(dialect, []):
        op.execute(statement)
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_subject_append_only ON audit_subject")
        op.execute("DROP FUNCTION IF EXISTS audit_subject_refuse_change()")
    op.drop_index(
        op.f("ix_privacy_identity_correction_participant_id"),
        table_name="privacy_identity_correction",
    )
    op.drop_table("privacy_identity_correction")
    op.drop_table("privacy_pseudonymised_participant")
    op.drop_table("privacy_purged_attempt")
    op.drop_index("ix_audit_subject_nip", table_name="audit_subject")
    op.drop_table("audit_subject")
