"""Site tokens (the centre): what a site pushes its results file with, over the network.

A token names its site; the file must also be signed by that site's key, so a token alone
loads nothing and a stolen token cannot pass off another site's file. Stored as SHA-256
only (like analysts' API tokens, app/accounts/api_tokens.py); one live token per site:
issuing a new one revokes the old; revoking leaves the site to carry files by hand.
"""

import secrets

from sqlalchemy.orm import Session

from app.audit.service import Actor, record
from app.i18n import N_
from app.kit import clock
from app.kit.secrets_gen import token_digest
from app.sync import repository
from app.sync.errors import SyncRefused
from app.sync.models import SyncSite, SyncSiteToken

PREFIX = "sst_"  # recognisable in logs and secret scanners


def _site(db: Session, name: str) -> SyncSite:
    site = repository.site_by_name(db, name)
    if site is None:
        raise SyncRefused(
            N_("Unknown site %(name)s: register it with `proasn sync add-site`."), name=name
        )
    return site


def issue_token(db: Session, actor: Actor, site_name: str) -> str:
    """A new token for the site (its earlier one revoked); the raw value is returned once."""
    site = _site(db, site_name)
    now = clock.now()
    replaced = repository.live_tokens_of(db, site.id)
    for token in replaced:
        token.revoked_at = now
    raw = PREFIX + secrets.token_urlsafe(32)
    token = SyncSiteToken(site_id=site.id, token_hash=token_digest(raw), created_at=now)
    db.add(token)
    db.flush()
    record(
        db,
        actor,
        "sync.site_token",
        target_type="sync_site",
        target_id=site.id,
        target_label=site.name,
        replaced=len(replaced),
    )
    return raw


def revoke_tokens(db: Session, actor: Actor, site_name: str) -> int:
    """Revoke the site's live token; how many were live (0 or 1)."""
    site = _site(db, site_name)
    live = repository.live_tokens_of(db, site.id)
    for token in live:
        token.revoked_at = clock.now()
    if live:
        record(
            db,
            actor,
            "sync.revoke_site_token",
            target_type="sync_site",
            target_id=site.id,
            target_label=site.name,
        )
    return len(live)


def site_for_token(db: Session, raw: str) -> SyncSite | None:
    """The site a live token belongs to (its last use noted), or None."""
    if not raw.startswith(PREFIX):
        return None
    token = repository.live_token(db, token_digest(raw))
    if token is None:
        return None
    token.last_used_at = clock.now()
    return db.get(SyncSite, token.site_id)
