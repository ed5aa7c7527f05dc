"""Factories for the tests: a small world of staff and participants, never fixtures."""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone

from doorway.enrolments.models import Enrolment, EventKind, JourneyEvent, ReferralSource
from doorway.people.models import Consent, ConsentKind, Participant, Team, User
from doorway.people.roles import Role
from doorway.programs import exit_doors_here
from doorway.programs.models import Agency, Cycle, PartnerAgency, Program


class AgencyFactory(factory.django.DjangoModelFactory[Agency]):
    class Meta:
        model = Agency
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Agency {n}")
    slug = factory.Sequence(lambda n: f"agency-{n}")


class ProgramFactory(factory.django.DjangoModelFactory[Program]):
    """A program with the Exit Doors Here phases, under its own slug."""

    class Meta:
        model = Program
        skip_postgeneration_save = True

    agency = factory.SubFactory(AgencyFactory)
    name = factory.Sequence(lambda n: f"Program {n}")
    slug = factory.Sequence(lambda n: f"program-{n}")
    code_prefix = "TST"

    @factory.post_generation
    def phases(self, create: bool, extracted: object, **kwargs: object) -> None:
        from doorway.programs.models import FocusArea, Phase

        if not create:
            return
        for order, (name, days, cadence, consent, eligibility, _d) in enumerate(
            exit_doors_here.PHASES
        ):
            Phase.objects.create(
                program=self,
                order=order,
                name=name,
                expected_days=days,
                contact_cadence=cadence,
                requires_service_consent=consent,
                requires_eligibility=eligibility,
            )
        for order, (slug, name) in enumerate(exit_doors_here.FOCUS_AREAS[:4]):
            FocusArea.objects.create(program=self, slug=slug, name=name, order=order)


class CycleFactory(factory.django.DjangoModelFactory[Cycle]):
    class Meta:
        model = Cycle

    program = factory.SubFactory(ProgramFactory)
    name = factory.Sequence(lambda n: f"Cycle {n}")
    starts_on = datetime.date(2024, 1, 1)
    ends_on = datetime.date(2030, 12, 31)


class PartnerFactory(factory.django.DjangoModelFactory[PartnerAgency]):
    class Meta:
        model = PartnerAgency

    agency = factory.SubFactory(AgencyFactory)
    name = factory.Sequence(lambda n: f"Partner {n}")
    services = factory.LazyFunction(lambda: ["housing"])


class UserFactory(factory.django.DjangoModelFactory[User]):
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

    @factory.post_generation
    def programs(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create and extracted:
            self.programs.set(extracted)
        if create:
            self.save()


class TeamFactory(factory.django.DjangoModelFactory[Team]):
    class Meta:
        model = Team

    agency = factory.SubFactory(AgencyFactory)
    name = factory.Sequence(lambda n: f"Team {n}")


class ParticipantFactory(factory.django.DjangoModelFactory[Participant]):
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

    @factory.post_generation
    def index(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.refresh_name_index()


class EnrolmentFactory(factory.django.DjangoModelFactory[Enrolment]):
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

    @factory.post_generation
    def journey(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            JourneyEvent.objects.create(
                enrolment=self,
                kind=EventKind.REFERRED,
                to_phase=self.current_phase,
                to_phase_name=self.current_phase.name,
                effective_on=self.referred_on,
                recorded_by=self.case_manager,
            )


class ConsentFactory(factory.django.DjangoModelFactory[Consent]):
    class Meta:
        model = Consent

    participant = factory.SubFactory(ParticipantFactory)
    kind = ConsentKind.SERVICE
    given_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))
    recorded_by = factory.SubFactory(UserFactory)
