"""Sync keys: made once, owner-only, public half as one string; sites and the central key."""

import os
import stat
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from app.sync import service
from app.sync.errors import SyncRefused
from app.sync.keys import create_keys, keys_at, load_keys, parse_public_key
from tests.sync.factories import ACTOR, refusal


def test_keys_are_made_once_readable_by_their_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "server.key"
    made, created = keys_at(path)
    assert created and stat.S_IMODE(path.stat().st_mode) == 0o600
    again, created_again = keys_at(path)
    assert not created_again and again.public.text == made.public.text
    with pytest.raises(FileExistsError):
        create_keys(path)  # never overwritten


def test_a_key_file_others_can_read_or_a_damaged_one_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "server.key"
    create_keys(path)
    os.chmod(path, 0o640)
    with refusal("readable by others"):
        load_keys(path)
    os.chmod(path, 0o600)
    path.write_text("{}")
    with refusal("damaged"):
        load_keys(path)
    with refusal("proasn sync keys"):
        load_keys(tmp_path / "absent.key")


def test_the_public_key_string_round_trips_and_damage_is_refused(tmp_path: Path) -> None:
    public = create_keys(tmp_path / "k").public
    assert public.text.startswith("proasn-sync-1:")
    spaced_out = public.text[:20] + "\n  " + public.text[20:]  # pasted across lines
    assert parse_public_key(spaced_out).fingerprint == public.fingerprint
    for bad in ("ssh-ed25519 AAAA", public.text[:-4], "proasn-sync-1:!!!"):
        with pytest.raises(SyncRefused):
            parse_public_key(bad)


def test_the_centre_registers_sites_by_name_and_key(db_session: Session, tmp_path: Path) -> None:
    first = create_keys(tmp_path / "a").public.text
    other = create_keys(tmp_path / "b").public.text
    site, created = service.add_site(db_session, ACTOR, "makassar", first)
    assert created
    assert service.add_site(db_session, ACTOR, "makassar", first) == (site, False)
    with refusal("another key"):
        service.add_site(db_session, ACTOR, "makassar", other)
    with refusal("already site makassar"):
        service.add_site(db_session, ACTOR, "jayapura", first)
    with refusal("site name"):
        service.add_site(db_session, ACTOR, "kota makassar", other)
    assert [s.name for s in service.sites(db_session)] == ["makassar"]


def test_a_site_trusts_one_central_key_at_a_time(db_session: Session, tmp_path: Path) -> None:
    with refusal("trust-central"):
        service.trusted_central(db_session)
    first = create_keys(tmp_path / "a").public
    second = create_keys(tmp_path / "b").public
    assert service.trust_central(db_session, ACTOR, first.text)[1]
    assert not service.trust_central(db_session, ACTOR, first.text)[1]
    assert service.trust_central(db_session, ACTOR, second.text)[1]
    assert service.trusted_central(db_session).fingerprint == second.fingerprint
