"""Referrals in the API: reached through her enrolment, read by the care team only,
made and moved through the actions (her consent to share enforced), next steps with
If-Match, reads audited."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from doorway.audit.models import AuditEntry
from doorway.conftest import World
from doorway.people.actions import give_consent, withdraw_consent
from doorway.people.models import BreakGlass, ConsentKind
from doorway.programs.models import PartnerAgency
from doorway.referrals.actions import make_referral
from doorway.referrals.models import Referral, ReferralUpdate
from doorway.testing.factories import EnrolmentFactory, ParticipantFactory, PartnerFactory
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db

REFERRALS = "/api/v1/referrals/"
NOTE = "Her sister will drive her to the intake."


def api(user: Any) -> APIClient:
    client = APIClient()
    signed_in(client, user)
    return client


def one(pk: Any, action: str = "") -> str:
    return f"{REFERRALS}{pk}/" + (f"{action}/" if action else "")


def days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


@pytest.fixture
def partner(world: World) -> PartnerAgency:
    return PartnerFactory(agency=world.agency, name="Safe Harbour Housing", services=["housing"])


def refer(world: World, partner: PartnerAgency, enrolment: Any = None, **kw: Any) -> Referral:
    values: dict[str, Any] = {
        "by": world.alice,
        "partner": partner,
        "service_kind": "housing",
        "shares_information": False,
        "made_on": days_ago(10),
        "note": NOTE,
    }
    values.update(kw)
    return make_referral(enrolment or world.rosa_enrolment, **values)


def body(world: World, to: PartnerAgency, **changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "enrolment": str(world.rosa_enrolment.pk),
        "partner": str(to.pk),
        "service_kind": "housing",
        "made_on": days_ago(1).isoformat(),
    }
    values.update(changes)
    return values


def snapshot() -> tuple[object, ...]:
    return (
        tuple(Referral.objects.order_by("pk").values_list("pk", "status", "status_on")),
        ReferralUpdate.objects.count(),
    )


def share_consent(world: World, partner: PartnerAgency) -> Any:
    return give_consent(
        world.rosa,
        kind=ConsentKind.INFORMATION_SHARING,
        partner=partner,
        given_on=days_ago(20),
        by=world.alice,
    )


# --- reading ----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["alice", "amira", "morgan"])
def test_the_care_team_lists_and_reads_her_referrals_audited(world, partner, who) -> None:
    referral = refer(world, partner)
    client = api(world.staff()[who])
    rows = client.get(REFERRALS).json()["results"]
    assert [r["id"] for r in rows] == [str(referral.pk)]
    assert rows[0]["updates"][0]["note"] == NOTE
    assert AuditEntry.objects.get(action="list", actor_username=who).detail["shown"] == [
        str(world.rosa.pk)
    ]
    read = client.get(one(referral.pk))
    assert read.status_code == 200
    assert read.json()["next_statuses"] == ["accepted", "declined", "no_show", "closed"]
    assert AuditEntry.objects.filter(
        action="view", actor_username=who, object_id=str(referral.pk)
    ).exists()


@pytest.mark.parametrize("who", ["bianca", "olive", "oscar", "ada"])
def test_whoever_does_not_reach_her_sees_none_and_asking_is_404_audited(
    world, partner, who
) -> None:
    referral = refer(world, partner)
    client = api(world.staff()[who])
    assert client.get(REFERRALS).json()["results"] == []
    response = client.get(one(referral.pk))
    assert response.status_code == 404
    assert NOTE not in response.content.decode()
    assert AuditEntry.objects.filter(
        action="refused", actor_username=who, detail__object_id=str(referral.pk)
    ).exists()


@pytest.mark.parametrize("who", ["pat", "eve"])
def test_a_peer_mentor_or_an_evaluator_never_sees_or_makes_a_referral(world, partner, who) -> None:
    referral = refer(world, partner)
    etag = api(world.alice).get(one(referral.pk))["ETag"]
    client = api(world.staff()[who])
    before = snapshot()
    responses = [
        client.get(REFERRALS),
        client.get(one(referral.pk)),
        client.post(REFERRALS, body(world, partner), format="json"),
        client.post(
            one(referral.pk, "updates"),
            {"status": "accepted", "dated_on": days_ago(0).isoformat()},
            format="json",
            HTTP_IF_MATCH=etag,
        ),
    ]
    for response in responses:
        assert response.status_code == 403
        assert "Safe Harbour" not in response.content.decode()
    assert snapshot() == before


def test_an_administrator_with_broken_glass_reads_and_never_writes(world, partner) -> None:
    referral = refer(world, partner)
    BreakGlass.objects.create(
        user=world.ada,
        participant=world.rosa,
        reason="She asked for a copy of her record at the front desk.",
        expires_at=timezone.now() + datetime.timedelta(minutes=30),
    )
    client = api(world.ada)
    read = client.get(one(referral.pk))
    assert read.status_code == 200
    before = snapshot()
    refused = client.post(
        one(referral.pk, "updates"),
        {"status": "accepted", "dated_on": days_ago(0).isoformat()},
        format="json",
        HTTP_IF_MATCH=read["ETag"],
    )
    assert refused.status_code == 403
    assert client.post(REFERRALS, body(world, partner), format="json").status_code == 403
    assert snapshot() == before


def test_referrals_filter_by_status_partner_and_participant(world, partner) -> None:
    referral = refer(world, partner)
    client = api(world.alice)

    def ids(**query: str) -> set[str]:
        response = client.get(REFERRALS, query)
        assert response.status_code == 200, response.content
        return {r["id"] for r in response.json()["results"]}

    assert ids(status="made", partner=str(partner.pk)) == {str(referral.pk)}
    assert ids(status="closed") == set()
    assert ids(participant=str(world.tess.pk)) == set()
    assert ids(made_on_before=days_ago(11).isoformat()) == set()
    assert client.get(REFERRALS, {"status": "lost"}).status_code == 400


def test_the_list_takes_as_many_queries_for_twenty_as_for_one(
    world, partner, django_assert_max_num_queries
) -> None:
    refer(world, partner)
    client = api(world.alice)
    with CaptureQueriesContext(connection) as one_row:
        assert len(client.get(REFERRALS).json()["results"]) == 1
    for _ in range(19):
        person = ParticipantFactory(agency=world.agency, registered_by=world.alice)
        enrolment = EnrolmentFactory(
            participant=person, cycle=world.rosa_enrolment.cycle, case_manager=world.alice
        )
        refer(world, partner, enrolment)
    with django_assert_max_num_queries(len(one_row.captured_queries)):
        assert len(client.get(REFERRALS).json()["results"]) == 20


# --- making one --------------------------------------------------------------------------


def test_her_case_manager_refers_her(world, partner) -> None:
    response = api(world.alice).post(
        REFERRALS, body(world, partner, note="Call first"), format="json"
    )
    assert response.status_code == 201, response.content
    referral = Referral.objects.get()
    assert (referral.status, referral.partner) == ("made", partner)
    assert response.json()["updates"][0]["note"] == "Call first"
    assert AuditEntry.objects.filter(action="create", object_id=str(referral.pk)).exists()


def test_sharing_her_information_needs_her_consent_for_that_partner(world, partner) -> None:
    client = api(world.alice)
    refused = client.post(REFERRALS, body(world, partner, shares_information=True), format="json")
    assert refused.status_code == 400
    assert "shares_information" in refused.json()["errors"]
    assert not Referral.objects.exists()
    share_consent(world, partner)
    made = client.post(REFERRALS, body(world, partner, shares_information=True), format="json")
    assert made.status_code == 201, made.content


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"service_kind": "astrology"}, "service_kind"),
        ({"made_on": "2999-01-01"}, "made_on"),
        ({"made_on": "2000-01-01"}, "made_on"),
        ({"partner": "00000000-0000-0000-0000-000000000000"}, "partner"),
        ({"service_kind": "legal"}, "partner"),
    ],
)
def test_a_bad_referral_is_refused_by_field_and_nothing_is_saved(
    world, partner, changes, field
) -> None:
    response = api(world.alice).post(REFERRALS, body(world, partner, **changes), format="json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert field in response.json()["errors"]
    assert not Referral.objects.exists()


def test_a_partner_of_another_agency_is_refused(world) -> None:
    elsewhere = PartnerFactory(agency=world.other_agency, services=["housing"])
    response = api(world.alice).post(REFERRALS, body(world, elsewhere), format="json")
    assert response.status_code == 400
    assert "partner" in response.json()["errors"]


@pytest.mark.parametrize("who", ["bianca", "oscar"])
def test_referring_someone_out_of_reach_is_404_audited(world, partner, who) -> None:
    response = api(world.staff()[who]).post(REFERRALS, body(world, partner), format="json")
    assert response.status_code == 404
    assert not Referral.objects.exists()
    assert AuditEntry.objects.filter(
        action="refused", actor_username=who, detail__object_id=str(world.rosa_enrolment.pk)
    ).exists()


# --- its next steps: If-Match ------------------------------------------------------------


def step(client: APIClient, referral: Referral, etag: str | None, status: str) -> Any:
    headers: dict[str, Any] = {"HTTP_IF_MATCH": etag} if etag else {}
    return client.post(
        one(referral.pk, "updates"),
        {"status": status, "dated_on": days_ago(0).isoformat()},
        format="json",
        **headers,
    )


def test_a_next_step_is_recorded_with_the_referrals_etag(world, partner) -> None:
    referral = refer(world, partner)
    client = api(world.alice)
    etag = client.get(one(referral.pk))["ETag"]
    response = step(client, referral, etag, "accepted")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "accepted"
    assert response["ETag"] != etag
    assert AuditEntry.objects.filter(action="change", object_id=str(referral.pk)).exists()


def test_two_people_recording_news_at_once_the_second_is_refused(world, partner) -> None:
    referral = refer(world, partner)
    alice, morgan = api(world.alice), api(world.morgan)
    etag = alice.get(one(referral.pk))["ETag"]
    assert morgan.get(one(referral.pk))["ETag"] == etag
    assert step(alice, referral, etag, "accepted").status_code == 200
    second = step(morgan, referral, etag, "closed")
    assert second.status_code == 412
    referral.refresh_from_db()
    assert referral.status == "accepted"
    assert referral.updates.count() == 2


def test_a_next_step_without_if_match_is_428_and_a_wrong_one_400(world, partner) -> None:
    referral = refer(world, partner)
    client = api(world.alice)
    before = snapshot()
    assert step(client, referral, None, "accepted").status_code == 428
    etag = client.get(one(referral.pk))["ETag"]
    wrong = step(client, referral, etag, "service_received")
    assert wrong.status_code == 400
    assert "status" in wrong.json()["errors"]
    assert snapshot() == before


def test_after_she_withdraws_consent_a_sharing_step_is_refused_and_closing_allowed(
    world, partner
) -> None:
    consent = share_consent(world, partner)
    referral = refer(world, partner, shares_information=True)
    withdraw_consent(consent, on=days_ago(1), by=world.alice)
    client = api(world.alice)
    etag = client.get(one(referral.pk))["ETag"]
    refused = step(client, referral, etag, "accepted")
    assert refused.status_code == 400
    assert "status" in refused.json()["errors"]
    referral.refresh_from_db()
    assert referral.status == "made"
    closed = step(client, referral, etag, "closed")
    assert closed.status_code == 200, closed.content


def test_referring_her_after_she_left_is_refused_as_a_whole(world, partner) -> None:
    from doorway.casework.tests.helpers import graduated

    graduated(world.rosa_enrolment)
    response = api(world.alice).post(REFERRALS, body(world, partner), format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["non_field_errors"]
    assert not Referral.objects.exists()
