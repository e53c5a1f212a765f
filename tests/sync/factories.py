"""A central server and site servers, each a migrated database of its own, with their keys."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.service import create_user
from app.audit.service import Actor
from app.bank.loader import load_bank
from app.bank.service import import_bank
from app.db import Base, unit_of_work
from app.exams import repository as exams_repository
from app.exams.preparation import prepare_sessions
from app.exams.service import import_event
from app.proctoring.assignments import assign_proctor
from app.sync import service
from app.sync.errors import SyncRefused
from app.sync.keys import ServerKeys, create_keys
from app.sync.loading import LoadReport
from tests.bank.factories import bank_of
from tests.exams.factories import event_data, event_doc, participant, rows

ACTOR = Actor(None, "cli:test", "admin")


@contextmanager
def refusal(text: str) -> Iterator[None]:
    """A SyncRefused whose English message holds `text` (the CLI shows it in Indonesian)."""
    with pytest.raises(SyncRefused) as caught:
        yield
    assert text in caught.value.message_in("en")


EVENT = "proasn-uji"


@dataclass
class Server:
    name: str
    url: str
    keys: ServerKeys

    @contextmanager
    def db(self) -> Iterator[Session]:
        with unit_of_work(self.url) as db:
            yield db

    def count(self, model: type[Base]) -> int:
        with self.db() as db:
            return db.scalar(select(func.count()).select_from(model)) or 0


@dataclass
class World:
    central: Server
    sites: dict[str, Server]
    people: dict[str, list[str]] = field(default_factory=dict)  # session → NIPs

    def package(
        self, site: str, sessions: str, central: Server | None = None, reassign: bool = False
    ) -> bytes:
        with (central or self.central).db() as db:
            data, _ = service.make_package(
                db,
                ACTOR,
                (central or self.central).keys,
                EVENT,
                site,
                sessions.split(","),
                reassign=reassign,
            )
        return data

    def load(self, site: str, data: bytes) -> LoadReport:
        server = self.sites[site]
        with server.db() as db:
            return service.load_package_file(db, ACTOR, server.keys, data)


def people_rows(plan: dict[str, list[int]]):
    return [participant(n, session) for session, numbers in plan.items() for n in numbers]


def event_file_data() -> dict:
    data = event_data()
    for room in data["sessions"]:
        room["capacity"] = 10
    return data


def seed_central(db: Session, tmp_path: Path, plan: dict[str, list[int]]) -> None:
    """A bank larger than any form, the test event, its forms drawn, a proctor per session."""
    import_bank(db, load_bank(bank_of(tmp_path / "bank", verbal=12, sjt=8)))
    seed_event(db, event_file_data(), plan)


def seed_event(db: Session, data: dict, plan: dict[str, list[int]]) -> None:
    """The event of `data` with the plan's participants, its forms drawn, a proctor per
    session (the bank imported already)."""
    import_event(db, event_doc(**data), rows(*people_rows(plan)))
    event = exams_repository.event_by_code(db, EVENT)
    assert event is not None
    prepare_sessions(db, event, list(plan))
    for n, session in enumerate(plan, start=1):
        create_user(db, f"pengawas{n}", "sandi-rahasia-12", "proctor", f"Pengawas {n}")
        assign_proctor(db, f"pengawas{n}", EVENT, session)


def reimport(central: Server, plan: dict[str, list[int]]) -> None:
    """The event file imported again at the centre (its version goes up)."""
    with central.db() as db:
        import_event(db, event_doc(**event_file_data()), rows(*people_rows(plan)))
        event = exams_repository.event_by_code(db, EVENT)
        assert event is not None
        prepare_sessions(db, event, list(plan))


Seed = Callable[[Session, Path, dict[str, list[int]]], None]


def build_world(
    databases,
    tmp_path: Path,
    site_names: tuple[str, ...],
    plan: dict[str, list[int]],
    seed: Seed = seed_central,
) -> World:
    def server(name: str) -> Server:
        return Server(name, databases.copy(), create_keys(tmp_path / f"{name}.key"))

    central = server("pusat")
    sites = {name: server(name) for name in site_names}
    with central.db() as db:
        seed(db, tmp_path, plan)
        for site in sites.values():
            service.add_site(db, ACTOR, site.name, site.keys.public.text)
    for site in sites.values():
        with site.db() as db:
            service.trust_central(db, ACTOR, central.keys.public.text)
    return World(central, sites)
