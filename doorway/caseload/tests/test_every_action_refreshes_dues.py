"""Every action that writes something a due-date rule reads recomputes that woman's due
items once it commits: from the page's action, the API, imports and the demo alike, for
they all go through these actions.

Each case plants a stale item on her record, runs one action, lets it commit, and checks
that the refresh replaced her items. An action that forgets to ask for a refresh (or a
listener that never hears it, as a misspelt model label once left unheard) keeps the
stale item and fails here.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from doorway.caseload.models import DueItem
from doorway.casework.actions import edit_contact, record_contact
from doorway.casework.models import Contact
from doorway.casework.tests.helpers import graduated, in_last_phase
from doorway.casework.transfer import actions as transfer
from doorway.conftest import World
from doorway.enrolments.actions import enrol
from doorway.enrolments.due import DueKind
from doorway.enrolments.models import Enrolment
from doorway.enrolments.safe_contact import confirm_safe_contact, update_identity
from doorway.plans.actions import record_review
from doorway.referrals.actions import make_referral, update_referral
from doorway.referrals.models import Referral, ReferralStatus
from doorway.testing.factories import ParticipantFactory, PartnerFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
STALE = "Stale item the refresh must replace"


def today() -> datetime.date:
    return timezone.localdate()


def contact(world: World, enrolment: Enrolment) -> Contact:
    return record_contact(
        enrolment,
        by=world.alice,
        happened_on=today(),
        duration_minutes=15,
        kind="phone_text",
        note="Called to check in",
    )


def referral(world: World, enrolment: Enrolment) -> Referral:
    partner = PartnerFactory(agency=world.agency, services=["housing"])
    return make_referral(
        enrolment,
        by=world.alice,
        partner=partner,
        service_kind="housing",
        shares_information=False,
        made_on=today() - 3 * DAY,
    )


def phase(world: World, n: int) -> Any:
    return world.program.active_phases()[n]


def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


# Each case: (setup, action). Setup returns what the action needs (first item: her
# enrolment); the action runs alone inside the committed transaction under test.
Setup = Callable[[World], tuple[Any, ...]]
Action = Callable[..., object]


def _rosa(world: World) -> tuple[Any, ...]:
    return (world.rosa_enrolment,)


def _eligible(world: World) -> tuple[Any, ...]:
    world.rosa_enrolment.decide_eligibility("eligible", by=world.alice, reason="Two factors")
    world.rosa_enrolment.move_to(phase(world, 1), by=world.alice)
    return (world.rosa_enrolment,)


def _with_contact(world: World) -> tuple[Any, ...]:
    return (world.rosa_enrolment, contact(world, world.rosa_enrolment))


def _with_referral(world: World) -> tuple[Any, ...]:
    return (world.rosa_enrolment, referral(world, world.rosa_enrolment))


def _graduate(world: World) -> tuple[Any, ...]:
    return (graduated(world.rosa_enrolment, on=today() - 40 * DAY),)


def _follow_up(world: World, enrolment: Enrolment) -> object:
    from doorway.instruments import exit_doors_here
    from doorway.instruments.actions import record_administration
    from doorway.instruments.models import Instrument

    exit_doors_here.install(world.program)
    version = Instrument.objects.get(slug=exit_doors_here.FOLLOW_UP).current_version()
    assert version is not None
    return record_administration(
        enrolment,
        version,
        by=world.alice,
        timepoint="follow_up",
        completed_on=today(),
        answers={
            "sex_work_involvement": "not_at_all",
            "housing": "own_place",
            "connected_to_supports": "no",
        },
    )


CASES: dict[str, tuple[Setup, Action]] = {
    "recording a contact": (_rosa, lambda w, e: contact(w, e)),
    "editing a contact's date": (
        _with_contact,
        lambda w, e, c: edit_contact(c, by=w.alice, happened_on=today() - DAY),
    ),
    "a phase move": (_rosa, lambda w, e: e.move_to(phase(w, 1), by=w.alice)),
    "an exit": (_rosa, lambda w, e: e.exit("withdrew", by=w.alice, reason="She chose to stop")),
    "a reopening": (
        lambda w: (e := _rosa(w)[0], e.exit("withdrew", by=w.alice, reason="Stop"))[:1],
        lambda w, e: e.reopen(by=w.alice, reason="She came back"),
    ),
    "an eligibility decision": (
        _rosa,
        lambda w, e: e.decide_eligibility("eligible", by=w.alice, reason="Two risk factors"),
    ),
    "a new case manager": (
        _rosa,
        lambda w, e: e.assign(case_manager=w.amira, peer_mentor=None, by=w.ada),
    ),
    "a plan review": (
        _eligible,
        lambda w, e: record_review(e, by=w.alice, reviewed_on=today(), decided="Kept"),
    ),
    "a referral": (_rosa, lambda w, e: referral(w, e)),
    "a referral's news": (
        _with_referral,
        lambda w, e, r: update_referral(
            r, by=w.alice, status=ReferralStatus.ACCEPTED, dated_on=today()
        ),
    ),
    "the follow-up questionnaire": (_graduate, _follow_up),
    "the closing note": (
        lambda w: (in_last_phase(w.rosa_enrolment),),
        lambda w, e: transfer.write_closing_note(e, by=w.alice, written_on=today(), text="Done"),
    ),
    "confirming her safe-contact instructions": (
        _rosa,
        lambda w, e: confirm_safe_contact(e.participant, by=w.alice),
    ),
    "new safe-contact instructions": (
        _rosa,
        lambda w, e: update_identity(e.participant, by=w.alice, safe_contact="Text only, mornings"),
    ),
    "a phase move through the API": (
        _rosa,
        lambda w, e: api(w.alice).post(
            f"/api/v1/enrolments/{e.pk}/moves/",
            {"to_phase": str(phase(w, 1).pk)},
            format="json",
            HTTP_IF_MATCH="*",
        ),
    ),
}


def plant_stale_item(enrolment: Enrolment) -> DueItem:
    return DueItem.objects.create(
        enrolment=enrolment,
        kind=DueKind.CONTACT,
        due_on=today() + 365 * DAY,
        label=STALE,
        computed_at=timezone.now(),
    )


@pytest.mark.parametrize("case", list(CASES))
def test_the_action_recomputes_her_due_items_once_it_commits(
    world: World, django_capture_on_commit_callbacks, case: str
) -> None:
    setup, action = CASES[case]
    # The setup's own refreshes run and finish first, as they would in their own requests.
    with django_capture_on_commit_callbacks(execute=True):
        needs = setup(world)
    enrolment = needs[0]
    plant_stale_item(enrolment)
    with django_capture_on_commit_callbacks(execute=True):
        result = action(world, *needs)
        # Nothing is recomputed before the change commits.
        assert DueItem.objects.filter(enrolment=enrolment, label=STALE).exists()
    assert getattr(result, "status_code", 200) == 200
    assert not DueItem.objects.filter(enrolment=enrolment, label=STALE).exists()


def test_enrolling_her_computes_her_first_due_items(
    world: World, django_capture_on_commit_callbacks
) -> None:
    person = ParticipantFactory(agency=world.agency, registered_by=world.alice)
    # A program whose first phase has a contact cadence: something falls due at once.
    first = phase(world, 0)
    first.contact_cadence = "weekly"
    first.save()
    with django_capture_on_commit_callbacks(execute=True):
        enrolment = enrol(
            person,
            cycle=world.rosa_enrolment.cycle,
            referral_source="self",
            referred_on=today(),
            case_manager=world.alice,
            by=world.alice,
        )
    assert DueItem.objects.filter(enrolment=enrolment, kind=DueKind.CONTACT).exists()
