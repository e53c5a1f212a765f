"""Adaptive sections on a site (issue 21): the package carries the frozen pools and every item
they hold, a taker sits the section at the site, and the results bring the steps back so the
centre scores and replays the attempt as the site ran it."""

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.bank.loader import load_bank
from app.bank.models import Item, ItemVersion
from app.bank.service import import_bank
from app.delivery import adaptive
from app.delivery import service as delivery
from app.delivery.models import AdaptiveStep, Attempt
from app.exams import repository as exams_repository
from app.exams.models import AdaptivePool, Event, ExamSession, Participant
from app.kit.clock import FrozenClock, use_clock
from app.proctoring import service as proctoring
from app.scoring.service import event_scores
from app.sync import rows, service
from app.sync.errors import SyncRefused
from app.sync.merge import ResultsContradict, merge_results
from app.sync.package import chosen_sessions, collect
from app.sync.results import collect_results
from tests.delivery.adaptive_factories import adaptive_bank, adaptive_section
from tests.exams.factories import valid_nip
from tests.sync.factories import (
    ACTOR,
    EVENT,
    Server,
    World,
    build_world,
    event_file_data,
    refusal,
    seed_event,
)

PLAN = {"S1": [1, 2], "S2": [3]}
DAY = datetime(2026, 12, 1, 0, 5, tzinfo=UTC)  # S1 starts 08:00 WITA = 00:00 UTC
seq = iter(range(10**6, 10**9))


def seed_adaptive(db: Session, tmp_path: Path, plan: dict[str, list[int]]) -> None:
    """Verbal (3 fixed items), numerik adaptive (3 to 6 of 48), sjt (2 fixed items)."""
    import_bank(db, load_bank(adaptive_bank(tmp_path / "bank")))
    data = event_file_data()
    data["blueprint"]["sections"] = [
        {"title": "Verbal", "subtest": "verbal", "items": 3},
        adaptive_section(),
        {"title": "Situasional", "subtest": "sjt", "items": 2},
    ]
    seed_event(db, data, plan)


@pytest.fixture
def world(databases, tmp_path: Path) -> Iterator[World]:
    with use_clock(FrozenClock(DAY - timedelta(days=1))):
        built = build_world(databases, tmp_path, ("makassar",), PLAN, seed=seed_adaptive)
    yield built
    adaptive.forget_pools()
    adaptive.forget_progress()
    for server in (built.central, *built.sites.values()):
        databases.drop(server.url)


def another_server() -> None:
    """What one worker keeps (pools read, takers' places) is not the next server's."""
    adaptive.forget_pools()
    adaptive.forget_progress()


def pool_rows(server: Server) -> list[dict]:
    with server.db() as db:
        return [rows.dump(p) for p in db.scalars(select(AdaptivePool))]


def table_rows(server: Server, model) -> list[tuple]:
    with server.db() as db:
        columns = list(model.__table__.columns)
        return sorted(tuple(str(v) for v in row) for row in db.execute(select(*columns)))


def answer(db: Session, taker: delivery.Taker, position: int, index: int) -> None:
    _, ref, _ = delivery.open_item(db, taker, position)
    option = ref.option_order[index % len(ref.option_order)]
    delivery.save_answer(db, taker, position, option, False, next(seq))


def sit_on_site(site: Server, n: int) -> uuid.UUID:
    """Taker n sits the whole test at the site (the room opened by its proctor), answering
    option n of each item (takers differ, so do their θ), and submits; returns the attempt's
    id."""
    with site.db() as db:
        room = db.scalar(select(ExamSession).where(ExamSession.code == "S1"))
        assert room is not None
        if room.status != "open":
            proctoring.open_session(db, ACTOR, room)
        token = room.room_token
    with site.db() as db:
        taker, _ = delivery.login(db, valid_nip(n), token, None)
        attempt = delivery.start(db, taker)
        assert attempt.selector == "adaptive"
        for position in (1, 2, 3):
            answer(db, taker, position, n)
        delivery.finish_section(db, taker)
        while attempt.current_section == 2 and attempt.status == "in_progress":
            answer(db, taker, attempt.current_position, n)
        for position in (10, 11):
            answer(db, taker, position, n)
        delivery.submit(db, taker)
        return attempt.id


def steps_at(server: Server, attempt_id: uuid.UUID) -> list[tuple]:
    with server.db() as db:
        return [
            (s.position, s.step, s.item_version_id, s.option_order, s.response, s.theta, s.se)
            for s in adaptive.steps_of(db, attempt_id)
        ]


def numerik_scores(server: Server) -> dict[uuid.UUID, dict]:
    """Scoring's EAP on this server (what a scoring run records): each attempt's numerik θ,
    SE and items given."""
    with server.db() as db:
        event = exams_repository.event_by_code(db, EVENT)
        assert event is not None
        attempts = {a.participant_id: a.id for a in db.scalars(select(Attempt))}
        _, per_subtest = event_scores(db, event)
        return {
            attempts[person]: {k: found[k] for k in ("theta", "se", "adaptive_items")}
            for person, found in per_subtest["numerik"].items()
        }


def test_an_adaptive_section_runs_on_a_site_and_the_centre_scores_and_replays_it(
    world: World,
) -> None:
    site = world.sites["makassar"]
    with use_clock(FrozenClock(DAY - timedelta(days=1))):
        world.load("makassar", world.package("makassar", "S1"))
    # The site holds the centre's frozen pool (same id, same content) and all its items.
    assert pool_rows(site) == pool_rows(world.central) != []
    with site.db() as db:
        (pool,) = db.scalars(select(AdaptivePool))
        held = set(db.scalars(select(ItemVersion.id)))
    assert {uuid.UUID(hex=entry[0]) for entry in pool.items} <= held
    assert len(pool.items) == 48

    another_server()
    with use_clock(FrozenClock(DAY)):
        attempt_id, other_id = sit_on_site(site, 1), sit_on_site(site, 2)
        at_site = steps_at(site, attempt_id)
        assert len(at_site) >= 3 and all(s[4] is not None for s in at_site)
        with site.db() as db:
            data, _ = service.make_results(db, ACTOR, site.keys, EVENT)
        site_scores = numerik_scores(site)

    another_server()
    with use_clock(FrozenClock(DAY + timedelta(hours=2))):
        with world.central.db() as db:
            report = service.load_results_file(db, ACTOR, world.central.keys, data)
        assert report.added["adaptive_steps"] == len(at_site) + len(steps_at(site, other_id))
        assert steps_at(world.central, attempt_id) == at_site
        with world.central.db() as db:  # the audit replay at the centre
            event = exams_repository.event_by_code(db, EVENT)
            attempt = db.get(Attempt, attempt_id)
            assert event is not None and attempt is not None
            (plan,) = [s for s in delivery.blueprint_sections(db, event) if s.position == 2]
            replayed = adaptive.replay(db, attempt, event, plan)
            versions = {v.id: v.item_id for v in db.scalars(select(ItemVersion))}
            codes = {i.id: i.code for i in db.scalars(select(Item))}
        assert replayed.matches, replayed.problem
        assert replayed.items == [codes[versions[s[2]]] for s in at_site]
        assert replayed.thetas == [s[5] for s in at_site]
        centre_scores = numerik_scores(world.central)
    assert centre_scores == site_scores and set(centre_scores) == {attempt_id, other_id}
    scored = centre_scores[attempt_id]
    assert scored["adaptive_items"] == len(at_site)
    assert scored["theta"] == pytest.approx(at_site[-1][5], abs=2e-6)
    assert scored["se"] == pytest.approx(at_site[-1][6], abs=2e-6)

    # The same file again changes nothing; a step changed at the site afterwards contradicts.
    with use_clock(FrozenClock(DAY + timedelta(hours=3))):
        with world.central.db() as db:
            assert not service.load_results_file(db, ACTOR, world.central.keys, data).changed
        with site.db() as db:
            db.execute(
                update(AdaptiveStep)
                .where(AdaptiveStep.attempt_id == attempt_id, AdaptiveStep.step == 2)
                .values(theta=AdaptiveStep.theta + 0.5)
            )
            changed, _ = service.make_results(db, ACTOR, site.keys, EVENT)
        with world.central.db() as db, pytest.raises(ResultsContradict) as caught:
            service.load_results_file(db, ACTOR, world.central.keys, changed)
    assert any("delivery_adaptive_step" in p and "theta" in p for p in caught.value.problems)


def test_loading_an_adaptive_package_twice_changes_nothing(world: World) -> None:
    site = world.sites["makassar"]
    with use_clock(FrozenClock(DAY - timedelta(days=1))):
        data = world.package("makassar", "S1")
        first = world.load("makassar", data)
        assert first.created["adaptive_pools"] == 1
        before = {m: table_rows(site, m) for m in (AdaptivePool, ItemVersion, Item)}
        again = world.load("makassar", data)
        assert not again.changed
        assert {m: table_rows(site, m) for m in before} == before
        # A package for another session of the same event holds the same pool: nothing new.
        other = world.load("makassar", world.package("makassar", "S2"))
        assert "adaptive_pools" not in other.created
    assert table_rows(site, AdaptivePool) == before[AdaptivePool]


def test_a_pool_held_with_other_content_refuses_the_package(world: World) -> None:
    site = world.sites["makassar"]
    with use_clock(FrozenClock(DAY - timedelta(days=1))):
        data = world.package("makassar", "S1")
        world.load("makassar", data)
        with site.db() as db:
            db.execute(update(AdaptivePool).values(seed=AdaptivePool.seed + 1))
        before = table_rows(site, AdaptivePool), table_rows(site, Participant)
        with refusal("This site holds other records under the package's names"):
            world.load("makassar", data)
        # Another pool for the same section and blueprint, under another id: refused too.
        with site.db() as db:
            db.execute(update(AdaptivePool).values(id=uuid.uuid4()))
        with refusal("exam_adaptive_pool 2/"):
            world.load("makassar", data)
    assert table_rows(site, Participant) == before[1]


def test_the_package_holds_every_pool_item_and_says_format_2(world: World) -> None:
    with world.central.db() as db:
        event = exams_repository.event_by_code(db, EVENT)
        assert event is not None
        package = collect(db, event, chosen_sessions(db, event, ["S1"]))
        (pool,) = db.scalars(select(AdaptivePool))
        payload = package.payload
        assert payload["format"] == 2
        assert [p["id"] for p in payload["adaptive_pools"]] == [str(pool.id)]
        sent = {v["id"] for v in payload["item_versions"]}
        assert {str(uuid.UUID(hex=entry[0])) for entry in pool.items} <= sent
        # Without its frozen pool an adaptive section cannot run anywhere: refused.
        savepoint = db.begin_nested()
        db.delete(pool)
        db.flush()
        with pytest.raises(SyncRefused) as caught:
            collect(db, event, chosen_sessions(db, event, ["S1"]))
        assert "no frozen pool" in caught.value.message_in("en")
        savepoint.rollback()


def test_a_results_file_without_adaptive_steps_still_loads(world: World) -> None:
    """Files of sites before adaptive sections ran there have no `adaptive_steps` list."""
    site = world.sites["makassar"]
    with use_clock(FrozenClock(DAY - timedelta(days=1))):
        world.load("makassar", world.package("makassar", "S1"))
    with use_clock(FrozenClock(DAY)):
        with site.db() as db:
            room = db.scalar(select(ExamSession).where(ExamSession.code == "S1"))
            assert room is not None
            proctoring.open_session(db, ACTOR, room)
            event = db.scalar(select(Event))
            assert event is not None
            payload = collect_results(db, event).payload
        del payload["adaptive_steps"]
        with world.central.db() as db:
            report = merge_results(db, "makassar", {"S1"}, payload)
    assert report.added["adaptive_steps"] == 0 and report.running == ["S1"]
