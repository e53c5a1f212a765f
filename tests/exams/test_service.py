"""Event import and session preparation through the service layer, on the real database."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.bank.loader import load_bank
from app.bank.models import ItemVersion
from app.bank.service import import_bank
from app.exams import repository
from app.exams.models import Event, Form, FormItem, Participant
from app.exams.preparation import prepare_sessions, reproduce_form
from app.exams.service import EventImportRejected, import_event
from app.kit import clock
from app.kit.clock import FrozenClock, use_clock
from app.kit.secrets_gen import verify_access_code
from tests.bank.factories import bank_of, keyed_item, write_bank
from tests.exams.factories import event_data, event_doc, participant, rows, valid_nip


@pytest.fixture(autouse=True)
def frozen_clock():
    with use_clock(FrozenClock(datetime(2026, 11, 28, 2, 0, tzinfo=UTC))) as c:
        yield c


@pytest.fixture
def bank(db_session: Session, tmp_path: Path) -> Path:
    root = bank_of(tmp_path / "bank", verbal=12, numerik=6, sjt=8)
    import_bank(db_session, load_bank(root))
    return root


def count(db: Session, model) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def event(db: Session) -> Event:
    found = repository.event_by_code(db, "proasn-uji")
    assert found is not None
    return found


def form_codes(db: Session, participant_id) -> list[str]:
    form = repository.form_of(db, participant_id)
    assert form is not None
    items = repository.form_items(db, form.id)
    versions = {v.id: v for v in db.scalars(select(ItemVersion))}
    return [versions[i.item_version_id].stem for i in items]


def test_import_creates_event_sessions_participants_and_access_codes(
    db_session: Session, bank: Path
) -> None:
    report = import_event(db_session, event_doc(), rows(participant(1), participant(2, "S2")))
    assert report.event_created and report.sessions_created == ["S1", "S2"]
    assert report.participants_created == 2 and len(report.issued_codes) == 2
    stored = {p.nip: p for p in repository.participants(db_session, event(db_session).id)}
    issued = report.issued_codes[0]
    assert verify_access_code(stored[issued.nip].access_code_hash, issued.access_code)
    assert not verify_access_code(stored[issued.nip].access_code_hash, "SALAH")
    assert issued.access_code not in stored[issued.nip].access_code_hash


def test_session_start_is_stored_in_utc_from_the_room_zone(db_session: Session, bank: Path) -> None:
    import_event(db_session, event_doc(), rows(participant(1)))
    s1, s2 = repository.sessions(db_session, event(db_session).id)
    # S1 uses the event's zone (WITA, UTC+8); S2 its own (WIT, UTC+9).
    assert (s1.time_zone, s1.starts_at) == (
        "Asia/Makassar",
        datetime(2026, 12, 1, 0, 0, tzinfo=UTC),
    )
    assert (s2.time_zone, s2.starts_at) == (
        "Asia/Jayapura",
        datetime(2026, 12, 1, 4, 0, tzinfo=UTC),
    )


def test_room_tokens_are_unambiguous_and_differ(db_session: Session, bank: Path) -> None:
    import_event(db_session, event_doc(), rows(participant(1)))
    tokens = [s.room_token for s in repository.sessions(db_session, event(db_session).id)]
    assert len(set(tokens)) == 2
    assert all(len(t) == 6 and not set(t) & set("0O1IL2Z5S8B") for t in tokens)


def test_one_bad_row_rejects_the_whole_import(db_session: Session, bank: Path) -> None:
    bad = participant(3, nip="19780512 200313 1 001")
    with pytest.raises(EventImportRejected) as rejected:
        import_event(db_session, event_doc(), rows(participant(1), participant(2), bad))
    [problem] = rejected.value.row_problems
    assert (problem.row, problem.column) == (4, "nip") and "01-12" in problem.message
    assert count(db_session, Event) == 0 and count(db_session, Participant) == 0


def test_every_bad_row_is_reported_with_row_and_column(db_session: Session, bank: Path) -> None:
    participants = [
        participant(1),
        participant(2, nip=valid_nip(1)),  # duplicate NIP (row 3)
        participant(3, session="S9"),  # unknown session (row 4)
        participant(4, agency="9999"),  # unknown agency (row 5)
        participant(5, eselon="V"),  # bad eselon (row 6)
        participant(6, nip="12345"),  # wrong length (row 7)
        participant(7, name=""),  # missing name (row 8)
    ]
    with pytest.raises(EventImportRejected) as rejected:
        import_event(db_session, event_doc(), rows(*participants))
    found = [(p.row, p.column) for p in rejected.value.row_problems]
    assert found == [
        (3, "nip"),
        (4, "session"),
        (5, "agency"),
        (6, "eselon"),
        (7, "nip"),
        (8, "name"),
    ]
    assert "sudah ada di baris 2" in rejected.value.row_problems[0].message


def test_over_session_capacity_and_over_agency_quota(db_session: Session, bank: Path) -> None:
    data = event_data()
    data["agencies"][1]["seats"] = 2
    participants = [participant(n) for n in range(1, 7)]  # S1 holds 5
    participants += [participant(n, "S2", agency="7302") for n in range(7, 10)]  # quota 2
    with pytest.raises(EventImportRejected) as rejected:
        import_event(db_session, event_doc(**data), rows(*participants))
    found = [(p.row, p.column, p.message) for p in rejected.value.row_problems]
    assert found == [
        (7, "session", "melebihi kapasitas sesi S1 (5 kursi)"),
        (10, "agency", "melebihi kuota instansi 7302 (2 kursi)"),
    ]


def test_registered_participants_not_in_the_file_still_count(
    db_session: Session, bank: Path
) -> None:
    import_event(db_session, event_doc(), rows(*[participant(n) for n in range(1, 5)]))
    with pytest.raises(EventImportRejected) as rejected:
        import_event(db_session, event_doc(), rows(participant(10), participant(11)))
    assert [(p.row, p.column) for p in rejected.value.row_problems] == [(3, "session")]


def test_agency_may_be_given_by_name(db_session: Session, bank: Path) -> None:
    import_event(db_session, event_doc(), rows(participant(1, agency="pemerintah kota makassar")))
    assert count(db_session, Participant) == 1


def test_reimport_updates_without_new_codes(db_session: Session, bank: Path) -> None:
    import_event(db_session, event_doc(), rows(participant(1), participant(2)))
    report = import_event(
        db_session, event_doc(), rows(participant(1, name="Nama Baru"), participant(2))
    )
    assert (report.event_created, report.participants_created, report.participants_updated) == (
        False,
        0,
        2,
    )
    assert report.issued_codes == []
    names = {p.name for p in repository.participants(db_session, event(db_session).id)}
    assert names == {"Nama Baru", "Peserta 2"}


def test_blueprint_the_bank_cannot_satisfy_is_refused(db_session: Session, bank: Path) -> None:
    data = event_data()
    data["blueprint"]["sections"][0]["items"] = 13
    with pytest.raises(EventImportRejected) as rejected:
        import_event(db_session, event_doc(**data), rows(participant(1)))
    [problem] = rejected.value.setup_problems
    assert problem == (
        "blueprint: bagian 1 (Verbal) meminta 13 butir dari verbal, tetapi bank hanya "
        "menyediakan 12"
    )
    assert count(db_session, Event) == 0


def test_unknown_subtest_in_blueprint_is_refused(db_session: Session, bank: Path) -> None:
    data = event_data()
    data["blueprint"]["sections"][0]["subtest"] = "tidak-ada"
    with pytest.raises(EventImportRejected) as rejected:
        import_event(db_session, event_doc(**data), rows(participant(1)))
    assert "menyediakan 0" in rejected.value.setup_problems[0]


def prepared(db_session: Session, n: int = 4) -> list[Participant]:
    import_event(db_session, event_doc(), rows(*[participant(i) for i in range(1, n + 1)]))
    prepare_sessions(db_session, event(db_session))
    return repository.participants(db_session, event(db_session).id)


def test_prepare_draws_a_form_per_participant_following_the_blueprint(
    db_session: Session, bank: Path
) -> None:
    people = prepared(db_session)
    assert count(db_session, Form) == 4 and count(db_session, FormItem) == 4 * 5
    for person in people:
        form = repository.form_of(db_session, person.id)
        assert form is not None and form.item_count == 5
        items = repository.form_items(db_session, form.id)
        versions = {v.id: v for v in db_session.scalars(select(ItemVersion))}
        subtests = [versions[i.item_version_id].subtest_code for i in items]
        assert subtests == ["verbal"] * 3 + ["sjt"] * 2
        assert [i.section_position for i in items] == [1, 1, 1, 2, 2]
        assert len({i.item_version_id for i in items}) == 5
    statuses = {s.status for s in repository.sessions(db_session, event(db_session).id)}
    assert statuses == {"prepared"}


def test_drawn_versions_are_frozen(db_session: Session, bank: Path) -> None:
    prepared(db_session, 1)
    frozen = db_session.scalar(
        select(func.count()).select_from(ItemVersion).where(ItemVersion.frozen_at.is_not(None))
    )
    assert frozen == 5


def test_different_participants_get_different_forms(db_session: Session, bank: Path) -> None:
    people = prepared(db_session, 5)
    orders = {tuple(form_codes(db_session, p.id)) for p in people}
    assert len(orders) == 5


def test_form_is_reproducible_from_its_seed_after_the_bank_changes(
    db_session: Session, bank: Path, tmp_path: Path, frozen_clock: FrozenClock
) -> None:
    [person, *_] = prepared(db_session, 2)
    form = repository.form_of(db_session, person.id)
    assert form is not None
    stored = [
        (i.item_version_id, tuple(i.option_order))
        for i in repository.form_items(db_session, form.id)
    ]
    # Later: more items join the pool and every drawn item gets a new version.
    frozen_clock.advance(hours=1)
    changed = bank_of(tmp_path / "bank2", verbal=30, numerik=6, sjt=8)
    import_bank(db_session, load_bank(changed))
    edited = [keyed_item(f"V{i:04d}", i, key="C") for i in range(1, 31)]
    import_bank(db_session, load_bank(write_bank(tmp_path / "bank3", edited)))
    again = reproduce_form(db_session, event(db_session), form)
    assert [(d.version_id, d.option_order) for d in again] == stored


def test_prepare_is_idempotent(db_session: Session, bank: Path) -> None:
    prepared(db_session, 3)
    report = prepare_sessions(db_session, event(db_session))
    assert report.forms_drawn == {"S1": 0, "S2": 0}
    assert count(db_session, Form) == 3


def test_new_participant_in_a_prepared_session_gets_a_form_at_import(
    db_session: Session, bank: Path
) -> None:
    prepared(db_session, 2)
    report = import_event(
        db_session, event_doc(), rows(participant(1), participant(2), participant(3))
    )
    assert report.forms_drawn == 1 and count(db_session, Form) == 3


def test_moving_a_participant_keeps_their_form(db_session: Session, bank: Path) -> None:
    [person, *_] = prepared(db_session, 2)
    before = form_codes(db_session, person.id)
    report = import_event(db_session, event_doc(), rows(participant(1, "S2"), participant(2)))
    assert report.participants_moved == 1
    db_session.refresh(person)
    s2 = repository.session_by_code(db_session, event(db_session).id, "S2")
    assert s2 is not None and person.session_id == s2.id
    assert form_codes(db_session, person.id) == before


def changed_blueprint():
    data = event_data()
    data["blueprint"]["sections"][0]["items"] = 4
    return event_doc(**data)


def test_blueprint_change_after_drawing_needs_explicit_redraw(
    db_session: Session, bank: Path
) -> None:
    prepared(db_session, 2)
    with pytest.raises(EventImportRejected) as rejected:
        import_event(db_session, changed_blueprint(), rows(participant(1), participant(2)))
    assert "--redraw" in rejected.value.setup_problems[0]
    assert event(db_session).blueprint_hash == event_doc().blueprint.canonical_hash()

    report = import_event(
        db_session, changed_blueprint(), rows(participant(1), participant(2)), redraw=True
    )
    assert report.forms_redrawn == 2
    forms = list(db_session.scalars(select(Form)))
    assert {f.item_count for f in forms} == {6}
    assert {f.blueprint_hash for f in forms} == {changed_blueprint().blueprint.canonical_hash()}


def test_blueprint_change_is_refused_once_a_session_is_open(
    db_session: Session, bank: Path
) -> None:
    prepared(db_session, 2)
    s1 = repository.session_by_code(db_session, event(db_session).id, "S1")
    assert s1 is not None
    s1.status = "open"
    with pytest.raises(EventImportRejected) as rejected:
        import_event(
            db_session, changed_blueprint(), rows(participant(1), participant(2)), redraw=True
        )
    assert (
        "sudah dibuka" in rejected.value.setup_problems[0]
        and "S1" in rejected.value.setup_problems[0]
    )
    assert {f.item_count for f in db_session.scalars(select(Form))} == {5}


def test_prepare_reports_progress(db_session: Session, bank: Path) -> None:
    import_event(db_session, event_doc(), rows(*[participant(i) for i in range(1, 4)]))
    ticks: list[int] = []
    prepare_sessions(db_session, event(db_session), ["S1"], ticks.append)
    assert sum(ticks) == 3


def test_clock_is_the_injected_one(frozen_clock: FrozenClock) -> None:
    assert clock.now() == datetime(2026, 11, 28, 2, 0, tzinfo=UTC)


def test_lowering_a_capacity_or_quota_below_those_registered_is_refused(
    db_session: Session, bank: Path
) -> None:
    """Before: re-importing the event file with a smaller capacity was accepted (3/1)."""
    import_event(db_session, event_doc(), rows(*[participant(n) for n in range(1, 4)]))
    data = event_data()
    data["sessions"][0]["capacity"] = 1
    data["agencies"][0]["seats"] = 2
    with pytest.raises(EventImportRejected) as rejected:
        import_event(db_session, event_doc(**data), rows())
    assert rejected.value.setup_problems == [
        "sesi S1: kapasitas 1 kursi, tetapi 3 peserta terdaftar di sesi ini; naikkan kapasitas"
        " atau pindahkan peserta lebih dulu",
        "instansi 7371: kuota 2 kursi, tetapi 3 peserta terdaftar dari instansi ini; naikkan"
        " kuota atau kurangi peserta lebih dulu",
    ]
    stored = repository.sessions(db_session, event(db_session).id)
    assert [s.capacity for s in stored if s.code == "S1"] == [5]  # nothing changed
