"""Her copy's page: made by her case team and her program's manager, refused to everyone
else, audited as an export and logged as a disclosure to her; her request recorded
with its answer due 30 days later."""

from __future__ import annotations

import datetime
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from doorway.audit.models import AuditEntry
from doorway.conftest import World
from doorway.disclosures.models import Channel, Disclosure
from doorway.people.actions import break_the_glass
from doorway.subject_access.models import SubjectAccessRequest
from doorway.subject_access.tests.conftest import Seeded
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db


def written(world: World) -> tuple[object, ...]:
    """What making her copy or recording her request writes."""
    return (
        tuple(
            SubjectAccessRequest.objects.filter(participant=world.rosa).values_list(
                "pk", "answered_on"
            )
        ),
        Disclosure.objects.filter(participant=world.rosa).count(),
        AuditEntry.objects.filter(action="export", participant_id=str(world.rosa.pk)).count(),
    )


def test_her_case_manager_finds_her_copy_from_her_record_and_makes_it(
    client, seeded: Seeded
) -> None:
    world = seeded.world
    signed_in(client, world.alice)
    record = client.get(reverse("participant_detail", args=[world.rosa.pk]))
    page_url = reverse("her_copy", args=[world.rosa.pk])
    assert page_url in record.content.decode()
    page = client.get(page_url)
    assert page.status_code == 200
    assert "Her own copy" in page.content.decode()

    made = client.post(
        reverse("her_copy_make", args=[world.rosa.pk]),
        {"format": "pdf", "answers": str(seeded.request.pk)},
    )
    assert made.status_code == 200
    assert made["Content-Type"] == "application/pdf"
    assert made.content.startswith(b"%PDF")
    assert world.rosa.code in made["Content-Disposition"]
    assert "Rosa" not in made["Content-Disposition"]
    export = AuditEntry.objects.get(action="export", participant_id=str(world.rosa.pk))
    assert export.actor_id == str(world.alice.pk)
    assert export.detail["export"] == "her_copy"
    disclosure = Disclosure.objects.get(participant=world.rosa, channel=Channel.SUBJECT_ACCESS)
    assert disclosure.recipient == "her_own_copy"
    assert disclosure.by == world.alice
    assert "identity" in disclosure.what
    assert "disclosure_log" in disclosure.what
    seeded.request.refresh_from_db()
    assert seeded.request.answered_on == timezone.localdate()
    assert seeded.request.answered_by == world.alice


def test_her_program_manager_makes_it_as_json_covering_what_he_reaches(
    client, seeded: Seeded
) -> None:
    world = seeded.world
    signed_in(client, world.morgan)
    made = client.post(reverse("her_copy_make", args=[world.rosa.pk]), {"format": "json"})
    assert made.status_code == 200
    copy = json.loads(made.content)
    assert copy["identity"]["code"] == world.rosa.code
    assert len(copy["enrolments"]) == 1
    seeded.request.refresh_from_db()
    assert seeded.request.answered_on is None  # not said to answer it


@pytest.mark.parametrize("who", ["bianca", "oscar", "olive", "eve", "ada"])
def test_whoever_does_not_reach_her_gets_404_audited_and_nothing_is_made(
    client, seeded: Seeded, who: str
) -> None:
    world = seeded.world
    signed_in(client, world.staff()[who])
    before = written(world)
    for response in (
        client.get(reverse("her_copy", args=[world.rosa.pk])),
        client.post(reverse("her_copy_make", args=[world.rosa.pk]), {"format": "json"}),
        client.post(
            reverse("her_copy_request", args=[world.rosa.pk]),
            {"received_on": timezone.localdate().isoformat()},
        ),
    ):
        assert response.status_code == 404
    assert written(world) == before
    refused = AuditEntry.objects.filter(action="refused", actor_id=str(world.staff()[who].pk))
    assert refused.count() == 3


@pytest.mark.parametrize("who", ["pat", "ada_with_glass"])
def test_a_peer_mentor_and_an_administrator_who_broke_the_glass_are_refused_403(
    client, seeded: Seeded, who: str
) -> None:
    world = seeded.world
    if who == "ada_with_glass":
        break_the_glass(world.rosa, by=world.ada, reason="Court order, checking dates")
        user = world.ada
    else:
        user = world.pat
    signed_in(client, user)
    before = written(world)
    assert client.get(reverse("her_copy", args=[world.rosa.pk])).status_code == 403
    made = client.post(reverse("her_copy_make", args=[world.rosa.pk]), {"format": "pdf"})
    assert made.status_code == 403
    asked = client.post(
        reverse("her_copy_request", args=[world.rosa.pk]),
        {"received_on": timezone.localdate().isoformat()},
    )
    assert asked.status_code == 403
    assert written(world) == before
    # Nor does the link to it show on her record.
    record = client.get(reverse("participant_detail", args=[world.rosa.pk]))
    assert reverse("her_copy", args=[world.rosa.pk]) not in record.content.decode()


def test_her_request_is_recorded_with_its_answer_due_30_days_later(client, world: World) -> None:
    signed_in(client, world.alice)
    asked_on = timezone.localdate() - datetime.timedelta(days=31)
    response = client.post(
        reverse("her_copy_request", args=[world.rosa.pk]), {"received_on": asked_on.isoformat()}
    )
    assert response.status_code == 302
    request = SubjectAccessRequest.objects.get(participant=world.rosa)
    assert request.received_on == asked_on
    assert request.due_on == asked_on + datetime.timedelta(days=30)
    assert request.is_overdue()
    page = client.get(reverse("her_copy", args=[world.rosa.pk])).content.decode()
    assert "Overdue" in page
    assert AuditEntry.objects.filter(
        action="create", participant_id=str(world.rosa.pk), object_id=str(request.pk)
    ).exists()


def test_a_request_dated_in_the_future_is_refused_and_nothing_is_recorded(
    client, world: World
) -> None:
    signed_in(client, world.alice)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(
        reverse("her_copy_request", args=[world.rosa.pk]), {"received_on": tomorrow.isoformat()}
    )
    assert response.status_code == 400
    assert "cannot be in the future" in response.content.decode()
    assert not SubjectAccessRequest.objects.exists()


def test_a_request_of_another_woman_cannot_be_answered_by_her_copy(client, seeded: Seeded) -> None:
    world = seeded.world
    tess_request = SubjectAccessRequest.objects.create(
        participant=world.tess, received_on=timezone.localdate(), recorded_by=world.amira
    )
    signed_in(client, world.alice)
    response = client.post(
        reverse("her_copy_make", args=[world.rosa.pk]),
        {"format": "json", "answers": str(tess_request.pk)},
    )
    assert response.status_code == 400
    tess_request.refresh_from_db()
    assert tess_request.answered_on is None
    assert not Disclosure.objects.filter(channel=Channel.SUBJECT_ACCESS).exists()


def test_an_unknown_format_is_refused_and_nothing_is_made(client, seeded: Seeded) -> None:
    world = seeded.world
    signed_in(client, world.alice)
    before = written(world)
    response = client.post(reverse("her_copy_make", args=[world.rosa.pk]), {"format": "docx"})
    assert response.status_code == 400
    assert written(world) == before
