"""Correction requests (UU 27/2022: the right to have inaccurate data corrected): an admin
corrects a registration's identity fields with a reason; each change is kept, audited, and
shown in the person's own export. The NIP is not corrected here: it is the key every other
record (results, talent box) is joined by — a wrong NIP is a re-registration."""

from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.audit.service import Actor, record
from app.exams.models import Event, Participant
from app.exams.registration import normalise_eselon
from app.i18n import N_, translate
from app.kit import clock
from app.privacy import holders
from app.privacy.models import IdentityCorrection

FIELDS = ("name", "position", "eselon")
LIMITS = {"name": 200, "position": 300, "eselon": 8}


class CorrectionRefused(ValueError):
    """The message names the field that was wrong."""


@dataclass(frozen=True)
class Change:
    field: str
    old: str
    new: str


def correct_identity(
    db: Session, actor: Actor, participant: Participant, values: dict[str, str], reason: str
) -> list[Change]:
    """Apply the changed fields (unchanged or empty ones are left); refuses without a reason,
    with an unknown field, an over-long value or an eselon that is not II, III or IV."""
    if not reason.strip():
        raise CorrectionRefused(
            translate(N_("reason: required (for example the number of the request letter)"))
        )
    maybe = [_change(participant, name, value) for name, value in values.items()]
    changes = [c for c in maybe if c is not None]
    if not changes:
        raise CorrectionRefused(translate(N_("no field changed")))
    now = clock.now()
    for change in changes:
        setattr(participant, change.field, change.new)
        db.add(
            IdentityCorrection(
                participant_id=participant.id,
                field=change.field,
                old_value=change.old,
                new_value=change.new,
                reason=reason.strip(),
                corrected_at=now,
                corrected_by=actor.username,
            )
        )
    participant.updated_at = now
    copies = _correct_copies(db, participant, changes)
    record(
        db,
        actor,
        "privacy.correct_identity",
        target_type="person",
        target_id=participant.nip,
        reason=reason.strip(),
        subjects=[participant.nip],
        fields=[c.field for c in changes],
        participant=participant.id,
        copies=copies,
    )
    db.flush()
    return changes


def _correct_copies(db: Session, participant: Participant, changes: list[Change]) -> dict[str, int]:
    """The talent box keeps its own copy of the identity: a correction reaches it too (through
    app/privacy/holders.py)."""
    event = db.get(Event, participant.event_id)
    values = {c.field: c.new for c in changes}
    found: dict[str, int] = {}
    for holder in holders.registered:
        found |= holder.correct_identity(db, participant.nip, event.code if event else "", values)
    return found


def _change(participant: Participant, name: str, value: str) -> Change | None:
    if name not in FIELDS:
        not_here = translate(N_("this field cannot be corrected here"))
        raise CorrectionRefused(f"{name}: {not_here}")
    new = " ".join(value.split())
    if not new:
        return None
    if len(new) > LIMITS[name]:
        too_long = translate(N_("at most %(limit)s characters"), {"limit": LIMITS[name]})
        raise CorrectionRefused(f"{name}: {too_long}")
    if name == "eselon":
        try:
            new = normalise_eselon(new)
        except ValueError as exc:
            raise CorrectionRefused(f"eselon: {exc}") from None
    old = getattr(participant, name)
    return Change(name, old, new) if new != old else None
