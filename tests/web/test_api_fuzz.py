"""Every OpenAPI operation fuzzed from its schema (schemathesis, bounded and derandomised),
as a logged-in taker with an analyst's export token: no answer may be a server error. Before:
a position past the database's integer range (items, answers, the heartbeat) was a 500."""

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings

from app.accounts import api_tokens
from app.accounts.service import actor_of, create_user
from app.db import make_engine, make_sessionmaker, transaction
from app.delivery import service
from app.main import create_app
from tests.delivery.factories import open_exam

EXAMPLES = 25  # per operation: ~300 requests in all, a few seconds on either backend


@pytest.fixture
def fuzzed(use_database: str, tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str]]]:
    engine = make_engine(use_database)
    with transaction(make_sessionmaker(engine)) as db:
        exam = open_exam(db, tmp_path, people=2)
        taker, cookie = service.login(db, exam.nips[0], exam.token, None)
        service.start(db, taker)
        analyst = create_user(db, "analis.uji", "kata-sandi-analis", "analyst", "Analis")
        api_token = api_tokens.create_token(db, analyst, "uji", actor_of(analyst))
    engine.dispose()
    app = create_app()
    with TestClient(app, raise_server_exceptions=False) as client:
        client.cookies.set("proasn_taker", cookie or "")
        yield client, {"Authorization": f"Bearer {api_token}"}


schema = schemathesis.openapi.from_dict(create_app().openapi())


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_operation_answers_a_server_error(
    case: schemathesis.Case, fuzzed: tuple[TestClient, dict[str, str]]
) -> None:
    client, auth = fuzzed
    kwargs = case.as_transport_kwargs(base_url="http://testserver", headers=auth)
    kwargs.pop("cookies", None)  # the taker's cookie stays the client's
    if isinstance(kwargs.get("data"), bytes | str):  # a raw body (requests' name for it)
        kwargs["content"] = kwargs.pop("data")
    response = client.request(**kwargs)
    assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.text}"
