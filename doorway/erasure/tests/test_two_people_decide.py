"""Nobody erases a record alone; nothing is erased while she is enrolled; out of reach
is 404, audited; roles that never propose erasures get 403. Refused attempts change
nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from doorway.audit.models import Action as AuditAction
from doorway.audit.models import AuditEntry
from doorway.casework.models import Contact, ContactKind
from doorway.conftest import World
from doorway.enrolments.models import Enrolment, ExitReason
from doorway.erasure.actions import (
    ErasureRefused,
    approve_erasure,
    decline_erasure,
    past_retention,
    propose_erasure,
    suggest_past_retention,
)
from doorway.erasure.models import ErasureRequest, ErasureStatus
from doorway.evaluation.cohort import Cohort
from doorway.evaluation.costs import cycle_costs
from doorway.people.models import ConsentKind, Participant
from doorway.people.roles import Role
from doorway.programs.models import CostLine, add_months
from doorway.testing.factories import ConsentFactory, UserFactory
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db

REASON = "She asked us on the phone to erase her record."


def leaves(enrolment: Enrolment, on: datetime.date | None = None) -> None:
    Enrolment.objects.filter(pk=enrolment.pk).update(
        exit_reason=ExitReason.WITHDREW, exited_on=on or timezone.localdate()
    )


@pytest.fixture
def maeve(world: World) -> object:
    """A second program manager of Rosa's program."""
    return UserFactory(
        username="maeve", role=Role.PROGRAM_MANAGER, agency=world.agency, programs=[world.program]
    )


def test_the_proposer_cannot_approve_her_own_proposal(world: World, maeve: object) -> None:
    leaves(world.rosa_enrolment)
    change = propose_erasure(world.rosa, by=world.morgan, reason=REASON)
    with pytest.raises(ErasureRefused):
        approve_erasure(change, by=world.morgan)
    change.refresh_from_db()
    assert change.status == ErasureStatus.PENDING
    assert Participant.objects.get(pk=world.rosa.pk).legal_name == "Rosa Example"
    assert not AuditEntry.objects.filter(action=AuditAction.ERASE).exists()

    approve_erasure(change, by=maeve)  # type: ignore[arg-type]
    change.refresh_from_db()
    assert change.status == ErasureStatus.ERASED
    assert change.reason == ""
    assert not Participant.objects.filter(pk=world.rosa.pk).exists()


def test_the_database_refuses_a_request_decided_by_its_proposer(world: World) -> None:
    leaves(world.rosa_enrolment)
    change = propose_erasure(world.rosa, by=world.morgan, reason=REASON)
    with pytest.raises(IntegrityError), transaction.atomic():
        ErasureRequest.objects.filter(pk=change.pk).update(decided_by=world.morgan)


def test_a_case_manager_proposes_but_does_not_approve(world: World) -> None:
    leaves(world.rosa_enrolment)
    change = propose_erasure(world.rosa, by=world.alice, reason=REASON)
    with pytest.raises(ErasureRefused):
        approve_erasure(change, by=world.amira)
    with pytest.raises(ErasureRefused):
        approve_erasure(change, by=world.olive)  # a program manager of another program
    assert Participant.objects.filter(pk=world.rosa.pk).exists()


def test_nothing_is_proposed_while_she_is_enrolled(world: World) -> None:
    with pytest.raises(ValidationError):
        propose_erasure(world.rosa, by=world.alice, reason=REASON)
    assert not ErasureRequest.objects.exists()


def test_a_request_waits_for_approval_only_once(world: World) -> None:
    leaves(world.rosa_enrolment)
    propose_erasure(world.rosa, by=world.alice, reason=REASON)
    with pytest.raises(ValidationError):
        propose_erasure(world.rosa, by=world.morgan, reason=REASON)


def test_the_proposer_may_withdraw_and_nothing_is_erased(world: World) -> None:
    leaves(world.rosa_enrolment)
    change = propose_erasure(world.rosa, by=world.alice, reason=REASON)
    decline_erasure(change, by=world.alice)
    change.refresh_from_db()
    assert change.status == ErasureStatus.DECLINED
    assert change.decided_by is None
    assert Participant.objects.get(pk=world.rosa.pk).legal_name == "Rosa Example"


# --- pages ---------------------------------------------------------------------------


def test_on_the_pages_the_proposer_is_refused_and_a_second_manager_erases(
    client, world: World, maeve: object
) -> None:
    leaves(world.rosa_enrolment)
    signed_in(client, world.morgan)
    answer = client.post(
        reverse("erasure_list"), {"code": world.rosa.code, "kind": "her_request", "reason": REASON}
    )
    assert answer.status_code == 302
    change = ErasureRequest.objects.get()
    assert client.get(reverse("erasure_approve", args=[change.pk])).status_code == 403
    assert client.post(reverse("erasure_approve", args=[change.pk])).status_code == 403
    assert Participant.objects.filter(pk=world.rosa.pk).exists()

    signed_in(client, maeve)  # type: ignore[arg-type]
    page = client.get(reverse("erasure_approve", args=[change.pk]))
    assert page.status_code == 200
    assert "Rosa" not in page.content.decode()
    assert client.post(reverse("erasure_approve", args=[change.pk])).status_code == 302
    assert not Participant.objects.filter(pk=world.rosa.pk).exists()


def test_a_request_out_of_reach_is_not_found_and_audited(client, world: World) -> None:
    leaves(world.rosa_enrolment)
    change = propose_erasure(world.rosa, by=world.alice, reason=REASON)
    signed_in(client, world.olive)
    refusals = AuditEntry.objects.filter(action=AuditAction.REFUSED)
    before = refusals.count()
    assert client.post(reverse("erasure_approve", args=[change.pk])).status_code == 404
    assert refusals.count() == before + 1
    assert Participant.objects.filter(pk=world.rosa.pk).exists()


@pytest.mark.parametrize("who", ["pat", "eve", "ada"])
def test_peer_mentors_evaluators_and_administrators_are_refused(
    client, world: World, who: str
) -> None:
    leaves(world.rosa_enrolment)
    change = propose_erasure(world.rosa, by=world.alice, reason=REASON)
    signed_in(client, world.staff()[who])
    assert client.get(reverse("erasure_list")).status_code == 403
    assert (
        client.post(
            reverse("erasure_list"),
            {"code": world.rosa.code, "kind": "her_request", "reason": REASON},
        ).status_code
        == 403
    )
    assert client.post(reverse("erasure_approve", args=[change.pk])).status_code == 403
    assert client.post(reverse("erasure_decline", args=[change.pk])).status_code == 403
    change.refresh_from_db()
    assert change.status == ErasureStatus.PENDING


def test_a_code_out_of_reach_is_refused_on_the_form(client, world: World) -> None:
    leaves(world.rosa_enrolment)
    signed_in(client, world.bianca)  # another team
    page = client.post(
        reverse("erasure_list"), {"code": world.rosa.code, "kind": "her_request", "reason": REASON}
    )
    assert page.status_code == 200
    assert "No record you reach has that code." in page.content.decode()
    assert not ErasureRequest.objects.exists()


# --- retention ---------------------------------------------------------------------------


def test_records_past_the_retention_period_are_suggested_once(world: World) -> None:
    today = timezone.localdate()
    long_ago = add_months(today, -12 * world.program.retention_years - 1)
    Contact.objects.create(
        enrolment=world.rosa_enrolment,
        happened_on=long_ago,
        duration_minutes=30,
        kind=ContactKind.INDIVIDUAL_COUNSELLING,
        recorded_by=world.alice,
    )
    leaves(world.rosa_enrolment, on=long_ago)
    # Tess left recently; Uma is still enrolled.
    leaves(world.tess.enrolments.get())
    assert [p for p, _ in past_retention(today)] == [world.rosa]
    assert suggest_past_retention(today) == 1
    assert suggest_past_retention(today) == 0
    suggestion = ErasureRequest.objects.get()
    assert suggestion.status == ErasureStatus.SUGGESTED
    assert suggestion.proposed_by is None
    # A suggestion is not an approval: a person proposes it, a second approves.
    with pytest.raises(ValidationError):
        approve_erasure(suggestion, by=world.morgan)
    taken_up = propose_erasure(
        world.rosa, by=world.alice, reason="Seven years since her last contact."
    )
    assert taken_up.pk == suggestion.pk
    assert taken_up.kind == "retention"


# --- the command ---------------------------------------------------------------------------


def test_the_command_keeps_the_two_person_rule(world: World, capsys) -> None:
    leaves(world.rosa_enrolment)
    call_command("erase", "propose", world.rosa.code, by="morgan", reason=REASON)
    change = ErasureRequest.objects.get()
    with pytest.raises(CommandError, match="second person"):
        call_command("erase", "approve", str(change.pk), by="morgan")
    with pytest.raises(CommandError):
        call_command("erase", "approve", str(change.pk), by="olive")
    assert Participant.objects.filter(pk=world.rosa.pk).exists()
    call_command("erase", "list")
    listed = capsys.readouterr().out
    assert world.rosa.code in listed
    assert "Rosa" not in listed
    maeve = UserFactory(
        username="maeve", role=Role.PROGRAM_MANAGER, agency=world.agency, programs=[world.program]
    )
    call_command("erase", "approve", str(change.pk), by=maeve.username)
    assert not Participant.objects.filter(pk=world.rosa.pk).exists()


# --- the evaluation figures (README, "Retention and erasure") ------------------------------


@pytest.mark.parametrize("research_consent", [False, True])
def test_the_figures_move_only_when_her_rows_go(world: World, research_consent: bool) -> None:
    """With her research consent, her de-identified rows stay and every figure is as
    before; without it, she was in no outcome figure, but she was one of the cycle's
    enrolled women, so the cycle's cost per participant rises."""
    cycle = world.rosa_enrolment.cycle
    CostLine.objects.create(
        cycle=cycle, category="staff", amount=Decimal("3000.00"), recorded_by=world.morgan
    )
    if research_consent:
        ConsentFactory(participant=world.rosa, kind=ConsentKind.EVALUATION, recorded_by=world.alice)
    leaves(world.rosa_enrolment)
    cohort = Cohort(program=world.program)
    before = cycle_costs(cohort)[0]
    consenting = Participant.objects.consented_to(ConsentKind.EVALUATION).count()

    change = propose_erasure(world.rosa, by=world.alice, reason=REASON)
    approve_erasure(change, by=world.morgan)

    after = cycle_costs(cohort)[0]
    assert Participant.objects.consented_to(ConsentKind.EVALUATION).count() == consenting
    if research_consent:
        assert after == before
    else:
        assert after["enrolled"] == before["enrolled"] - 1
        assert after["cost_per_participant"] > before["cost_per_participant"]
