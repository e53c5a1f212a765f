"""What a site's package holds (the centre's side): exactly what the site needs to run the
chosen sessions of one event, and nothing else.

The event and its blueprint, the sessions (room tokens included), their participants (the
hash of each access code, never the code), each one's drawn form, the frozen pools of the
blueprint's adaptive sections, the item versions drawn into those forms or held in those pools
(figures are part of an item's content) with their items and subtests, the agencies of those
participants, and the proctors assigned to those sessions (password hashes) with their
assignments. Rows keep the centre's ids (UUID v7), so loading twice changes nothing and results
coming back merge by id.
"""

import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from app.accounts.models import StaffUser
from app.bank.models import Item, ItemVersion
from app.exams import repository as exams_repository
from app.exams.models import AdaptivePool, Agency, BlueprintSection, Event, ExamSession
from app.i18n import N_
from app.sync import repository, rows
from app.sync.errors import SyncRefused

# Format 2 adds `adaptive_pools`. A package without adaptive sections is still written as
# format 1, which every release loads; one with them is format 2, so a site of a release that
# knows nothing of pools refuses it rather than failing at the first adaptive item.
PAYLOAD_FORMAT = 2
READABLE_FORMATS = (1, 2)
Progress = Callable[[int], None]


@dataclass(frozen=True)
class Package:
    payload: dict[str, Any]

    @property
    def counts(self) -> dict[str, int]:
        return {k: len(v) for k, v in self.payload.items() if isinstance(v, list)}

    def to_bytes(self) -> bytes:
        return json.dumps(self.payload, ensure_ascii=False, separators=(",", ":")).encode()


def chosen_sessions(db: Session, event: Event, codes: Sequence[str]) -> list[ExamSession]:
    """The sessions named, each prepared here and not yet opened (a session runs in one place)."""
    by_code = repository.sessions_of_event(db, event.id)
    unknown = [c for c in codes if c not in by_code]
    if not codes or unknown:
        raise SyncRefused(
            N_("Unknown sessions of event %(event)s: %(codes)s."),
            event=event.code,
            codes=", ".join(unknown) or "-",
        )
    chosen = [by_code[c] for c in dict.fromkeys(codes)]
    not_prepared = [s.code for s in chosen if s.status == "planned"]
    if not_prepared:
        raise SyncRefused(
            N_("Sessions not prepared yet (run `proasn event prepare` first): %(codes)s."),
            codes=", ".join(not_prepared),
        )
    opened = [s.code for s in chosen if s.status != "prepared"]
    if opened:
        raise SyncRefused(
            N_("Sessions already opened on this server cannot run on a site: %(codes)s."),
            codes=", ".join(opened),
        )
    return chosen


def collect(
    db: Session, event: Event, sessions: Sequence[ExamSession], progress: Progress | None = None
) -> Package:
    """The package's content (see the module's docstring); refused when a form is missing."""
    session_ids = [s.id for s in sessions]
    participants = repository.participants_in_sessions(db, session_ids)
    forms = repository.forms_of(db, [p.id for p in participants])
    missing = [p.nip for p in participants if p.id not in forms]
    if missing:
        raise SyncRefused(
            N_("%(count)s participants have no drawn form (run `proasn event prepare`)."),
            count=len(missing),
        )
    form_list = [forms[p.id] for p in participants]
    drawn = _form_documents(db, form_list, progress)
    sections = exams_repository.sections(db, event.id)
    pools = _adaptive_pools(db, event, sections)
    version_ids = {uuid.UUID(v) for f in drawn for _, _, v, _ in f["items"]}
    # A site chooses an adaptive section's items from its whole pool, as the centre would.
    version_ids |= {uuid.UUID(hex=entry[0]) for pool in pools for entry in pool.items}
    versions = repository.rows_by_id(db, ItemVersion, sorted(version_ids))
    items = repository.rows_by_id(db, Item, sorted({v.item_id for v in versions.values()}))
    subtest_codes = {s.subtest_code for s in sections} | {v.subtest_code for v in versions.values()}
    agencies = repository.rows_by_id(db, Agency, sorted({p.agency_id for p in participants}))
    assignments = repository.assignments_of_sessions(db, session_ids)
    staff = repository.rows_by_id(db, StaffUser, sorted({a.user_id for a in assignments}))
    return Package(
        {
            "format": PAYLOAD_FORMAT if pools else 1,
            "event": rows.dump(event),
            "sections": [rows.dump(s) for s in sections],
            # Where the centre sent it is the centre's business: the site opens it.
            "sessions": [rows.dump(s, exclude=("packaged_for",)) for s in sessions],
            "subtests": [
                rows.dump(s, exclude=("id",))
                for s in repository.subtests_by_code(db, sorted(subtest_codes)).values()
            ],
            "items": [rows.dump(i) for i in items.values()],
            "item_versions": [rows.dump(v) for v in versions.values()],
            "agencies": [rows.dump(a) for a in agencies.values()],
            "participants": [rows.dump(p) for p in participants],
            "forms": drawn,
            "adaptive_pools": [rows.dump(p) for p in pools],
            # Proctors only see their rooms; their agency (viewers only) does not travel.
            "staff": [rows.dump(u, exclude=("agency_id", "last_login_at")) for u in staff.values()],
            "assignments": [rows.dump(a) for a in assignments],
        }
    )


def _adaptive_pools(
    db: Session, event: Event, sections: Sequence[BlueprintSection]
) -> list[AdaptivePool]:
    """The frozen pool of each adaptive section under the event's blueprint; refused when one
    is missing (drawing the forms freezes them)."""
    pools = repository.adaptive_pools(db, event.id, event.blueprint_hash)
    frozen = {p.section_position for p in pools}
    missing = [
        str(s.position) for s in sections if s.mode == "adaptive" and s.position not in frozen
    ]
    if missing:
        raise SyncRefused(
            N_(
                "Adaptive sections of event %(event)s have no frozen pool (run `proasn event "
                "prepare`): %(positions)s."
            ),
            event=event.code,
            positions=", ".join(missing),
        )
    return pools


def _form_documents(
    db: Session, forms: Sequence[Any], progress: Progress | None
) -> list[dict[str, Any]]:
    """Each form with its items as compact rows [position, section, version id, options]."""
    documents = {f.id: rows.dump(f) | {"items": []} for f in forms}
    current = None
    for form_id, position, section, version_id, option_order in repository.form_item_rows(
        db, list(documents)
    ):
        documents[form_id]["items"].append([position, section, str(version_id), option_order])
        if progress and form_id != current:
            current = form_id
            progress(1)
    return list(documents.values())
