"""Factories for the tests: a small world of staff and participants, never fixtures."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any, TypeVar

import factory
from django.db import models
from django.utils import timezone

from doorway.enrolments.models import Enrolment, EventKind, JourneyEvent, ReferralSource
from doorway.people.models import Consent, ConsentKind, Participant, Team, User
from doorway.people.roles import Role
from doorway.programs import exit_doors_here
from doorway.programs.models import Agency, Cycle, PartnerAgency, Program

M = TypeVar("M", bound=models.Model)


class ModelFactory(factory.django.DjangoModelFactory[M]):
    """A factory that mypy, like Python, sees return its model's instance when called:
    `UserFactory()` is a User. (factory_boy types `create()` and `build()` so, but not
    the call itself, which its metaclass turns into `create()`.)"""

    class Meta:
        abstract = True

    if TYPE_CHECKING:

        def __new__(cls, *args: Any, **kwargs: Any) -> M:  # type: ignore[misc]  # factory_boy: calling a factory returns an instance of its model, not of the factory
            ...


class AgencyFactory(ModelFactory[Agency]):
    class Meta:
        model = Agency
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Agency {n}")
    slug = factory.Sequence(lambda n: f"agency-{n}")


def _add_phases(program: Program, create: bool, extracted: object, **kwargs: object) -> None:
    """The Exit Doors Here phases and four focus areas, once the program is saved."""
    from doorway.programs.models import FocusArea, Phase

    if not create:
        return
    for order, (name, days, cadence, consent, eligibility, _d) in enumerate(exit_doors_here.PHASES):
        Phase.objects.create(
            program=program,
            order=order,
            name=name,
            expected_days=days,
            contact_cadence=cadence,
            requires_service_consent=consent,
            requires_eligibility=eligibility,
        )
    for order, (slug, name) in enumerate(exit_doors_here.FOCUS_AREAS[:4]):
        FocusArea.objects.create(program=program, slug=slug, name=name, order=order)


class ProgramFactory(ModelFactory[Program]):
    """A program with the Exit Doors Here phases, under its own slug."""

    class Meta:
        model = Program
        skip_postgeneration_save = True

    agency = factory.SubFactory(AgencyFactory)
    name = factory.Sequence(lambda n: f"Program {n}")
    slug = factory.Sequence(lambda n: f"program-{n}")
    code_prefix = "TST"

    phases = factory.PostGeneration(_add_phases)


class CycleFactory(ModelFactory[Cycle]):
    class Meta:
        model = Cycle

    program = factory.SubFactory(ProgramFactory)
    name = factory.Sequence(lambda n: f"Cycle {n}")
    starts_on = datetime.date(2024, 1, 1)
    ends_on = datetime.date(2030, 12, 31)


class PartnerFactory(ModelFactory[PartnerAgency]):
    class Meta:
        model = PartnerAgency

    agency = factory.SubFactory(AgencyFactory)
    name = factory.Sequence(lambda n: f"Partner {n}")
    services = factory.LazyFunction(lambda: ["housing"])


def _set_programs(user: User, create: bool, extracted: Any, **kwargs: object) -> None:
    if create and extracted:
        user.programs.set(extracted)
    if create:
        user.save()


class UserFactory(ModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    role = Role.CASE_MANAGER
    agency = factory.SubFactory(AgencyFactory)
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    programs = factory.PostGeneration(_set_programs)


class TeamFactory(ModelFactory[Team]):
    class Meta:
        model = Team

    agency = factory.SubFactory(AgencyFactory)
    name = factory.Sequence(lambda n: f"Team {n}")


def _index_name(
    participant: Participant, create: bool, extracted: object, **kwargs: object
) -> None:
    if create:
        participant.refresh_name_index()


class ParticipantFactory(ModelFactory[Participant]):
    class Meta:
        model = Participant
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"TST-{n:06d}")
    agency = factory.SubFactory(AgencyFactory)
    preferred_name = factory.Faker("first_name_female")
    legal_name = factory.LazyAttribute(lambda p: f"{p.preferred_name} Testperson")
    date_of_birth = datetime.date(1990, 5, 17)
    phone = "416-555-0100"
    registered_by = factory.SubFactory(UserFactory)

    index = factory.PostGeneration(_index_name)


def _record_referral(
    enrolment: Enrolment, create: bool, extracted: object, **kwargs: object
) -> None:
    """Her journey starts with the referral, as `enrol` records it."""
    if create:
        assert enrolment.current_phase is not None
        JourneyEvent.objects.create(
            enrolment=enrolment,
            kind=EventKind.REFERRED,
            to_phase=enrolment.current_phase,
            to_phase_name=enrolment.current_phase.name,
            effective_on=enrolment.referred_on,
            recorded_by=enrolment.case_manager,
        )


class EnrolmentFactory(ModelFactory[Enrolment]):
    class Meta:
        model = Enrolment
        skip_postgeneration_save = True

    participant = factory.SubFactory(ParticipantFactory)
    cycle = factory.SubFactory(CycleFactory)
    referral_source = ReferralSource.STREET_OUTREACH
    referred_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))
    case_manager = factory.SubFactory(UserFactory)
    current_phase = factory.LazyAttribute(lambda e: e.cycle.program.active_phases().first())
    phase_started_on = factory.LazyAttribute(lambda e: e.referred_on)

    journey = factory.PostGeneration(_record_referral)


class ConsentFactory(ModelFactory[Consent]):
    class Meta:
        model = Consent

    participant = factory.SubFactory(ParticipantFactory)
    kind = ConsentKind.SERVICE
    given_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))
    recorded_by = factory.SubFactory(UserFactory)
