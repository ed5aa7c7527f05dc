"""A snooze: a reason and a day (at most 30 days ahead), audited, for whoever works from
a caseload and reaches her record; lifted by any of her case team."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from doorway.audit.models import AuditEntry
from doorway.caseload.models import DueItem, Snooze
from doorway.conftest import World
from doorway.enrolments.due import DueKind
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture
def overdue(world: World) -> DueItem:
    return DueItem.objects.create(
        enrolment=world.rosa_enrolment,
        kind=DueKind.CONTACT,
        due_on=timezone.localdate() - 4 * DAY,
        label="Weekly contact",
    )


def post(client, world: World, **fields: str):
    data = {"kind": "contact", "until": (timezone.localdate() + 7 * DAY).isoformat()}
    data.update(fields)
    return client.post(reverse("caseload_snooze", args=[world.rosa_enrolment.pk]), data)


def test_a_snooze_needs_a_reason(client, world: World, overdue: DueItem) -> None:
    signed_in(client, world.alice)
    response = post(client, world, reason="   ")
    assert response.status_code == 400
    assert "Say why, for her case team." in response.content.decode()
    assert not Snooze.objects.exists()


@pytest.mark.parametrize("days", [0, -3, 31, 400])
def test_a_snooze_lasts_from_tomorrow_to_thirty_days(
    client, world: World, overdue: DueItem, days: int
) -> None:
    signed_in(client, world.alice)
    until = (timezone.localdate() + days * DAY).isoformat()
    assert post(client, world, reason="Away", until=until).status_code == 400
    assert not Snooze.objects.exists()


def test_nothing_due_is_nothing_to_snooze(client, world: World, overdue: DueItem) -> None:
    signed_in(client, world.alice)
    response = post(client, world, reason="Away", kind="referral_news")
    assert response.status_code == 400
    assert "nothing to snooze" in response.content.decode()
    assert not Snooze.objects.exists()


def test_a_snooze_is_audited_with_its_reason_kept_out_of_the_detail(
    client, world: World, overdue: DueItem
) -> None:
    signed_in(client, world.amira)
    response = post(client, world, reason="She asked for a week of quiet")
    assert response.status_code == 302
    snooze = Snooze.objects.get()
    assert (snooze.kind, snooze.snoozed_by, snooze.reason) == (
        "contact",
        world.amira,
        "She asked for a week of quiet",
    )
    entry = AuditEntry.objects.filter(object_type="caseload.Snooze", action="create").get()
    assert entry.participant_id == str(world.rosa.pk)
    assert entry.actor_username == "amira"
    assert "quiet" not in str(entry.detail)
    assert entry.reason == "She asked for a week of quiet"

    # Alice lifts it: audited, the row kept with who lifted it.
    lifted = client.post(
        reverse("caseload_lift_snooze", args=[world.rosa_enrolment.pk]),
        {"snooze": str(snooze.pk)},
    )
    assert lifted.status_code == 302
    snooze.refresh_from_db()
    assert snooze.lifted_by == world.amira
    assert not Snooze.objects.in_force().exists()
    assert AuditEntry.objects.filter(
        object_type="caseload.Snooze", object_id=str(snooze.pk), action="change"
    ).exists()


def test_snoozing_again_replaces_the_snooze_in_force(
    client, world: World, overdue: DueItem
) -> None:
    signed_in(client, world.alice)
    post(client, world, reason="Away")
    post(client, world, reason="Away longer", until=(timezone.localdate() + 20 * DAY).isoformat())
    [in_force] = Snooze.objects.in_force()
    assert in_force.reason == "Away longer"
    assert Snooze.objects.count() == 2


def test_a_worker_out_of_reach_is_refused_and_audited(
    client, world: World, overdue: DueItem
) -> None:
    signed_in(client, world.bianca)  # another team's case manager
    before = AuditEntry.objects.filter(action="refused").count()
    assert post(client, world, reason="Away").status_code == 404
    assert AuditEntry.objects.filter(action="refused").count() == before + 1
    signed_in(client, world.pat)  # her peer mentor reaches her, but has no caseload
    assert post(client, world, reason="Away").status_code == 403
    assert not Snooze.objects.exists()


def test_a_snooze_of_another_womans_record_cannot_be_lifted_through_hers(
    client, world: World, overdue: DueItem
) -> None:
    tess_enrolment = world.tess.enrolments.get()
    DueItem.objects.create(
        enrolment=tess_enrolment, kind="contact", due_on=timezone.localdate(), label="x"
    )
    theirs = Snooze.objects.create(
        enrolment=tess_enrolment,
        kind="contact",
        until=timezone.localdate() + 3 * DAY,
        reason="Away",
        snoozed_by=world.amira,
    )
    signed_in(client, world.alice)
    response = client.post(
        reverse("caseload_lift_snooze", args=[world.rosa_enrolment.pk]),
        {"snooze": str(theirs.pk)},
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.lifted_at is None


def test_the_way_back_stays_on_the_caseload(client, world: World, overdue: DueItem) -> None:
    signed_in(client, world.alice)
    away = post(client, world, reason="Away", back="https://elsewhere.example/")
    assert away["Location"] == reverse("caseload")
    filtered = f"{reverse('caseload')}?kind=contact"
    Snooze.objects.all().delete()
    assert post(client, world, reason="Away", back=filtered)["Location"] == filtered
