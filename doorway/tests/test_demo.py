"""The demo loads through the ordinary actions, and loading it twice changes nothing."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

from doorway import demo
from doorway.audit.models import AuditEntry
from doorway.caseload.models import DueItem
from doorway.casework.models import Contact, OutreachContact, SupervisionSession
from doorway.dropins.models import Attendance
from doorway.enrolments.models import Enrolment, JourneyEvent
from doorway.instruments.models import Administration
from doorway.people.models import Consent, Participant, SafetyFlag, User
from doorway.people.roles import Role
from doorway.plans.models import Goal
from doorway.programs.models import Cycle, PartnerAgency
from doorway.referrals.models import Referral

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
    return {model.__name__: model.objects.count() for model in COUNTED}


def test_the_demo_has_one_account_per_role_all_flagged_as_demo_accounts() -> None:
    demo.load()
    accounts = User.objects.filter(is_demo_account=True)
    assert {u.role for u in accounts} == set(Role.values)
    assert all(u.check_password(demo.DEMO_PASSWORD) for u in accounts)
    admin = accounts.get(username="admin")
    assert admin.is_staff
    assert admin.is_superuser
    assert not accounts.exclude(username="admin").filter(is_staff=True).exists()


def test_the_demo_loads_its_whole_cohort() -> None:
    loaded = demo.load()
    assert Participant.objects.count() == len(demo.PEOPLE)
    assert loaded.program is not None
    assert loaded.program.cycles.count() == len(demo.CYCLES) + 1
    assert PartnerAgency.objects.count() == len(demo.PARTNERS)


def test_loading_the_demo_twice_creates_nothing_new() -> None:
    demo.load()
    before = counts()
    again = demo.load()
    assert not again.anything
    assert counts() == before


def test_every_demo_participant_is_found_by_her_legal_name() -> None:
    demo.load()
    for person in demo.PEOPLE:
        assert Participant.objects.with_name(person.legal_name).exists(), person.legal_name


def test_every_demo_date_lies_in_the_past() -> None:
    demo.load()
    today = timezone.localdate()
    assert not JourneyEvent.objects.filter(effective_on__gt=today).exists()
    assert not Consent.objects.filter(given_on__gt=today).exists()
    assert not Enrolment.objects.filter(referred_on__gt=today).exists()


def test_the_demo_leaves_open_caseloads_and_finished_journeys() -> None:
    demo.load()
    assert Enrolment.objects.open().filter(case_manager__username="casemanager").exists()
    assert Enrolment.objects.open().filter(case_manager__username="casemanager2").exists()
    assert Enrolment.objects.open().filter(peer_mentor__username="peermentor").exists()
    assert Enrolment.objects.filter(exit_reason="graduated").count() >= 15
    assert Consent.objects.filter(withdrawn_on__isnull=False).exists()


@override_settings(DEMO=False)
def test_the_command_refuses_to_load_demo_accounts_outside_demo_mode() -> None:
    with pytest.raises(CommandError, match="DOORWAY_DEMO"):
        call_command("load-demo")
    assert not User.objects.exists()


@override_settings(DEMO=True)
def test_the_command_loads_the_demo_and_prints_the_logins(
    capsys: pytest.CaptureFixture[str],
) -> None:
    call_command("load-demo", "--url", "http://127.0.0.1:8000")
    call_command("load-demo")
    out = capsys.readouterr().out
    assert "Demo already loaded; nothing new created." in out
    assert demo.DEMO_PASSWORD in out
    for username, *_ in demo.STAFF:
        assert username in out
    assert Participant.objects.count() == len(demo.PEOPLE)


def test_the_demo_gives_the_current_intake_casework_and_the_caseload_work_due() -> None:
    demo.load()
    for model in (Contact, Administration, Goal, Attendance, Referral, OutreachContact):
        assert model.objects.exists(), model.__name__
    assert OutreachContact.objects.exclude(participant=None).exists()
    assert SupervisionSession.objects.exists()
    # Only the current intake is worked on: earlier cycles' records end with their exits.
    assert not Contact.objects.exclude(enrolment__cycle__name=demo.CURRENT_INTAKE[0]).exists()
    today = timezone.localdate()
    overdue = DueItem.objects.filter(due_on__lt=today)
    kinds = set(overdue.values_list("kind", flat=True))
    assert {"contact", "follow_up"} <= kinds, kinds
    # Some notes were written late, most on the day.
    assert 0 < Contact.objects.filter(is_late=True).count() < Contact.objects.count() / 2
