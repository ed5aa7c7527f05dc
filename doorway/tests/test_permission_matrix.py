"""The permission matrix: every URL about a participant, visited by every role and
anonymously, reading (GET) and writing (POST), answers as the access rule says.

Each app lists its rows in its own `tests/matrix.py` (see `doorway.testing.matrix`);
`MODULES` gathers them. A write that is refused must also leave everything as it was,
so each POST carries a valid payload: if a guard were missing, the change would happen
and the test would see it. A URL added under one of `PREFIXES` without a row fails the
coverage test at the bottom.
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType
from typing import Any

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from doorway.audit.models import AuditEntry
from doorway.conftest import World
from doorway.people.actions import break_the_glass
from doorway.testing.forms import shown_version
from doorway.testing.matrix import EVERYONE, NOT_FOUND, OK, Endpoint
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db

MODULES: list[ModuleType] = [
    import_module(name)
    for name in (
        "doorway.people.tests.matrix",
        "doorway.enrolments.tests.matrix",
        "doorway.casework.tests.matrix",
        "doorway.caseload.tests.matrix",
        "doorway.instruments.tests.matrix",
        "doorway.dropins.tests.matrix",
        "doorway.referrals.tests.matrix",
        "doorway.plans.tests.matrix",
        "doorway.evaluation.tests.matrix",
        "doorway.exchange.tests.export_matrix",
        "doorway.people.tests.staff_matrix",
        "doorway.drafts.tests.matrix",
        "doorway.disclosures.tests.matrix",
        "doorway.erasure.tests.matrix",
        "doorway.subject_access.tests.matrix",
        "doorway.signed_copies.tests.matrix",
        "doorway.fidelity_review.tests.matrix",
    )
]
# Every URL under these prefixes must have a row.
PREFIXES = (
    "participants/",
    "enrolments/",
    "caseload/",
    "dropins/",
    "outreach/",
    "supervision/",
    "evaluation/",
    "exports/",
    "staff/",
    "drafts/",
    "erasure/",
    "participants/<uuid:participant_id>/copy/",
    "participants/<uuid:participant_id>/disclosures/",
    "participants/<uuid:participant_id>/consents/<uuid:consent_id>/signed-copy/",
    "evaluation/<slug:program_slug>/fidelity-review/",
)

ENDPOINTS: list[Endpoint] = [e for module in MODULES for e in module.ENDPOINTS]


def setup_extras(world: World) -> dict[str, Any]:
    extras: dict[str, Any] = {}
    for module in MODULES:
        more = module.setup(world)
        # One dictionary for every app: a key set twice would send one app's rows to the
        # other's record.
        assert not extras.keys() & more.keys(), (module.__name__, extras.keys() & more.keys())
        extras.update(more)
    return extras


def snapshot(world: World) -> tuple[object, ...]:
    """Everything a write about Rosa could change."""
    return tuple(module.snapshot(world) for module in MODULES)


def request(
    client: Any,
    endpoint: Endpoint,
    world: World,
    extras: dict[str, Any],
    version: str | None = None,
) -> Any:
    url = endpoint.url(world, extras)
    if endpoint.method == "GET":
        return client.get(url)
    assert endpoint.payload is not None, f"{endpoint.name} POST needs a payload"
    payload = endpoint.payload(world, extras)
    if version is not None and "version" not in payload:
        payload = {**payload, "version": version}
    return client.post(url, payload)


def version_shown(client: Any, endpoint: Endpoint, world: World, extras: dict[str, Any]) -> Any:
    """An edit form posts back the version it was opened on: read it from the form, as
    a browser would, before the post (None if the form is not shown to her)."""
    if endpoint.method != "POST":
        return None
    return shown_version(client, endpoint.url(world, extras))


class Rollback(Exception):
    """Raised to undo one visitor's request before the next visitor's."""


def visit_and_undo(
    who: str | None, endpoint: Endpoint, world: World, extras: dict[str, Any]
) -> str | None:
    """One visitor (None: anonymous) makes the request inside a savepoint that is then
    rolled back, so the world is set up once per URL. Returns what went wrong, if
    anything."""
    problem: str | None = None
    try:
        with transaction.atomic():
            client = Client()
            if who is not None:
                signed_in(client, world.staff()[who])
            version = version_shown(client, endpoint, world, extras)
            before = snapshot(world)
            refusals_before = AuditEntry.objects.filter(action="refused").count()
            response = request(client, endpoint, world, extras, version)
            status = response.status_code
            if who is None:
                if status != 302 or not response["Location"].startswith(reverse("account_login")):
                    problem = f"anonymous got {status}, not the sign-in page"
                elif snapshot(world) != before:
                    problem = "an anonymous request changed her record"
                raise Rollback
            want = endpoint.expected(who)
            if want == OK:
                if status not in {200, 302}:
                    problem = f"{who} got {status}, expected 200/302"
                elif endpoint.method == "POST" and endpoint.about_her and snapshot(world) == before:
                    problem = f"{who}: an allowed write changed nothing"
            elif status != want:
                problem = f"{who} got {status}, expected {want}"
            elif snapshot(world) != before:
                problem = f"{who}: a refused request changed her record"
            elif want == NOT_FOUND and endpoint.about_her:
                # Out of reach: answered like a record that does not exist, and audited.
                refusals = AuditEntry.objects.filter(action="refused").count()
                if refusals != refusals_before + 1:
                    problem = f"{who}: the refusal was not audited"
            raise Rollback
    except Rollback:
        pass
    cache.clear()
    return problem


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: f"{e.method}-{e.name}")
def test_each_role_gets_what_the_rule_says(world: World, endpoint: Endpoint) -> None:
    """Every staff member of the world, then an anonymous visitor."""
    extras = setup_extras(world)
    problems = [
        problem
        for who in (*EVERYONE, None)
        if (problem := visit_and_undo(who, endpoint, world, extras)) is not None
    ]
    assert not problems, problems


def test_an_administrator_who_broke_the_glass_reads_but_does_not_write(
    client, world: World
) -> None:
    extras = setup_extras(world)
    break_the_glass(world.rosa, by=world.ada, reason="Subpoena received, checking dates")
    signed_in(client, world.ada)
    wrong = []
    for endpoint in ENDPOINTS:
        if not endpoint.about_her:
            continue
        version = version_shown(client, endpoint, world, extras)
        before = snapshot(world)
        status = request(client, endpoint, world, extras, version).status_code
        want = endpoint.expected_with_glass()
        if status != (200 if want == OK else want) or snapshot(world) != before:
            wrong.append(f"{endpoint.method} {endpoint.name}: {status}")
    assert not wrong, wrong


def url_names(patterns: list[Any]) -> set[str | None]:
    """Names of these URL patterns and of those included below them (contacts are
    mounted under an enrolment)."""
    names: set[str | None] = set()
    for p in patterns:
        if isinstance(p, URLPattern):
            names.add(p.name)
        elif isinstance(p, URLResolver):
            names |= url_names(p.url_patterns)
    return names


def test_every_url_about_a_participant_is_in_the_matrix() -> None:
    covered = {e.name for e in ENDPOINTS}
    resolver = get_resolver()
    names: set[str | None] = set()
    for prefix in PREFIXES:
        found = [p for p in resolver.url_patterns if str(p.pattern) == prefix]
        assert found, f"no URLs under {prefix}"
        for pattern in found:
            assert isinstance(pattern, URLResolver), f"{prefix} includes no URLs"
            names |= url_names(pattern.url_patterns)
    assert names <= covered, f"not in the permission matrix: {sorted(names - covered, key=str)}"
