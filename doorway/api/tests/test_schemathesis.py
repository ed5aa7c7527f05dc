"""Schemathesis over the whole schema: every operation, with a token of each role,
against the demo's whole program. No answer may be a server error, and no answer may
break the schema it documents.

Bounded so that it fits in `make test` on a small machine: a fixed budget of requests
shared among the operations, Hypothesis derandomised (the same cases every run, so a
failure reproduces), no deadline. Path ids are drawn both from records the role really
reaches (so detail reads, changes and actions meet real rows) and from the generator
(ids that do not exist, or belong to someone else)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import response_schema_conformance

from doorway import demo
from doorway.api.tokens import issue_token
from doorway.people.actions import break_the_glass
from doorway.people.models import Participant, User
from doorway.people.roles import Role
from doorway.testing.signin import give_totp

# Requests per role, shared among the operations (at least MIN_EXAMPLES each).
BUDGET = 450
MIN_EXAMPLES = 3
# Cases with bodies that break the schema, per operation that takes a body.
NEGATIVE_EXAMPLES = 3
NEGATIVE = GenerationMode.NEGATIVE
CHECKS = [not_a_server_error, response_schema_conformance]
ROLES = [
    Role.CASE_MANAGER,
    Role.PROGRAM_MANAGER,
    Role.PEER_MENTOR,
    Role.EVALUATOR,
    Role.ADMINISTRATOR,
]


@contextlib.contextmanager
def inside_the_test_transaction() -> Iterator[None]:
    """The WSGI app runs in this thread, on the test's own connection: keep Django from
    closing it at each request's start and end (as its own test client does)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def ids_reached(app: Any, token: str, path: str) -> list[str]:
    """The ids a role reads in the list at `path` (empty if it has no list)."""
    from werkzeug.test import Client

    response = Client(app).get(
        path, query_string={"page_size": "50"}, headers={"Authorization": f"Bearer {token}"}
    )
    if response.status_code != 200:
        return []
    body = response.get_json()
    rows = body["results"] if isinstance(body, dict) else body
    return [str(row["id"]) for row in rows if isinstance(row, dict) and "id" in row]


@pytest.fixture
def tokens(db: None, settings: Any) -> dict[str, str]:
    """A write token for a demo account of each role, over the demo's program."""
    settings.REST_FRAMEWORK = {
        **django_settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api": None, "api_write": None, "api_anonymous": None},
    }
    demo.load()
    staff = {u.role: u for u in User.objects.filter(is_demo_account=True).order_by("username")}
    admin = staff[Role.ADMINISTRATOR]
    # An administrator reaches a record only by breaking the glass: let her, for one.
    for participant in Participant.objects.order_by("code")[:1]:
        break_the_glass(participant, by=admin, reason="Schema fuzzing reaches one record.")
    for user in staff.values():
        give_totp(user)  # no token without a second factor
    return {
        str(role): issue_token(staff[role], name="Fuzz", scope="write", days=1)[1] for role in ROLES
    }


def test_no_operation_answers_a_server_error_or_breaks_its_schema(
    tokens: dict[str, str],
) -> None:
    app = get_wsgi_application()
    failures: list[str] = []
    with inside_the_test_transaction():
        schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", app)
        operations = []
        for result in schema.get_all_operations():
            assert isinstance(result, Ok), result.err()
            operations.append(result.ok())
        assert operations, "the schema lists no operation"
        examples = max(MIN_EXAMPLES, BUDGET // len(operations))
        for role, token in tokens.items():
            headers = {"Authorization": f"Bearer {token}"}
            for operation in operations:
                failure = fuzz(app, operation, headers, examples)
                if failure:
                    failures.append(f"{role} {operation.label}: {failure}")
                if operation.body:
                    # Bodies that break the schema: refused in plain words, never a 500.
                    failure = fuzz(app, operation, headers, NEGATIVE_EXAMPLES, NEGATIVE)
                    if failure:
                        failures.append(f"{role} {operation.label} (bad input): {failure}")
    assert not failures, "\n\n".join(failures)


def fuzz(
    app: Any,
    operation: Any,
    headers: dict[str, str],
    examples: int,
    mode: GenerationMode = GenerationMode.POSITIVE,
) -> str | None:
    """Run `examples` cases of `operation`; the failures found, in words, or None."""
    path_names = [p.name for p in operation.path_parameters]
    reached: list[str] = []
    above = ""
    if path_names:
        above = operation.path.split("{" + path_names[0] + "}")[0]
        reached = ids_reached(app, headers["Authorization"][7:], above)
    real_ids = st.sampled_from(reached) if reached else st.nothing()
    pick = st.one_of(st.none(), real_ids, st.uuids().map(str))
    versioned = any(p.name.lower() == "if-match" for p in operation.headers)

    @given(case=operation.as_strategy(generation_mode=mode), chosen=pick)
    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any, chosen: str | None) -> None:
        if chosen is not None:
            for name in path_names:
                case.path_parameters[name] = chosen
            if versioned and chosen in reached:
                # The record's real version, so that a change gets past If-Match to the
                # serializer and the app's actions, where a server error would hide.
                etag = current_etag(app, f"{above}{chosen}/", headers)
                if etag:
                    case.headers = {**(case.headers or {}), "If-Match": etag}
        case.call_and_validate(headers=headers, checks=CHECKS)

    try:
        run()
    except (Exception, BaseExceptionGroup) as failure:  # checks raise groups of failures
        return str(failure)[:1500]
    return None


def current_etag(app: Any, path: str, headers: dict[str, str]) -> str | None:
    from werkzeug.test import Client

    return Client(app).get(path, headers=headers).headers.get("ETag")
