"""Packages out and in: one central database and two site databases in one test."""

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from app.accounts.models import StaffUser
from app.bank.models import Item, ItemVersion, Subtest
from app.delivery import service as delivery
from app.exams.models import BlueprintSection, Event, ExamSession, Form, FormItem, Participant
from app.i18n import current_locale
from app.kit.clock import FrozenClock, use_clock
from app.proctoring.models import ProctorAssignment
from app.sync import envelope, service
from app.sync.cli import COUNT_WORDS, _counted
from app.sync.errors import SyncRefused
from app.sync.keys import create_keys
from app.sync.models import SyncFileLog
from tests.exams.factories import valid_nip
from tests.sync.factories import ACTOR, EVENT, Server, World, build_world, refusal, reimport

PLAN = {"S1": [1, 2], "S2": [3]}
TABLES = (
    Event,
    BlueprintSection,
    ExamSession,
    Subtest,
    Item,
    ItemVersion,
    Participant,
    Form,
    FormItem,
    StaffUser,
    ProctorAssignment,
)


@pytest.fixture
def world(databases, tmp_path: Path) -> Iterator[World]:
    with use_clock(FrozenClock(datetime(2026, 11, 30, 1, 0, tzinfo=UTC))):
        built = build_world(databases, tmp_path, ("makassar", "jayapura"), PLAN)
        yield built
    for server in (built.central, *built.sites.values()):
        databases.drop(server.url)


def snapshot(server: Server) -> dict[str, list[tuple]]:
    """Every row of the tables a package fills, as plain tuples, in a stable order."""
    found: dict[str, list[tuple]] = {}
    with server.db() as db:
        for model in TABLES:
            columns = list(model.__table__.columns)
            found[model.__tablename__] = sorted(
                tuple(str(v) for v in row) for row in db.execute(select(*columns))
            )
    return found


def ids(server: Server, model) -> set:
    with server.db() as db:
        return set(db.scalars(select(model.id)))


def session_ids(server: Server, codes: list[str]) -> list:
    with server.db() as db:
        query = select(ExamSession.id).where(ExamSession.code.in_(codes))
        return list(db.scalars(query))


def central_rows(world: World, codes: list[str]) -> dict[str, set]:
    """What the centre holds for these sessions: participants, forms, drawn item versions."""
    with world.central.db() as db:
        people = select(Participant.id).join(ExamSession).where(ExamSession.code.in_(codes))
        participants = set(db.scalars(people))
        forms = set(db.scalars(select(Form.id).where(Form.participant_id.in_(participants))))
        versions = set(
            db.scalars(select(FormItem.item_version_id).where(FormItem.form_id.in_(forms)))
        )
    return {"participants": participants, "forms": forms, "versions": versions}


def test_each_site_holds_exactly_its_sessions_with_the_centres_ids(world: World) -> None:
    world.load("makassar", world.package("makassar", "S1"))
    world.load("jayapura", world.package("jayapura", "S2"))

    for site, codes in (("makassar", ["S1"]), ("jayapura", ["S2"])):
        server = world.sites[site]
        expected = central_rows(world, codes)
        assert ids(server, ExamSession) == set(session_ids(world.central, codes))
        assert ids(server, Participant) == expected["participants"]
        assert ids(server, Form) == expected["forms"]
        assert ids(server, ItemVersion) == expected["versions"]  # drawn ones only
        assert len(expected["versions"]) < world.central.count(ItemVersion)
        assert ids(server, Event) == ids(world.central, Event)
        assert server.count(BlueprintSection) == 2
    # Each site's proctor, with the centre's password hash; not the other room's.
    with world.central.db() as db:
        central_staff = {u.username: u.password_hash for u in db.scalars(select(StaffUser))}
    with world.sites["makassar"].db() as db:
        staff = {u.username: u.password_hash for u in db.scalars(select(StaffUser))}
    assert staff == {"pengawas1": central_staff["pengawas1"]}
    assert world.sites["makassar"].count(ProctorAssignment) == 1
    # Same content as the centre, figures included.
    with world.central.db() as centre, world.sites["makassar"].db() as site_db:
        for version in site_db.scalars(select(ItemVersion)):
            original = centre.get(ItemVersion, version.id)
            assert original is not None
            assert (version.stem, version.options, version.figure_svg, version.content_hash) == (
                original.stem,
                original.options,
                original.figure_svg,
                original.content_hash,
            )


def test_a_taker_sits_on_the_site_with_what_the_package_brought(world: World) -> None:
    world.load("makassar", world.package("makassar", "S1"))
    site = world.sites["makassar"]
    with site.db() as db:
        session = db.scalar(select(ExamSession).where(ExamSession.code == "S1"))
        assert session is not None
        session.status = "open"
        token = session.room_token
    with use_clock(FrozenClock(datetime(2026, 12, 1, 0, 5, tzinfo=UTC))), site.db() as db:
        taker, _ = delivery.login(db, valid_nip(1), token, None)
        delivery.start(db, taker)
        _, ref, version = delivery.open_item(db, taker, 1)
        assert set(ref.option_order) == {o["id"] for o in version.options}


def test_loading_the_same_package_again_changes_nothing(world: World) -> None:
    data = world.package("makassar", "S1")
    first = world.load("makassar", data)
    assert first.changed and first.created["participants"] == 2
    before = snapshot(world.sites["makassar"])
    again = world.load("makassar", data)
    assert not again.changed
    assert snapshot(world.sites["makassar"]) == before
    # A second package of the same version, for another session, adds only that session.
    world.load("makassar", world.package("makassar", "S2"))
    assert (
        ids(world.sites["makassar"], Participant)
        == central_rows(world, ["S1", "S2"])["participants"]
    )


def refused(world: World, site: str, data: bytes, reason: str) -> None:
    before = snapshot(world.sites[site])
    with pytest.raises(SyncRefused) as caught:
        world.load(site, data)
    assert reason in caught.value.message_in("en")
    assert snapshot(world.sites[site]) == before


def test_a_package_for_another_site_is_refused(world: World) -> None:
    refused(world, "jayapura", world.package("makassar", "S1"), "This file is for makassar")


@pytest.mark.parametrize("where", ["header", "payload", "signature"])
def test_a_tampered_byte_is_refused_and_nothing_loaded(world: World, where: str) -> None:
    data = bytearray(world.package("makassar", "S1"))
    sealed = envelope.parse(bytes(data))
    at = {
        "header": sealed.associated.index(b'"S1"') + 2,  # the session code in the header
        "payload": len(sealed.associated) + 100,
        "signature": len(data) - 1,
    }[where]
    data[at] ^= 0x01
    refused(world, "makassar", bytes(data), "The signature does not match")


def test_a_package_signed_by_another_key_is_refused(
    world: World, databases, tmp_path: Path
) -> None:
    impostor = Server("palsu", world.central.url, create_keys(tmp_path / "palsu.key"))
    forged = world.package("makassar", "S1", central=impostor)
    refused(world, "makassar", forged, "signed by key")
    # Even when its header names the real central key, the signature gives it away.
    sealed = envelope.parse(forged)
    text = sealed.associated.replace(
        impostor.keys.public.fingerprint.encode(), world.central.keys.public.fingerprint.encode()
    )
    refused(world, "makassar", text + sealed.ciphertext + sealed.signature, "does not match")


def test_an_older_package_is_refused_once_a_newer_one_is_loaded(world: World) -> None:
    old = world.package("makassar", "S1")
    reimport(world.central, {"S1": [1, 2, 4], "S2": [3]})  # one more participant in S1
    new = world.package("makassar", "S1")
    assert (
        envelope.parse(new).header["about"]["event"]["version"]
        > envelope.parse(old).header["about"]["event"]["version"]
    )
    report = world.load("makassar", new)
    assert report.created["participants"] == 3
    refused(world, "makassar", old, "this site holds the newer version")


def test_a_newer_package_removes_who_left_the_session_unless_they_started(
    world: World,
) -> None:
    world.load("makassar", world.package("makassar", "S1"))
    reimport(world.central, {"S1": [1], "S2": [2, 3]})  # participant 2 moves to S2
    moved = world.package("makassar", "S1")

    site = world.sites["makassar"]
    with site.db() as db:
        session = db.scalar(select(ExamSession).where(ExamSession.code == "S1"))
        assert session is not None
        session.status = "open"
        token = session.room_token
    with use_clock(FrozenClock(datetime(2026, 12, 1, 0, 5, tzinfo=UTC))), site.db() as db:
        taker, _ = delivery.login(db, valid_nip(2), token, None)
        delivery.start(db, taker)
    refused(world, "makassar", moved, "participants have started here")


def test_a_newer_package_keeps_an_open_rooms_token_and_drops_a_moved_participant(
    world: World,
) -> None:
    world.load("makassar", world.package("makassar", "S1"))
    site = world.sites["makassar"]
    with site.db() as db:
        session = db.scalar(select(ExamSession).where(ExamSession.code == "S1"))
        assert session is not None
        session.status, session.room_token = "open", "ROTATED"
    reimport(world.central, {"S1": [1], "S2": [2, 3]})
    report = world.load("makassar", world.package("makassar", "S1"))
    assert report.removed["participants"] == 1
    with site.db() as db:
        session = db.scalar(select(ExamSession).where(ExamSession.code == "S1"))
        assert session is not None and (session.status, session.room_token) == ("open", "ROTATED")
        assert [p.nip for p in db.scalars(select(Participant))] == [valid_nip(1)]


def test_packaging_refuses_unknown_or_unprepared_sessions_and_unknown_sites(
    world: World,
) -> None:
    with world.central.db() as db:
        for site, sessions, reason in (
            ("makassar", ["S9"], "Unknown sessions"),
            ("bandung", ["S1"], "Unknown site bandung"),
        ):
            with pytest.raises(SyncRefused) as caught:
                service.make_package(db, ACTOR, world.central.keys, EVENT, site, sessions)
            assert reason in caught.value.message_in("en")
        session = db.scalar(select(ExamSession).where(ExamSession.code == "S1"))
        assert session is not None
        session.status = "open"
        with refusal("already opened"):
            service.make_package(db, ACTOR, world.central.keys, EVENT, "makassar", ["S1"])


def test_made_and_loaded_files_are_logged_and_audited(world: World) -> None:
    world.load("makassar", world.package("makassar", "S1"))
    with world.central.db() as db:
        made = db.scalars(select(SyncFileLog)).all()
        assert [(m.direction, m.site_name, m.session_codes) for m in made] == [
            ("made", "makassar", ["S1"])
        ]
    with world.sites["makassar"].db() as db:
        loaded = db.scalars(select(SyncFileLog)).one()
        assert (loaded.direction, loaded.file_id) == ("loaded", made[0].file_id)


def test_verify_checks_without_loading(world: World) -> None:
    data = world.package("makassar", "S1")
    site = world.sites["makassar"]
    with site.db() as db:
        result = service.verify_file(db, site.keys, data)
    assert (result.signer, result.opened, result.counts["participants"]) == ("central", True, 2)
    assert site.count(Participant) == 0
    with world.central.db() as db:  # the centre checks its own file but cannot open it
        result = service.verify_file(db, world.central.keys, data)
    assert (result.signer, result.opened) == ("self", False)
    with world.sites["jayapura"].db() as db, pytest.raises(SyncRefused):
        service.verify_file(db, world.sites["jayapura"].keys, data[:-1])


def test_the_load_counts_are_named_in_the_catalogues_words(world: World) -> None:
    """`proasn sync load-package` prints what a load created by COUNT_WORDS, in the run's
    language: every count a load makes has its word (item versions included)."""
    report = world.load("makassar", world.package("makassar", "S1"))
    assert report.created["item_versions"] > 0
    assert set(report.created) <= set(COUNT_WORDS)
    token = current_locale.set("id")
    try:
        printed = _counted(dict(report.created))
    finally:
        current_locale.reset(token)
    assert f"versi butir {report.created['item_versions']:,}" in printed
    assert "item versions" not in printed
