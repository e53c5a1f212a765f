"""Site and central servers: keys, registered sites, packages out and in, checking a file.

The centre registers each site by name and public key and seals each package to that site;
a site trusts one central key and loads only what that key signed and sealed to it.
"""

import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from app.audit.service import Actor, record
from app.exams import repository as exams_repository
from app.i18n import N_
from app.kit import clock
from app.sync import envelope, package, repository
from app.sync.errors import SyncRefused
from app.sync.keys import PublicKey, ServerKeys, parse_public_key
from app.sync.loading import LoadReport, load_package
from app.sync.merge import MergeReport, merge_results
from app.sync.models import SyncCentralKey, SyncFileLog, SyncSite
from app.sync.results import check_journals, collect_results

Progress = Callable[[int], None]


class PushRefused(SyncRefused):
    status, code = 403, "sync_wrong_site"


SITE_NAME_CHARACTERS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")


# --- keys and sites -----------------------------------------------------------------------


def add_site(db: Session, actor: Actor, name: str, key_text: str) -> tuple[SyncSite, bool]:
    """Register a site (the centre); the same name and key again changes nothing."""
    if not name or len(name) > 64 or set(name) - SITE_NAME_CHARACTERS:
        raise SyncRefused(
            N_("A site name is 1 to 64 letters, digits, dots, dashes or underscores.")
        )
    key = parse_public_key(key_text)
    site = repository.site_by_name(db, name)
    if site is not None:
        if site.fingerprint == key.fingerprint:
            return site, False
        raise SyncRefused(
            N_("Site %(name)s is registered with another key (%(fingerprint)s)."),
            name=name,
            fingerprint=site.fingerprint,
        )
    other = repository.site_by_fingerprint(db, key.fingerprint)
    if other is not None:
        raise SyncRefused(N_("This key is already site %(name)s's."), name=other.name)
    site = SyncSite(
        name=name, public_key=key.text, fingerprint=key.fingerprint, added_at=clock.now()
    )
    db.add(site)
    db.flush()
    record(
        db,
        actor,
        "sync.add_site",
        target_type="sync_site",
        target_id=site.id,
        target_label=name,
        fingerprint=key.fingerprint,
    )
    return site, True


def sites(db: Session) -> list[SyncSite]:
    return repository.sites(db)


def trust_central(db: Session, actor: Actor, key_text: str) -> tuple[SyncCentralKey, bool]:
    """The central key this site accepts packages from (a site); replaces an earlier one."""
    key = parse_public_key(key_text)
    current = repository.central_key(db)
    if current is not None and current.fingerprint == key.fingerprint:
        return current, False
    now = clock.now()
    if current is not None:
        current.replaced_at = now
    trusted = SyncCentralKey(public_key=key.text, fingerprint=key.fingerprint, trusted_at=now)
    db.add(trusted)
    db.flush()
    record(
        db,
        actor,
        "sync.trust_central",
        target_type="sync_central_key",
        target_id=trusted.id,
        fingerprint=key.fingerprint,
        replaced=current.fingerprint if current else None,
    )
    return trusted, True


def trusted_central(db: Session) -> PublicKey:
    current = repository.central_key(db)
    if current is None:
        raise SyncRefused(
            N_("No central key is trusted here yet: run `proasn sync trust-central KEY`.")
        )
    return parse_public_key(current.public_key)


# --- packages ---------------------------------------------------------------------------------


def make_package(
    db: Session,
    actor: Actor,
    keys: ServerKeys,
    event_code: str,
    site_name: str,
    session_codes: list[str],
    progress: Progress | None = None,
    reassign: bool = False,
) -> tuple[bytes, dict[str, Any]]:
    """The sealed, signed package file for `site_name` (the centre), and its header's summary.
    A session packaged for another site before is refused unless `reassign` (audited): it
    then belongs to this site, and the other's results for it are refused from then on."""
    event = exams_repository.event_by_code(db, event_code)
    if event is None:
        raise SyncRefused(N_("Unknown event %(code)s."), code=event_code)
    site = repository.site_by_name(db, site_name)
    if site is None:
        raise SyncRefused(
            N_("Unknown site %(name)s: register it with `proasn sync add-site`."), name=site_name
        )
    chosen = package.chosen_sessions(db, event, session_codes)
    _check_owners(db, actor, event.code, site.name, [s.code for s in chosen], reassign)
    content = package.collect(db, event, chosen, progress)
    for exam_session in chosen:  # it runs there now: the centre does not open it
        exam_session.packaged_for = site.name
    about = {
        "event": {"code": event.code, "id": str(event.id), "version": event.version},
        "sessions": [s.code for s in chosen],
        "counts": content.counts,
    }
    data = envelope.seal(
        "package", about, content.to_bytes(), keys, parse_public_key(site.public_key), site.name
    )
    sealed = envelope.parse(data)
    _log(db, "made", sealed, data, site.name)
    record(
        db,
        actor,
        "sync.package",
        target_type="exam_event",
        target_id=event.id,
        target_label=event.code,
        site=site.name,
        sessions=about["sessions"],
        event_version=event.version,
        file_id=sealed.header["id"],
        counts=content.counts,
    )
    return data, sealed.header


def session_sites(db: Session, event_code: str) -> dict[str, str]:
    """Session code → the site it runs at (the centre): the site its latest package went to,
    unless the centre took it back since."""
    return repository.session_sites(db, event_code)


def _check_owners(
    db: Session, actor: Actor, event_code: str, site: str, codes: list[str], reassign: bool
) -> None:
    """A session runs at one site: packaging it for another is refused unless reassigned."""
    owners = session_sites(db, event_code)
    elsewhere = {code: owners[code] for code in codes if owners.get(code, site) != site}
    if not elsewhere:
        return
    if not reassign:
        raise SyncRefused(
            N_(
                "Sessions already packaged for another site: %(sessions)s. A session runs at "
                "one site; to move it, package again with --reassign."
            ),
            sessions=", ".join(f"{code} ({owner})" for code, owner in sorted(elsewhere.items())),
        )
    record(
        db,
        actor,
        "sync.reassign",
        target_type="exam_event",
        target_label=event_code,
        site=site,
        sessions=elsewhere,
    )


def reclaim_sessions(
    db: Session, actor: Actor, event_code: str, session_codes: list[str], reason: str
) -> dict[str, str]:
    """Take sessions packaged for a site back (the centre) when that site cannot run them:
    the centre may open them, and that site's results for them are refused from then on
    (audited, with the reason). Session code → the site it left."""
    reason = (reason or "").strip()
    if not reason:
        raise SyncRefused(N_("A reason is required to take sessions back from their site."))
    event = exams_repository.event_by_code(db, event_code)
    if event is None:
        raise SyncRefused(N_("Unknown event %(code)s."), code=event_code)
    by_code = repository.sessions_of_event(db, event.id)
    codes = list(dict.fromkeys(session_codes))
    unknown = [c for c in codes if c not in by_code]
    if not codes or unknown:
        raise SyncRefused(
            N_("Unknown sessions of event %(event)s: %(codes)s."),
            event=event.code,
            codes=", ".join(unknown) or "-",
        )
    here = [c for c in codes if not by_code[c].packaged_for]
    if here:
        raise SyncRefused(
            N_("Sessions not packaged for a site (they run here already): %(codes)s."),
            codes=", ".join(here),
        )
    closed = [c for c in codes if by_code[c].status == "closed"]
    if closed:
        raise SyncRefused(
            N_("Sessions already closed with their site's results: %(codes)s."),
            codes=", ".join(closed),
        )
    left = {c: str(by_code[c].packaged_for) for c in codes}
    for code in codes:
        by_code[code].packaged_for = None
    db.flush()
    record(
        db,
        actor,
        "sync.reclaim",
        target_type="exam_event",
        target_id=event.id,
        target_label=event.code,
        reason=reason[:1000],
        sessions=left,
    )
    return left


def open_package(
    db: Session, keys: ServerKeys, data: bytes
) -> tuple[envelope.Sealed, dict[str, Any]]:
    """A package's header and content, once the trusted central key's signature holds and it
    opens with this server's key."""
    sealed = envelope.parse(data)
    if sealed.kind != "package":
        raise SyncRefused(N_("This file is not a package but %(kind)s."), kind=sealed.kind)
    envelope.check_signature(sealed, trusted_central(db))
    content = json.loads(envelope.open_payload(sealed, keys))
    about = sealed.header["about"]
    if (
        content.get("event", {}).get("id") != about["event"]["id"]
        or content["event"].get("version") != about["event"]["version"]
    ):
        raise SyncRefused(N_("The package's header and content disagree."))
    return sealed, content


def load_package_file(
    db: Session, actor: Actor, keys: ServerKeys, data: bytes, progress: Progress | None = None
) -> LoadReport:
    """Verify, open and merge a package on this site (see app/sync/loading.py)."""
    sealed, content = open_package(db, keys, data)
    report = load_package(db, content, progress)
    _log(db, "loaded", sealed, data, str(sealed.header["recipient"].get("name", "")))
    record(
        db,
        actor,
        "sync.load_package",
        target_type="exam_event",
        target_id=content["event"]["id"],
        target_label=report.event_code,
        sessions=report.sessions,
        event_version=report.event_version,
        file_id=sealed.header["id"],
        created=dict(report.created),
        updated=dict(report.updated),
        removed=dict(report.removed),
    )
    return report


def _log(db: Session, direction: str, sealed: envelope.Sealed, data: bytes, site: str) -> None:
    """`site`: the site the file went to (a package) or came from (results)."""
    about = sealed.header["about"]
    db.add(
        SyncFileLog(
            file_id=uuid.UUID(sealed.header["id"]),
            direction=direction,
            kind=sealed.kind,
            site_name=site,
            event_code=about["event"]["code"],
            event_version=about["event"]["version"],
            session_codes=about["sessions"],
            sha256=hashlib.sha256(data).hexdigest(),
            made_at=datetime.fromisoformat(sealed.header["made_at"]),
            recorded_at=clock.now(),
        )
    )
    db.flush()


# --- results -------------------------------------------------------------------------------


def make_results(
    db: Session,
    actor: Actor,
    keys: ServerKeys,
    event_code: str,
    progress: Progress | None = None,
) -> tuple[bytes, dict[str, Any]]:
    """The results file of this site's sessions of an event (a site), sealed to the centre."""
    event = exams_repository.event_by_code(db, event_code)
    if event is None:
        raise SyncRefused(N_("Unknown event %(code)s."), code=event_code)
    central = trusted_central(db)
    # The name the centre gave this site, as its packages said (the centre goes by the key).
    packages = [r for r in repository.file_log(db, event.code) if r.direction == "loaded"]
    site_name = packages[-1].site_name if packages else ""
    content = collect_results(db, event, progress)
    about = {
        "event": {"code": event.code, "id": str(event.id), "version": event.version},
        "site": site_name,
        "sessions": [s["code"] for s in content.payload["sessions"]],
        "running": content.running,
        "unfinished_attempts": content.unfinished,
        "complete": not content.running and not content.unfinished,
        "counts": content.counts,
    }
    body = json.dumps(content.payload, ensure_ascii=False, separators=(",", ":")).encode()
    data = envelope.seal("results", about, body, keys, central, "pusat")
    sealed = envelope.parse(data)
    _log(db, "made", sealed, data, site_name)
    record(
        db,
        actor,
        "sync.results",
        target_type="exam_event",
        target_id=event.id,
        target_label=event.code,
        file_id=sealed.header["id"],
        complete=about["complete"],
        counts=content.counts,
    )
    return data, sealed.header


def open_results(
    db: Session, keys: ServerKeys, data: bytes
) -> tuple[envelope.Sealed, SyncSite, dict[str, Any]]:
    """A results file's header, its registered site and its content, once that site's
    signature holds and it opens with this server's key."""
    sealed = envelope.parse(data)
    if sealed.kind != "results":
        raise SyncRefused(N_("This file is not a results file but %(kind)s."), kind=sealed.kind)
    site = repository.site_by_fingerprint(db, sealed.signer_fingerprint)
    if site is None:
        raise SyncRefused(
            N_("The file is signed by key %(fingerprint)s, which this server does not know."),
            fingerprint=sealed.signer_fingerprint,
        )
    envelope.check_signature(sealed, parse_public_key(site.public_key))
    content = json.loads(envelope.open_payload(sealed, keys))
    if content.get("event", {}).get("id") != sealed.header["about"]["event"]["id"]:
        raise SyncRefused(N_("The results file's header and content disagree."))
    return sealed, site, content


def load_results_file(
    db: Session,
    actor: Actor,
    keys: ServerKeys,
    data: bytes,
    progress: Progress | None = None,
    pushed_by: SyncSite | None = None,
) -> MergeReport:
    """Verify, open and merge a site's results at the centre (see app/sync/merge.py).
    `pushed_by`: the site whose token came with the file (a push); it must have signed it."""
    sealed, site, content = open_results(db, keys, data)
    if pushed_by is not None and pushed_by.id != site.id:
        raise PushRefused(
            N_("The token is site %(token)s's, but the file is signed by site %(site)s."),
            token=pushed_by.name,
            site=site.name,
        )
    about = sealed.header["about"]
    earlier = [
        row for row in repository.file_log(db, about["event"]["code"]) if row.site_name == site.name
    ]
    made_at = datetime.fromisoformat(sealed.header["made_at"])
    loaded = [r for r in earlier if r.direction == "loaded" and r.kind == "results"]
    again = any(str(r.file_id) == sealed.header["id"] for r in loaded)
    if not again and any(r.made_at > made_at for r in loaded):
        raise SyncRefused(
            N_("A newer results file from site %(site)s is loaded already."), site=site.name
        )
    # Sessions whose latest package went to this site (a reassigned one is the new site's,
    # a reclaimed one the centre's).
    owners = session_sites(db, about["event"]["code"])
    sent = {code for code, owner in owners.items() if owner == site.name}
    packaged = {
        code
        for row in earlier
        if row.direction == "made" and row.kind == "package"
        for code in row.session_codes
    }
    taken_back = {code for code in packaged if code not in owners}
    report = merge_results(db, site.name, sent, content, progress, taken_back)
    _log(db, "loaded", sealed, data, site.name)
    record(
        db,
        actor,
        "sync.load_results",
        target_type="exam_event",
        target_id=content["event"]["id"],
        target_label=report.event_code,
        site=site.name,
        file_id=sealed.header["id"],
        added=dict(report.added),
        updated=dict(report.updated),
        running=report.running,
        unfinished_attempts=report.unfinished,
        pushed=pushed_by is not None,
    )
    return report


# --- verify -----------------------------------------------------------------------------------


@dataclass
class Verification:
    """What `proasn sync verify` found; `opened` only when the file is sealed to this server."""

    header: dict[str, Any]
    signer: str  # central | self | site:NAME
    opened: bool = False
    counts: dict[str, int] = field(default_factory=dict)
    chained: int | None = None  # results: attempts whose journal chain holds


def verify_file(db: Session, keys: ServerKeys | None, data: bytes) -> Verification:
    """Check a sync file without loading it: layout, a known signer's signature, and, when it is
    sealed to this server, that it opens. Refused at the first thing wrong."""
    sealed = envelope.parse(data)
    signer_name, signer = _known_signer(db, keys, sealed.signer_fingerprint)
    envelope.check_signature(sealed, signer)
    result = Verification(sealed.header, signer_name)
    if keys is not None and sealed.recipient_fingerprint == keys.public.fingerprint:
        if sealed.kind == "package":
            _, content = open_package(db, keys, data)
        else:
            _, _, content = open_results(db, keys, data)
            result.chained = check_journals(content)
        result.opened = True
        result.counts = {k: len(v) for k, v in content.items() if isinstance(v, list)}
    return result


def _known_signer(db: Session, keys: ServerKeys | None, fingerprint: str) -> tuple[str, PublicKey]:
    central = repository.central_key(db)
    if central is not None and central.fingerprint == fingerprint:
        return "central", parse_public_key(central.public_key)
    if keys is not None and keys.public.fingerprint == fingerprint:
        return "self", keys.public
    site = repository.site_by_fingerprint(db, fingerprint)
    if site is not None:
        return f"site:{site.name}", parse_public_key(site.public_key)
    raise SyncRefused(
        N_("The file is signed by key %(fingerprint)s, which this server does not know."),
        fingerprint=fingerprint,
    )
