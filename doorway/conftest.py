"""The named world the tests share.

Harbour House runs Exit Doors Here. Alice and Amira are case managers on the North
team, Bianca on the South team; Pat is a peer mentor; Morgan manages the program;
Eve evaluates it; Ada administers accounts. Across town, Other Agency runs its own
program with its own manager, Olive, and case manager, Oscar.
"""

from __future__ import annotations

import string
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import translation
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from doorway.enrolments.models import Enrolment
from doorway.people.models import Participant, User
from doorway.people.roles import Role
from doorway.programs.models import Agency, Program
from doorway.testing.factories import (
    AgencyFactory,
    ConsentFactory,
    CycleFactory,
    EnrolmentFactory,
    ParticipantFactory,
    ProgramFactory,
    TeamFactory,
    UserFactory,
)

pytest_plugins = ["doorway.testing.browser"]

# No timing inside a pass/fail test: Hypothesis's per-example deadline and its "too slow"
# health check measure the machine (seen failing with every core busy), not the code.
hypothesis_settings.register_profile(
    "doorway", deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
hypothesis_settings.load_profile("doorway")


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    """allauth keeps rate limits and used second-factor codes in the cache, which
    outlives a test: every test starts and ends with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def english_after_each_test() -> Iterator[None]:
    """LocaleMiddleware activates a request's language for the thread and leaves it on: a
    test that asked for a French page must not leave the next test in French."""
    yield
    translation.deactivate()


@pytest.fixture(scope="module")
def demo_in_module(django_db_setup: None, django_db_blocker: Any) -> Iterator[Any]:
    """The whole demo, loaded once for a test module and rolled back after its last test.

    Loading it takes tens of seconds; each test of the module still runs in its own
    transaction, nested in this one, so what a test writes is gone before the next."""
    from django.db import transaction

    from doorway import demo

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield demo.load()
        finally:
            cache.clear()
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture(autouse=True, scope="session")
def csrf_tokens_that_spell_no_name() -> Iterator[None]:
    """Pages carry a fresh random CSRF token, and the tests look for names that must not
    be on a page ("Uma" not in it): a token can spell one by chance. Tokens drawn from
    lower-case letters and digits (still valid tokens) never spell a capitalised name."""
    from django.middleware import csrf

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(csrf, "CSRF_ALLOWED_CHARS", string.ascii_lowercase + string.digits)
        yield


@dataclass
class World:
    agency: Agency
    program: Program
    other_agency: Agency
    other_program: Program
    alice: User
    amira: User
    bianca: User
    pat: User
    morgan: User
    eve: User
    ada: User
    olive: User
    oscar: User
    # Alice's participant, mentored by Pat.
    rosa: Participant
    rosa_enrolment: Enrolment
    # Amira's participant (Alice's teammate).
    tess: Participant
    # Bianca's participant (another team).
    uma: Participant
    # Oscar's participant at the other agency.
    vera: Participant

    def staff(self) -> dict[str, User]:
        return {
            u.username: u
            for u in [
                self.alice,
                self.amira,
                self.bianca,
                self.pat,
                self.morgan,
                self.eve,
                self.ada,
                self.olive,
                self.oscar,
            ]
        }


@pytest.fixture
def world(db: None) -> World:
    agency = AgencyFactory(name="Harbour House", slug="harbour-house")
    other_agency = AgencyFactory(name="Other Agency", slug="other-agency")
    program = ProgramFactory(
        agency=agency, name="Exit Doors Here", slug="edh-test", code_prefix="EDH"
    )
    other_program = ProgramFactory(agency=other_agency, name="Other Program", slug="other-program")
    cycle = CycleFactory(program=program, name="Cycle 1")
    other_cycle = CycleFactory(program=other_program, name="Cycle A")

    def staff(username: str, role: str, agency: Agency = agency, **kw: object) -> User:
        return UserFactory(username=username, role=role, agency=agency, **kw)

    alice = staff("alice", Role.CASE_MANAGER, programs=[program])
    amira = staff("amira", Role.CASE_MANAGER, programs=[program])
    bianca = staff("bianca", Role.CASE_MANAGER, programs=[program])
    pat = staff("pat", Role.PEER_MENTOR, programs=[program])
    morgan = staff("morgan", Role.PROGRAM_MANAGER, programs=[program])
    eve = staff("eve", Role.EVALUATOR, programs=[program])
    ada = staff("ada", Role.ADMINISTRATOR, is_staff=True, is_superuser=True)
    olive = staff("olive", Role.PROGRAM_MANAGER, agency=other_agency, programs=[other_program])
    oscar = staff("oscar", Role.CASE_MANAGER, agency=other_agency, programs=[other_program])
    TeamFactory(agency=agency, name="North").members.set([alice, amira])
    TeamFactory(agency=agency, name="South").members.set([bianca])
    TeamFactory(agency=other_agency, name="East").members.set([oscar])

    def participant(name: str, case_manager: User, cycle=cycle, **kw: object) -> Enrolment:
        person = ParticipantFactory(
            preferred_name=name,
            legal_name=f"{name} Example",
            agency=cycle.program.agency,
            registered_by=case_manager,
        )
        ConsentFactory(participant=person, recorded_by=case_manager)
        return EnrolmentFactory(participant=person, cycle=cycle, case_manager=case_manager, **kw)

    rosa = participant("Rosa", alice, peer_mentor=pat)
    tess = participant("Tess", amira)
    uma = participant("Uma", bianca)
    vera = participant("Vera", oscar, cycle=other_cycle)
    return World(
        agency=agency,
        program=program,
        other_agency=other_agency,
        other_program=other_program,
        alice=alice,
        amira=amira,
        bianca=bianca,
        pat=pat,
        morgan=morgan,
        eve=eve,
        ada=ada,
        olive=olive,
        oscar=oscar,
        rosa=rosa.participant,
        rosa_enrolment=rosa,
        tess=tess.participant,
        uma=uma.participant,
        vera=vera.participant,
    )
