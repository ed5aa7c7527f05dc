"""The demo loads through the ordinary actions, and loading it twice changes nothing."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F
from django.test import override_settings
from django.utils import timezone

from doorway import demo
from doorway.audit.models import AuditEntry
from doorway.caseload.models import DueItem
from doorway.casework.models import Contact, OutreachContact, SupervisionSession
from doorway.dropins.models import Attendance
from doorway.enrolments.models import Enrolment, JourneyEvent
from doorway.instruments.models import Administration, Instrument, Item
from doorway.people.models import Consent, Participant, SafetyFlag, User
from doorway.people.roles import Role
from doorway.plans.models import Goal
from doorway.programs.models import Cycle, FocusArea, PartnerAgency, Phase
from doorway.referrals.models import Referral
from doorway.tests.test_demo_figures import check_the_loaded_demo_reproduces_every_published_figure

pytestmark = pytest.mark.django_db

COUNTED = [
    User,
    Contact,
    Administration,
    Goal,
    Attendance,
    Referral,
    OutreachContact,
    SupervisionSession,
    Participant,
    Enrolment,
    JourneyEvent,
    Consent,
    SafetyFlag,
    Cycle,
    PartnerAgency,
    AuditEntry,
]


def counts() -> dict[str, int]:
    return {model.__name__: model._default_manager.count() for model in COUNTED}


@override_settings(DEMO=False)
def test_the_command_refuses_to_load_demo_accounts_outside_demo_mode() -> None:
    with pytest.raises(CommandError, match="DOORWAY_DEMO"):
        call_command("load-demo")
    assert not User.objects.exists()


# Loading the demo takes about a minute, so one test loads it (through the command, as
# `make demo` does) and checks it whole, then loads it again, then checks that it
# reproduces every published figure (test_demo_figures.py).
@override_settings(DEMO=True)
def test_the_command_loads_the_whole_demo_once_and_prints_the_logins(
    capsys: pytest.CaptureFixture[str],
) -> None:
    call_command("load-demo", "--url", "http://127.0.0.1:8000")
    check_accounts()
    check_cohort()
    check_dates()
    check_caseloads()
    check_casework()
    check_languages()

    before = counts()
    call_command("load-demo")
    assert counts() == before
    check_the_loaded_demo_reproduces_every_published_figure()
    out = capsys.readouterr().out
    assert "Demo already loaded; nothing new created." in out
    assert demo.DEMO_PASSWORD in out
    for username, *_ in demo.STAFF:
        assert username in out


def check_accounts() -> None:
    """One account per role (two administrators, so that one can approve what the
    other asks), all flagged as demo accounts; only administrators are staff."""
    accounts = User.objects.filter(is_demo_account=True)
    assert {u.role for u in accounts} == set(Role.values)
    assert all(u.check_password(demo.DEMO_PASSWORD) for u in accounts)
    admin = accounts.get(username="admin")
    assert admin.is_staff
    assert admin.is_superuser
    assert accounts.get(username="admin2").is_staff
    assert not accounts.exclude(role=Role.ADMINISTRATOR).filter(is_staff=True).exists()


def check_languages() -> None:
    """A French-speaking worker, women who prefer French, and the program's words she
    reads (phases, focus areas, the instruments) in French too."""
    assert User.objects.get(username="casemanager2").language == "fr-ca"
    assert User.objects.get(username="casemanager").language == ""
    french = Participant.objects.filter(preferred_language="fr-ca")
    assert french.count() == len(demo.PREFERS_FRENCH)
    assert Enrolment.objects.open().filter(participant__in=french).exists()
    assert not Phase.objects.filter(name_fr="").exists()
    assert not FocusArea.objects.filter(name_fr="").exists()
    assert not Item.objects.filter(prompt_fr="").exists()
    assert not Instrument.objects.filter(name_fr="").exists()


def check_cohort() -> None:
    """The whole cohort, each woman found by her legal name."""
    assert Participant.objects.count() == len(demo.PEOPLE)
    assert Cycle.objects.count() == len(demo.CYCLES) + 1
    assert PartnerAgency.objects.count() == len(demo.PARTNERS)
    for person in demo.PEOPLE:
        assert Participant.objects.with_name(person.legal_name).exists(), person.legal_name


def check_dates() -> None:
    """Every demo date lies in the past."""
    today = timezone.localdate()
    assert not JourneyEvent.objects.filter(effective_on__gt=today).exists()
    assert not Consent.objects.filter(given_on__gt=today).exists()
    assert not Enrolment.objects.filter(referred_on__gt=today).exists()


def check_caseloads() -> None:
    """Open caseloads for every worker, and finished journeys."""
    assert Enrolment.objects.open().filter(case_manager__username="casemanager").exists()
    assert Enrolment.objects.open().filter(case_manager__username="casemanager2").exists()
    assert Enrolment.objects.open().filter(peer_mentor__username="peermentor").exists()
    assert Enrolment.objects.filter(exit_reason="graduated").count() >= 15
    assert Consent.objects.filter(withdrawn_on__isnull=False).exists()


def check_casework() -> None:
    """The current intake's casework, and work due on the caseloads."""
    for model in (Contact, Administration, Goal, Attendance, Referral, OutreachContact):
        assert model.objects.exists(), model.__name__
    assert OutreachContact.objects.exclude(participant=None).exists()
    assert SupervisionSession.objects.exists()
    # Earlier cycles were worked on while each woman was in the program: their contacts
    # lie between her referral and the day she left.
    earlier = Contact.objects.exclude(enrolment__cycle__name=demo.CURRENT_INTAKE[0])
    assert earlier.exists()
    assert not earlier.filter(happened_on__gte=F("enrolment__exited_on")).exists()
    assert not earlier.filter(happened_on__lt=F("enrolment__referred_on")).exists()
    today = timezone.localdate()
    overdue = DueItem.objects.filter(due_on__lt=today)
    kinds = set(overdue.values_list("kind", flat=True))
    assert {"contact", "follow_up"} <= kinds, kinds
    # Some notes were written late, most on the day.
    assert 0 < Contact.objects.filter(is_late=True).count() < Contact.objects.count() / 2
