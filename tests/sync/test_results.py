"""Results back: takers sit on two sites, each site's results merge at the centre by id."""

from pathlib import Path

import pytest
from sqlalchemy import select, update

from app.audit.models import AuditEntry
from app.delivery import service as delivery
from app.delivery.models import Answer, AnswerJournal, Attempt, AttemptScore
from app.exams.models import Event, ExamSession, Participant
from app.kit.clock import FrozenClock
from app.proctoring import service as proctoring
from app.proctoring.models import Incident, Seat
from app.sync import service
from app.sync.merge import MergeReport, ResultsContradict
from tests.exams.factories import valid_nip
from tests.sync.factories import ACTOR, EVENT, Server, World, refusal


def session_of(db, code: str) -> ExamSession:
    found = db.scalar(select(ExamSession).where(ExamSession.code == code))
    assert found is not None
    return found


def participant_of(db, n: int) -> Participant:
    found = db.scalar(select(Participant).where(Participant.nip == valid_nip(n)))
    assert found is not None
    return found


def open_room(site: Server, code: str) -> str:
    with site.db() as db:
        room = session_of(db, code)
        proctoring.open_session(db, ACTOR, room)
        return room.room_token


def sit(site: Server, token: str, n: int, answers: int, submit: bool) -> None:
    with site.db() as db:
        taker, _ = delivery.login(db, valid_nip(n), token, None)
        delivery.start(db, taker)
        for position in range(1, answers + 1):
            _, ref, _ = delivery.open_item(db, taker, position)
            delivery.save_answer(db, taker, position, ref.option_order[0], False, seq=position)
        if submit:
            delivery.submit(db, taker)


def submit_and_close(site: Server, code: str, n: int) -> None:
    with site.db() as db:
        participant = participant_of(db, n)
        attempt = db.scalar(select(Attempt).where(Attempt.participant_id == participant.id))
        assert attempt is not None
        delivery.force_submit(db, attempt)
        proctoring.close_session(db, ACTOR, session_of(db, code), "selesai")


def results(world: World, site: str) -> bytes:
    server = world.sites[site]
    with server.db() as db:
        data, _ = service.make_results(db, ACTOR, server.keys, EVENT)
    return data


def load(world: World, data: bytes) -> MergeReport:
    with world.central.db() as db:
        return service.load_results_file(db, ACTOR, world.central.keys, data)


def rows_of(server: Server, model) -> set:
    with server.db() as db:
        columns = list(model.__table__.columns)
        return {tuple(str(v) for v in row) for row in db.execute(select(*columns))}


def test_two_sites_sit_and_their_results_merge_at_the_centre(
    world: World, clock: FrozenClock
) -> None:
    makassar, jayapura = world.sites["makassar"], world.sites["jayapura"]
    token = open_room(makassar, "S1")
    with makassar.db() as db:
        room = session_of(db, "S1")
        proctoring.add_incident(db, ACTOR, room, "environment", "power", "Listrik padam 2 menit")
    sit(makassar, token, 1, answers=3, submit=True)
    sit(makassar, token, 2, answers=2, submit=False)
    sit(jayapura, open_room(jayapura, "S2"), 3, answers=3, submit=True)

    # A file made while S1 runs: the centre takes the finished attempt and says what is left.
    partial = results(world, "makassar")
    never_sent = results(world, "makassar")
    report = load(world, partial)
    assert (report.running, report.unfinished) == (["S1"], 1)
    assert report.added["attempts"] == 1 and report.added["answers"] == 3
    assert report.added["incidents"] == 1 and report.added["audit"] > 0
    assert not load(world, partial).changed  # the same file again changes nothing

    clock.advance(minutes=30)
    submit_and_close(makassar, "S1", 2)
    complete = results(world, "makassar")
    report = load(world, complete)
    assert (report.running, report.unfinished) == ([], 0)
    assert report.added["attempts"] == 1 and report.updated["sessions"] == 1
    load(world, results(world, "jayapura"))

    # The centre now holds what both sites hold, row for row.
    for model in (Attempt, Answer, AnswerJournal, AttemptScore, Incident):
        merged = rows_of(world.central, model)
        assert merged == rows_of(makassar, model) | rows_of(jayapura, model)
    with world.central.db() as db:
        assert session_of(db, "S1").status == "closed"
        assert session_of(db, "S2").status == "prepared"  # still open at its site
    assert not load(world, partial).changed  # loaded before: still nothing new
    with refusal("A newer results file from site makassar"):
        load(world, never_sent)


def test_a_contradicting_file_is_refused_whole_with_a_report(
    world: World, clock: FrozenClock
) -> None:
    makassar = world.sites["makassar"]
    sit(makassar, open_room(makassar, "S1"), 1, answers=3, submit=True)
    load(world, results(world, "makassar"))
    before = rows_of(world.central, Answer), rows_of(world.central, AuditEntry)
    with makassar.db() as db:  # an answer changed at the site after it was sent
        db.execute(update(Answer).where(Answer.position == 2).values(option_id="Z"))
    with pytest.raises(ResultsContradict) as caught:
        load(world, results(world, "makassar"))
    assert any("delivery_answer" in p and "option_id" in p for p in caught.value.problems)
    assert (rows_of(world.central, Answer), rows_of(world.central, AuditEntry)) == before


def test_scores_that_do_not_follow_from_the_answers_are_refused(
    world: World, clock: FrozenClock
) -> None:
    makassar = world.sites["makassar"]
    sit(makassar, open_room(makassar, "S1"), 1, answers=3, submit=True)
    with makassar.db() as db:
        db.execute(update(AttemptScore).values(raw=AttemptScore.raw + 1))
    with pytest.raises(ResultsContradict) as caught:
        load(world, results(world, "makassar"))
    assert any("delivery_attempt_score" in p for p in caught.value.problems)


def test_attendance_may_move_to_a_higher_version(world: World, clock: FrozenClock) -> None:
    makassar = world.sites["makassar"]
    open_room(makassar, "S1")
    with makassar.db() as db:
        room, person = session_of(db, "S1"), participant_of(db, 1)
        proctoring.check_in(db, ACTOR, room, person, "late", False, None, 1)
    load(world, results(world, "makassar"))
    with makassar.db() as db:
        room, person = session_of(db, "S1"), participant_of(db, 1)
        seat = db.get(Seat, person.id)
        assert seat is not None
        proctoring.check_in(db, ACTOR, room, person, "present", True, "12", seat.version)
    assert load(world, results(world, "makassar")).updated["seats"] == 1
    with world.central.db() as db:
        seat = db.get(Seat, participant_of(db, 1).id)
        assert seat is not None and (seat.attendance, seat.pc_number) == ("present", "12")


def test_results_from_an_unknown_key_or_for_sessions_sent_elsewhere_are_refused(
    world: World, clock: FrozenClock, tmp_path: Path
) -> None:
    from app.sync.keys import create_keys

    makassar = world.sites["makassar"]
    stranger = Server("asing", makassar.url, create_keys(tmp_path / "asing.key"))
    with stranger.db() as db:
        data, _ = service.make_results(db, ACTOR, stranger.keys, EVENT)
    with refusal("which this server does not know"):
        load(world, data)
    # Makassar's database signed with Jayapura's key: S1 was never packaged for Jayapura.
    posing = Server("jayapura", makassar.url, world.sites["jayapura"].keys)
    with posing.db() as db:
        data, _ = service.make_results(db, ACTOR, posing.keys, EVENT)
    with refusal("Session S1 was not packaged for site jayapura"):
        load(world, data)


def test_a_site_cannot_write_into_sessions_it_was_not_sent(
    world: World, clock: FrozenClock
) -> None:
    """Even with a valid signature: an incident moved into another site's session."""
    import json

    from app.sync import envelope
    from app.sync.results import collect_results

    makassar = world.sites["makassar"]
    open_room(makassar, "S1")
    with makassar.db() as db:
        proctoring.add_incident(db, ACTOR, session_of(db, "S1"), "other", "other", "Catatan")
        event = db.scalar(select(Event))
        assert event is not None
        content = collect_results(db, event).payload
    with world.central.db() as db:
        content["incidents"][0]["exam_session_id"] = str(session_of(db, "S2").id)
    about = {"event": content["event"], "sessions": ["S1"], "counts": {}}
    forged = envelope.seal(
        "results",
        about,
        json.dumps(content).encode(),
        makassar.keys,
        world.central.keys.public,
        "pusat",
    )
    with refusal("point outside its own sessions"):
        load(world, forged)


def forged(world: World, change) -> bytes:
    """Makassar's results with `change` made to the payload, validly signed by Makassar: what
    a site that edits its own records before sending would produce."""
    import json

    from app.sync import envelope
    from app.sync.results import collect_results

    makassar = world.sites["makassar"]
    with makassar.db() as db:
        event = db.scalar(select(Event))
        assert event is not None
        content = collect_results(db, event).payload
    change(content)
    about = {"event": content["event"], "sessions": ["S1"], "counts": {}}
    return envelope.seal(
        "results",
        about,
        json.dumps(content).encode(),
        makassar.keys,
        world.central.keys.public,
        "pusat",
    )


def _edit(content: dict) -> None:
    row = content["journal"][1]
    row["new_option_id"] = "D" if row["new_option_id"] != "D" else "A"


def _drop(content: dict) -> None:
    del content["journal"][1]


def _reorder(content: dict) -> None:
    first, second = content["journal"][0], content["journal"][2]
    for key in ("chain_index", "chain_hash"):
        first[key], second[key] = second[key], first[key]


@pytest.mark.parametrize("change", [_edit, _drop, _reorder], ids=["edit", "drop", "reorder"])
def test_a_changed_journal_is_found_by_verify_and_refused_at_load(
    world: World,
    clock: FrozenClock,
    change,
) -> None:
    from app.sync.results import JournalBroken

    makassar = world.sites["makassar"]
    sit(makassar, open_room(makassar, "S1"), 1, answers=3, submit=True)
    untouched = forged(world, lambda content: None)
    with world.central.db() as db:
        assert service.verify_file(db, world.central.keys, untouched).chained == 1
    tampered = forged(world, change)
    with world.central.db() as db, pytest.raises(JournalBroken) as caught:
        service.verify_file(db, world.central.keys, tampered)
    assert caught.value.params["count"] == 1 and caught.value.problems
    with pytest.raises(JournalBroken):
        load(world, tampered)
    assert world.central.count(AnswerJournal) == 0
    assert load(world, untouched).added["journal"] == 3


def test_the_head_travels_with_the_attempt_and_a_changed_head_contradicts(
    world: World, clock: FrozenClock
) -> None:
    makassar = world.sites["makassar"]
    sit(makassar, open_room(makassar, "S1"), 1, answers=3, submit=True)
    load(world, results(world, "makassar"))
    with makassar.db() as site_db, world.central.db() as central_db:
        at_site = site_db.scalar(select(Attempt))
        at_centre = central_db.scalar(select(Attempt))
        assert at_site is not None and at_centre is not None
        assert (at_centre.journal_rows, at_centre.journal_head) == (3, at_site.journal_head)
        assert len(at_site.journal_head) == 64


def test_a_session_packaged_for_one_site_moves_to_another_only_when_reassigned(
    world: World, clock: FrozenClock
) -> None:
    makassar, jayapura = world.sites["makassar"], world.sites["jayapura"]
    with refusal("Sessions already packaged for another site: S1 (makassar)"):
        world.package("jayapura", "S1")
    world.load("jayapura", world.package("jayapura", "S1", reassign=True))
    with world.central.db() as db:
        moved = db.scalar(select(AuditEntry).where(AuditEntry.action == "sync.reassign"))
        assert moved is not None and moved.details["sessions"] == {"S1": "makassar"}
    assert world.package("jayapura", "S1")  # its own now: no --reassign needed again

    sit(makassar, open_room(makassar, "S1"), 1, answers=2, submit=True)
    with refusal("Session S1 was not packaged for site makassar"):
        load(world, results(world, "makassar"))
    sit(jayapura, open_room(jayapura, "S1"), 2, answers=2, submit=True)
    assert load(world, results(world, "jayapura")).added["attempts"] == 1
