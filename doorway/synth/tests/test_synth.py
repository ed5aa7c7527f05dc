"""`doorway synth`: reproducible, in realistic proportions, keeping the app's rules, and
readable through the app's own pages and computations."""

from __future__ import annotations

import datetime
import re
from collections import Counter
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, models, transaction
from django.test import Client
from django.urls import reverse

from doorway import demo
from doorway.audit.models import AuditEntry
from doorway.caseload.models import DueItem
from doorway.casework.models import Contact, ContactKind, OutreachContact, SupervisionReview
from doorway.casework.outreach.actions import outreach_until
from doorway.enrolments.models import (
    PHASE_EVENTS,
    Eligibility,
    Enrolment,
    EventKind,
    ExitReason,
    JourneyEvent,
)
from doorway.evaluation.cohort import Cohort
from doorway.evaluation.report import evaluation_report
from doorway.instruments.actions import score
from doorway.instruments.definition import definition_of, load_version
from doorway.instruments.models import Administration, InstrumentVersion, VersionFrozen
from doorway.people.models import Consent, ConsentKind, Language, NameDigest, Participant, User
from doorway.people.roles import Role
from doorway.plans.models import PlanReview
from doorway.programs.models import Program
from doorway.referrals.models import Referral
from doorway.synth.run import synthesise

# Written outside any test transaction, as the command writes it: on PostgreSQL (as a
# superuser) that is the one-transaction bulk path, elsewhere a commit per chunk.
pytestmark = pytest.mark.django_db(transaction=True)

TODAY = datetime.date(2026, 6, 15)
N = 60


class Rollback(Exception):
    pass


@pytest.fixture
def demo_on(settings: Any) -> None:
    settings.DEMO = True


@pytest.fixture
def deployment(demo_on: None) -> None:
    synthesise(N, 7, today=TODAY)


# Values a run takes from the clock or a random salt, not from the seed.
SKIPPED = {"history_date", "computed_at", "created_at", "recorded_at", "date_joined", "password"}


def fingerprint() -> dict[str, list[tuple[Any, ...]]]:
    """Every synthetic row, decrypted, in a fixed order (integer ids left out: the
    database numbers those)."""
    found = {}
    for model in [
        Participant, NameDigest, Consent, Enrolment, JourneyEvent, Contact,
        Contact.history.model, Administration, PlanReview, Referral, User, Program,
        InstrumentVersion,
    ]:  # fmt: skip
        names = [
            f.attname
            for f in model._meta.concrete_fields
            if f.attname not in SKIPPED
            and not (f.primary_key and isinstance(f, models.AutoField | models.BigAutoField))
            and f.attname != "history_id"
        ]
        rows = model.objects.order_by().values_list(*names)
        found[model._meta.label] = sorted(rows, key=repr)
    return found


def run_and_forget(seed: int) -> dict[str, list[tuple[Any, ...]]]:
    """Synthesise, take the fingerprint, and roll it all back."""
    try:
        with transaction.atomic():
            synthesise(N, seed, today=TODAY)
            found = fingerprint()
            raise Rollback
    except Rollback:
        pass
    return found


def test_the_same_seed_gives_the_same_deployment_ids_and_all(demo_on: None) -> None:
    first = run_and_forget(7)
    second = run_and_forget(7)
    assert first == second
    assert len(first["people.Participant"]) == N


def test_a_different_seed_gives_a_different_deployment(demo_on: None) -> None:
    first = run_and_forget(7)
    other = run_and_forget(8)
    assert first["people.Participant"] != other["people.Participant"]
    assert first["casework.Contact"] != other["casework.Contact"]


def test_the_proportions_look_like_a_program(deployment: None) -> None:
    participants = Participant.objects.count()
    assert participants == N
    contacts = Contact.objects.count()
    assert 40 * N <= contacts <= 60 * N
    exits = Counter(Enrolment.objects.values_list("exit_reason", flat=True))
    assert exits[ExitReason.GRADUATED] > exits[ExitReason.WITHDREW] > 0
    assert exits[""] > 0  # some still in the program today
    for worker in User.objects.filter(role=Role.CASE_MANAGER):
        assert Enrolment.objects.open().filter(case_manager=worker).count() <= 20
    consented = Consent.objects.filter(kind=ConsentKind.SERVICE).count()
    research = Consent.objects.filter(kind=ConsentKind.EVALUATION).count()
    assert 0.4 * consented < research < 0.9 * consented
    assert Program.objects.count() >= 3
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    # A few women would rather have their plan and star chart in French; her history agrees.
    languages = Counter(Participant.objects.values_list("preferred_language", flat=True))
    assert 0 < languages[Language.FRENCH] < languages[Language.ENGLISH]
    first_versions = Counter(Participant.history.values_list("preferred_language", flat=True))
    assert first_versions == languages


def test_journeys_follow_the_phase_machine(deployment: None) -> None:
    for enrolment in Enrolment.objects.select_related("current_phase", "participant"):
        events = list(enrolment.events.order_by("effective_on", "recorded_at"))
        assert events[0].kind == EventKind.REFERRED
        dates = [e.effective_on for e in events]
        assert dates == sorted(dates)
        assert max(dates) < TODAY
        moves = [e for e in events if e.kind in PHASE_EVENTS]
        assert moves[-1].to_phase_id == enrolment.current_phase_id
        assert moves[-1].effective_on == enrolment.phase_started_on
        for move in moves[1:]:
            assert move.to_phase is not None
            phase = move.to_phase
            if phase.requires_service_consent:
                assert enrolment.participant.has_consent(ConsentKind.SERVICE, on=move.effective_on)
            if phase.requires_eligibility:
                assert enrolment.eligibility == Eligibility.ELIGIBLE
                assert enrolment.eligibility_decided_on is not None
                assert enrolment.eligibility_decided_on <= move.effective_on
        if enrolment.exit_reason:
            assert events[-1].kind == EventKind.EXITED
            assert events[-1].exit_reason == enrolment.exit_reason
            assert events[-1].effective_on == enrolment.exited_on
        assert enrolment.history.count() == len(events)
        enrolment.allowed_moves()  # the phase machine reads it


def test_assessments_carry_the_scores_their_version_computes(deployment: None) -> None:
    versions: dict[Any, Any] = {}
    for administration in Administration.objects.select_related(
        "enrolment__participant", "enrolment__cycle__program"
    ):
        if administration.version_id not in versions:
            versions[administration.version_id] = definition_of(
                load_version(administration.version_id)
            )
        answers = {a.item.code: a.value() for a in administration.answers.select_related("item")}
        scores, rules = score(
            versions[administration.version_id],
            answers,
            administration.enrolment,
            administration.completed_on,
        )
        assert administration.scores == scores
        assert administration.rule_results == rules
    version = InstrumentVersion.objects.filter(administrations__isnull=False).first()
    assert version is not None
    with pytest.raises(VersionFrozen):
        version.save()


def test_eligibility_reasons_come_from_the_intake_assessment(deployment: None) -> None:
    decided = Enrolment.objects.exclude(eligibility=Eligibility.PENDING)
    assert decided.exists()
    for enrolment in decided:
        assert enrolment.eligibility_reason.startswith("From the Intake assessment of ")
        intake = enrolment.administrations.get(
            timepoint="intake", version__instrument__slug="intake-assessment"
        )
        rule = intake.rule("eligibility")
        assert rule is not None
        assert rule["met"] == (enrolment.eligibility == Eligibility.ELIGIBLE)


def test_records_keep_the_rules_of_their_actions(deployment: None) -> None:
    for contact in Contact.objects.select_related("enrolment", "recorded_by"):
        assert contact.enrolment.referred_on <= contact.happened_on < TODAY
        if contact.kind == ContactKind.PEER_CONTACT:
            assert contact.recorded_by_id == contact.enrolment.peer_mentor_id
        else:
            assert contact.note
            assert contact.recorded_by.role == Role.CASE_MANAGER
        assert contact.history.count() == 1
    for referral in Referral.objects.filter(shares_information=True).select_related(
        "enrolment__participant", "partner"
    ):
        assert referral.enrolment.participant.may_share_with(referral.partner, referral.made_on)
    for review in PlanReview.objects.select_related("prompted_by"):
        assert review.prompted_by is not None
        assert review.prompted_by.to_phase_id == review.phase_id
        assert review.reviewed_on >= review.prompted_by.effective_on


def test_supervision_and_outreach_keep_their_rules(deployment: None) -> None:
    reviews = SupervisionReview.objects.select_related("session__team", "enrolment")
    assert reviews.exists()
    for review in reviews:
        team = review.session.team
        assert team.members.filter(pk=review.enrolment.case_manager_id).exists()
        assert (
            Enrolment.objects.visible_to(review.recorded_by).filter(pk=review.enrolment_id).exists()
        )
        assert review.enrolment.referred_on <= review.session.held_on
    linked = OutreachContact.objects.filter(participant__isnull=False)
    assert linked.exists()
    assert OutreachContact.objects.unlinked().exists()
    for contact in linked.select_related("participant"):
        assert contact.participant is not None
        first = contact.participant.enrolments.order_by("referred_on").first()
        assert first is not None
        assert contact.happened_on <= outreach_until(first)
    nicknamed = OutreachContact.objects.exclude(nickname="").first()
    assert nicknamed is not None
    assert nicknamed in OutreachContact.objects.with_nickname(nicknamed.nickname)


def test_a_name_is_found_through_the_blind_index(deployment: None) -> None:
    participant = Participant.objects.first()
    assert participant is not None
    found = Participant.objects.with_name(participant.legal_name)
    assert participant in found


def test_the_caseload_and_a_participant_page_read_synthetic_records(deployment: None) -> None:
    worker = (
        User.objects.filter(role=Role.CASE_MANAGER, caseload__exit_reason="")
        .order_by("username")
        .first()
    )
    assert worker is not None
    client = Client()
    client.force_login(worker)
    page = client.get(reverse("caseload"))
    assert page.status_code == 200
    enrolment = Enrolment.objects.open().filter(case_manager=worker).first()
    assert enrolment is not None
    assert enrolment.participant.code in page.content.decode()
    assert DueItem.objects.filter(enrolment=enrolment).exists()
    assert client.get(reverse("enrolment_detail", args=[enrolment.pk])).status_code == 200


def test_the_evaluation_computes_on_synthetic_records(deployment: None) -> None:
    for program in Program.objects.all():
        report = evaluation_report(Cohort(program=program))
        assert report["participants"]["referred"] > 0
        assert report["participants"]["evaluation"] > 0
        assert any(row["assessed"] for row in report["focus_areas"])


def test_one_audit_entry_records_the_run(deployment: None) -> None:
    runs = AuditEntry.objects.filter(detail__synthetic=True)
    assert runs.count() == 1
    assert runs.get().detail["participants"] == N
    assert not AuditEntry.objects.exclude(participant_id="").exists()


def test_the_database_is_left_as_autovacuum_would_leave_it(deployment: None) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT relname FROM pg_stat_user_tables WHERE relname IN "
                "('casework_contact', 'caseload_dueitem') AND last_vacuum IS NOT NULL "
                "AND last_analyze IS NOT NULL ORDER BY relname"
            )
            assert cursor.fetchall() == [("caseload_dueitem",), ("casework_contact",)]
        else:
            cursor.execute("SELECT DISTINCT tbl FROM sqlite_stat1 WHERE tbl = 'casework_contact'")
            assert cursor.fetchall() == [("casework_contact",)]


def test_no_person_of_the_demo_is_reused(deployment: None) -> None:
    demo_names = {p.legal_name for p in demo.PEOPLE} | {p.preferred_name for p in demo.PEOPLE}
    for participant in Participant.objects.all():
        assert participant.legal_name not in demo_names
        assert not participant.phone or re.fullmatch(r"\d{3}-555-01\d\d", participant.phone)
        assert not participant.email or participant.email.endswith("@example.org")


def schema() -> list[tuple[Any, ...]]:
    """Every constraint and index of the database, as PostgreSQL prints them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), convalidated, "
            "condeferrable, condeferred FROM pg_constraint WHERE connamespace = "
            "'public'::regnamespace ORDER BY 1, 2"
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' "
            "ORDER BY 1, 2"
        )
        return constraints + cursor.fetchall()


def test_every_key_and_index_dropped_for_the_load_is_back(demo_on: None) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the indexes and keys are dropped for the load on PostgreSQL only")
    before = schema()
    assert any("PRIMARY KEY" in str(row[2]) for row in before)
    synthesise(N, 7, today=TODAY)
    assert Contact.objects.exists()
    assert schema() == before


def test_refused_without_demo_mode(settings: Any) -> None:
    settings.DEMO = False
    with pytest.raises(ValidationError, match="DOORWAY_DEMO"):
        synthesise(5, 1, today=TODAY)
    assert not Participant.objects.exists()


def test_refused_beside_records_it_did_not_make_unless_forced(world: Any, demo_on: None) -> None:
    theirs = Participant.objects.count()
    with pytest.raises(ValidationError, match="did not make"):
        synthesise(5, 1, today=TODAY)
    assert Participant.objects.count() == theirs
    synthesise(5, 1, today=TODAY, force=True)
    assert Participant.objects.count() == theirs + 5


def test_refused_on_a_second_run(deployment: None) -> None:
    with pytest.raises(CommandError, match="already holds a synthetic deployment"):
        call_command("synth", "--participants", "5", "--skip-checks")
    assert Participant.objects.count() == N
