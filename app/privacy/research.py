"""`proasn data research-export EVENT --out FILE`: pseudonymised response matrices and scores
for psychometric research.

One JSON line per person after a header line. Nobody is named: no name, no NIP, no access
code, no position, no session or room. The person's key is HMAC-SHA256(secret, NIP): the same
secret links the same person across exports (a longitudinal study), a different secret does
not, and without the secret the key cannot be reversed by trying the (guessable) NIPs. The
secret is never written to the file; the header carries only a key id (an HMAC of a fixed
label) so two files can be seen to share a secret. Quasi-identifiers are coarsened: birth
year to a five-year band, agency to its province (the first two digits of a regional
agency's code; central agencies are "pusat"), and a province whose (province, eselon,
birth band) cell holds fewer than `min_cell` people becomes "lainnya". Lines are sorted by
the key, so the file's order says nothing about registration order."""

import hashlib
import hmac
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from app.audit.service import Actor, record, record_subjects_from
from app.bank.points import item_points
from app.i18n import N_, translate
from app.kit import clock
from app.privacy import research_repository as repository

FORMAT = "proasn-riset"
VERSION = 1
MIN_SECRET = 32
OTHER_PROVINCE = "lainnya"


# The header's description of the responses field, in the run's language.
RESPONSES = N_("{item code vN: [option, score]}; option null = not answered")


class ResearchExportRefused(ValueError):
    """The message says what was wrong (event, publication, secret)."""


@dataclass(frozen=True)
class Person:
    participant_id: Any
    nip: str
    agency_code: str
    eselon: str


def check_secret(secret: str) -> bytes:
    if not secret.strip():
        message = N_(
            "the pseudonym key's secret is not given (PROASN_RESEARCH_SECRET or --secret-file)"
        )
        raise ResearchExportRefused(translate(message))
    if len(secret.strip()) < MIN_SECRET:
        message = N_(
            "the pseudonym key's secret is too short: at least %(length)s characters "
            "(PROASN_RESEARCH_SECRET or --secret-file)"
        )
        raise ResearchExportRefused(translate(message, {"length": MIN_SECRET}))
    return secret.strip().encode()


def pseudonym(key: bytes, nip: str) -> str:
    return hmac.new(key, nip.encode(), hashlib.sha256).hexdigest()


def key_id(key: bytes) -> str:
    return hmac.new(key, b"proasn-research-key-id", hashlib.sha256).hexdigest()[:12]


def birth_band(nip: str) -> str:
    year = int(nip[:4]) if nip[:4].isdigit() else 0
    start = year - year % 5
    return f"{start}-{start + 4}" if year else "?"


def province(agency_code: str) -> str:
    code = agency_code.strip()
    return code[:2] if code.isdigit() and len(code) in (2, 4) else "pusat"


def eselon_level(eselon: str) -> str:
    return eselon.split(".")[0]


def research_lines(db: Session, event_code: str, secret: str, min_cell: int = 5) -> Iterator[str]:
    """The header line, then one line per registration of the event, sorted by pseudonym."""
    key = check_secret(secret)
    event = repository.event_by_code(db, event_code)
    if event is None:
        raise ResearchExportRefused(translate(N_("event %(code)s not found"), {"code": event_code}))
    run = repository.published_run(db, event.id)
    if run is None:
        message = N_("event %(code)s has no published results yet")
        raise ResearchExportRefused(translate(message, {"code": event_code}))
    people = [Person(*row) for row in repository.people(db, event.id)]
    cells = Counter(_cell(p) for p in people)
    scores = repository.scores(db, run.id)
    items = repository.items_of_event(db, event.id)
    responses = repository.responses_by_participant(db, event.id)
    bodies: list[dict[str, Any]] = []
    for person in people:
        region = (
            province(person.agency_code) if cells[_cell(person)] >= min_cell else OTHER_PROVINCE
        )
        body = {
            "pid": pseudonym(key, person.nip),
            "birth_year_band": birth_band(person.nip),
            "province": region,
            "eselon": eselon_level(person.eselon),
            **scores.get(person.participant_id, {"attempt_status": "not_scored"}),
            "responses": _scored(responses.get(person.participant_id, []), items),
        }
        bodies.append(body)
    bodies.sort(key=lambda body: body["pid"])  # by pseudonym: the order tells nothing
    lines = [json.dumps(body, ensure_ascii=False, sort_keys=True) for body in bodies]
    header = {
        "format": FORMAT,
        "version": VERSION,
        "event": event.code,
        "scoring_run": run.number,
        "generated_at": clock.now().isoformat(),
        "pid": translate(N_("HMAC-SHA256(secret, NIP), hexadecimal")),
        "key_id": key_id(key),
        "min_cell": min_cell,
        "persons": len(lines),
        "answers_purged": repository.answers_purged(db, event.id),
        "responses": translate(RESPONSES),
    }
    yield json.dumps(header, ensure_ascii=False, sort_keys=True)
    yield from lines


def record_export(db: Session, actor: Actor, event_code: str, persons: int, out: str) -> None:
    """Audited and indexed by every NIP of the event: the file is derived from their data."""
    event = repository.event_by_code(db, event_code)
    assert event is not None
    entry = record(
        db,
        actor,
        "privacy.research_export",
        target_type="exam_event",
        target_id=event.id,
        target_label=event.code,
        rows=persons,
        file=out,
    )
    record_subjects_from(db, entry, repository.nips_of_event(event.id))


def _cell(person: Person) -> tuple[str, str, str]:
    return province(person.agency_code), eselon_level(person.eselon), birth_band(person.nip)


def _scored(answers: list[tuple[Any, str | None]], items: dict[Any, Any]) -> dict[str, Any]:
    out = {}
    for version_id, option in answers:
        item = items[version_id]
        score = None if option is None else item_points(item, option)
        out[item.name] = [option, score]
    return out
