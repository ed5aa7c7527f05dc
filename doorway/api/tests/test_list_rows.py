"""The contacts and participants lists write their rows with plain code
(`doorway.api.rows`) and read only what a row shows: the same answer as the declared
fields give, the links of a page's contacts in one query, and no identifying field or
intake read (nor decrypted) for a list."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from rest_framework import serializers
from rest_framework.test import APIClient

from doorway.casework.actions import record_contact
from doorway.casework.api import ContactSerializer, load_links
from doorway.casework.models import Contact
from doorway.conftest import World
from doorway.enrolments.models import Enrolment
from doorway.participants.api import ParticipantSerializer, ParticipantSummarySerializer
from doorway.people.actions import add_safety_flag
from doorway.people.models import Participant
from doorway.plans.tests.support import plan_for
from doorway.programs.models import FocusArea, KeyIngredient
from doorway.testing.factories import EnrolmentFactory
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db


def api(user: Any) -> APIClient:
    client = APIClient()
    signed_in(client, user)
    return client


def field_by_field(serializer: serializers.Serializer[Any], instance: Any) -> Any:
    """What DRF's own writer gives for `serializer`'s declared fields."""
    return serializers.Serializer.to_representation(serializer, instance)


def listed_participant(world: World, participant: Participant) -> Participant:
    """Her row as the list reads it (its prefetches, as the viewset sets them)."""
    from doorway.participants.api import ParticipantViewSet

    view = ParticipantViewSet()
    view.action = "list"
    view.request = type("Request", (), {"user": world.alice})()
    found: Participant = view.reached(Participant.objects.all()).get(pk=participant.pk)
    return found


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_participant_row_is_what_her_declared_fields_write(world, language) -> None:
    add_safety_flag(world.rosa, kind="no_texts", note="Text only, never call.", by=world.alice)
    exited = EnrolmentFactory(
        participant=world.rosa,
        cycle=world.rosa_enrolment.cycle,
        case_manager=world.alice,
        peer_mentor=None,
        exit_reason="withdrew",
        exited_on=timezone.localdate() - datetime.timedelta(days=3),
    )
    with translation.override(language), timezone.override("America/Toronto"):
        row = listed_participant(world, world.rosa)
        assert {e.pk for e in row.visible_enrolments} == {world.rosa_enrolment.pk, exited.pk}  # type: ignore[attr-defined]
        written = ParticipantSummarySerializer(row).data
        assert written == field_by_field(ParticipantSummarySerializer(), row)
    assert list(written) == list(ParticipantSummarySerializer().fields)
    assert written["safety_flags"][0]["note"] == "Text only, never call."
    peer = [e["peer_mentor"] for e in written["enrolments"]]
    assert None in peer
    assert {"id": str(world.pat.pk), "name": str(world.pat)} in peer


def test_her_record_still_carries_her_identity_after_the_summary(world) -> None:
    request = type("Request", (), {"user": world.alice})()
    world.rosa.active_flag_list = []
    world.rosa.visible_enrolments = []
    data = ParticipantSerializer(world.rosa, context={"request": request}).data
    assert list(data) == [*ParticipantSummarySerializer().fields, "identity"]
    assert data["identity"]["legal_name"] == (world.rosa.legal_name or "")
    peer = type("Request", (), {"user": world.pat})()
    assert ParticipantSerializer(world.rosa, context={"request": peer}).data["identity"] is None


def test_the_participant_list_reads_no_identifying_field_nor_intake(world) -> None:
    with CaptureQueriesContext(connection) as captured:
        answer = api(world.alice).get("/api/v1/participants/")
    assert answer.status_code == 200
    assert str(world.rosa.pk) in {r["id"] for r in answer.json()["results"]}
    selected = " ".join(
        q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT")
    )
    for column in ("legal_name", "aliases", "date_of_birth", "phone", "safe_contact", "email"):
        assert f'"people_participant"."{column}"' not in selected
    assert "eligibility_reason" not in selected


def test_a_contact_row_is_the_same_with_its_links_read_in_one_query(world) -> None:
    _, goals = plan_for(world, goals=2)
    areas = list(FocusArea.objects.filter(program=world.program).order_by("order")[:2])
    ingredient = KeyIngredient.objects.create(program=world.program, slug="trust", name="Trust")
    contact = record_contact(
        world.rosa_enrolment,
        by=world.alice,
        happened_on=timezone.localdate(),
        duration_minutes=30,
        kind="counselling",
        focus_areas=areas,
        goals=goals,
        ingredients=[ingredient],
        note="About the court date.",
    )
    bare = record_contact(
        world.rosa_enrolment,
        by=world.alice,
        happened_on=timezone.localdate(),
        duration_minutes=15,
        kind="counselling",
        focus_areas=[],
        note="A short call.",
    )
    request = type("Request", (), {"user": world.alice})()
    through_relations = [
        ContactSerializer(c, context={"request": request}).data
        for c in Contact.objects.select_related("enrolment").filter(pk__in=[contact.pk, bare.pk])
    ]
    rows = list(Contact.objects.select_related("enrolment").filter(pk__in=[contact.pk, bare.pk]))
    with CaptureQueriesContext(connection) as captured:
        load_links(rows)
    assert len(captured) == 1
    listed = [ContactSerializer(c, context={"request": request}).data for c in rows]
    assert sorted(listed, key=lambda r: r["id"]) == sorted(through_relations, key=lambda r: r["id"])
    mine = next(r for r in listed if r["id"] == str(contact.pk))
    assert mine["goals"] == sorted(str(g.pk) for g in goals)
    assert mine["ingredients"] == [str(ingredient.pk)]
    assert len(mine["focus_areas"]) == 2


def test_the_contacts_list_reads_the_links_in_one_query_and_not_her_intake(world) -> None:
    record_contact(
        world.rosa_enrolment,
        by=world.alice,
        happened_on=timezone.localdate(),
        duration_minutes=30,
        kind="counselling",
        focus_areas=list(FocusArea.objects.filter(program=world.program)[:1]),
        note="About the court date.",
    )
    with CaptureQueriesContext(connection) as captured:
        answer = api(world.alice).get("/api/v1/contacts/")
    assert answer.status_code == 200
    assert len(answer.json()["results"]) == 1
    sql = [q["sql"] for q in captured.captured_queries]
    links = [s for s in sql if "casework_contact_focus_areas" in s]
    assert len(links) == 1
    assert "plans_goal_contacts" in links[0]
    assert "casework_contact_ingredients" in links[0]
    assert not any("eligibility_reason" in s for s in sql if s.startswith("SELECT"))


def test_a_peer_mentors_contacts_list_does_not_read_the_notes(world) -> None:
    record_contact(
        world.rosa_enrolment,
        by=world.pat,
        happened_on=timezone.localdate(),
        duration_minutes=20,
        kind="peer",
        focus_areas=[],
        note="",
    )
    with CaptureQueriesContext(connection) as captured:
        answer = api(world.pat).get("/api/v1/contacts/")
    assert answer.status_code == 200
    results = answer.json()["results"]
    assert results
    assert all(r["note"] is None and r["goals"] is None for r in results)
    selected = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT")]
    assert not any('"casework_contact"."note"' in s for s in selected)
    assert Enrolment.objects.filter(pk=world.rosa_enrolment.pk).exists()
