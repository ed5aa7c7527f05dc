"""Her disclosure log on her record: a section of her page, the whole log's page and the
API list, for those who see case content and reach her; refused to a peer mentor (403)
and to anyone out of reach (404, audited)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from doorway.audit.models import Action, AuditEntry
from doorway.conftest import World
from doorway.disclosures import what
from doorway.disclosures.log import record_disclosure
from doorway.disclosures.models import Channel
from doorway.participants.disclosures.views import SECTION_ROWS
from doorway.people.actions import break_the_glass
from doorway.people.models import ConsentKind, SharingScope
from doorway.testing.factories import ConsentFactory, PartnerFactory
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db

HEADING = "Shared outside Doorway"


def shared_with_partner(world: World, name: str = "Safe Harbour Housing"):
    partner = PartnerFactory(agency=world.agency, name=name)
    consent = ConsentFactory(
        participant=world.rosa,
        kind=ConsentKind.INFORMATION_SHARING,
        partner=partner,
        scope=[SharingScope.CONTACT_DETAILS, SharingScope.PLAN],
        given_on=timezone.localdate() - datetime.timedelta(days=40),
        recorded_by=world.alice,
    )
    return record_disclosure(
        world.rosa,
        channel=Channel.REFERRAL,
        what=consent.scope,
        by=world.alice,
        partner=partner,
        consent=consent,
    )


def printed(world: World, n: int = 1) -> None:
    for _ in range(n):
        record_disclosure(
            world.rosa,
            channel=Channel.PRINT,
            what=[what.PREFERRED_NAME, SharingScope.PLAN],
            by=world.alice,
            recipient=what.PRINTED_FOR_HER,
        )


def her_page(client, world: World) -> str:
    response = client.get(reverse("participant_detail", args=[world.rosa.pk]))
    assert response.status_code == 200
    return response.content.decode()


def log_url(world: World) -> str:
    return reverse("disclosure_list", args=[world.rosa.pk])


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def api_url(participant) -> str:
    return f"/api/v1/participants/{participant.pk}/disclosures/"


# --- her page --------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["alice", "amira", "morgan"])
def test_her_care_team_and_manager_see_what_left_to_whom_under_which_consent(
    client, world: World, who: str
) -> None:
    shared_with_partner(world)
    signed_in(client, world.staff()[who])
    page = her_page(client, world)
    assert HEADING in page
    for shown in (
        "Referral",
        "Contact details: her name, phone and e-mail",
        "Service plan and goals",
        "Safe Harbour Housing",
        "given ",
        "Case manager",
    ):
        assert shown in page, shown


def test_a_peer_mentor_who_mentors_her_does_not_see_the_section(client, world: World) -> None:
    shared_with_partner(world)
    signed_in(client, world.pat)
    page = her_page(client, world)
    assert HEADING not in page
    assert "Safe Harbour Housing" not in page


def test_an_export_row_names_the_downloader_and_no_consent(client, world: World) -> None:
    record_disclosure(
        world.rosa,
        channel=Channel.EXPORT,
        what=[what.PARTICIPANT_CODE, what.CONTACTS],
        by=world.amira,
        recipient=what.DOWNLOADED,
    )
    signed_in(client, world.alice)
    page = her_page(client, world)
    assert "The member of staff who downloaded the file" in page
    assert "None needed" in page
    assert "Her participant code" in page


def test_a_consent_withdrawn_since_is_marked_no_longer_in_force(client, world: World) -> None:
    disclosure = shared_with_partner(world)
    consent = disclosure.consent
    consent.withdrawn_on = timezone.localdate()
    consent.save()
    signed_in(client, world.alice)
    assert "no longer in force" in her_page(client, world)


def test_her_page_shows_the_latest_rows_and_links_to_the_whole_log(client, world: World) -> None:
    printed(world, SECTION_ROWS)
    signed_in(client, world.alice)
    page = her_page(client, world)
    assert page.count('class="disclosure"') == SECTION_ROWS
    assert log_url(world) not in page
    printed(world)
    page = her_page(client, world)
    assert page.count('class="disclosure"') == SECTION_ROWS
    assert log_url(world) in page


# --- the whole log's page --------------------------------------------------------------


def test_the_whole_log_is_paged_and_its_read_audited(client, world: World) -> None:
    printed(world, 30)
    signed_in(client, world.alice)
    response = client.get(log_url(world))
    assert response.status_code == 200
    assert response.content.decode().count('class="disclosure"') == 25
    second = client.get(log_url(world) + "?page=2").content.decode()
    assert second.count('class="disclosure"') == 5
    views = AuditEntry.objects.filter(action=Action.VIEW, participant_id=str(world.rosa.pk))
    assert views.count() == 2


def test_a_peer_mentor_is_refused_the_log(client, world: World) -> None:
    shared_with_partner(world)
    signed_in(client, world.pat)
    response = client.get(log_url(world))
    assert response.status_code == 403
    assert "Safe Harbour Housing" not in response.content.decode()


@pytest.mark.parametrize("who", ["bianca", "olive", "oscar", "eve", "ada"])
def test_anyone_out_of_reach_gets_404_and_the_refusal_is_audited(
    client, world: World, who: str
) -> None:
    shared_with_partner(world)
    signed_in(client, world.staff()[who])
    response = client.get(log_url(world))
    assert response.status_code == 404
    assert "Safe Harbour Housing" not in response.content.decode()
    assert AuditEntry.objects.filter(action=Action.REFUSED).count() == 1


def test_an_administrator_who_broke_the_glass_reads_the_log(client, world: World) -> None:
    shared_with_partner(world)
    break_the_glass(world.rosa, by=world.ada, reason="Subpoena received, checking dates")
    signed_in(client, world.ada)
    response = client.get(log_url(world))
    assert response.status_code == 200
    assert "Safe Harbour Housing" in response.content.decode()


def test_the_log_reads_in_french(client, world: World) -> None:
    shared_with_partner(world)
    signed_in(client, world.alice)
    response = client.get(log_url(world), HTTP_ACCEPT_LANGUAGE="fr-ca")
    page = response.content.decode()
    assert "Communiqué hors de Doorway" in page
    assert "Selon quel consentement" in page
    assert "Under which consent" not in page


# --- the API ---------------------------------------------------------------------------


def test_the_api_lists_her_log_as_the_page_shows_it(world: World) -> None:
    disclosure = shared_with_partner(world)
    response = api(world.alice).get(api_url(world.rosa))
    assert response.status_code == 200
    (row,) = response.json()["results"]
    assert row["id"] == str(disclosure.pk)
    assert row["channel"] == "referral"
    assert row["what"] == ["contact_details", "plan"]
    assert row["partner"]["name"] == "Safe Harbour Housing"
    assert row["consent"]["id"] == str(disclosure.consent_id)
    assert row["consent"]["scope"] == ["contact_details", "plan"]
    assert row["by"]["id"] == str(world.alice.pk)
    entry = AuditEntry.objects.get(action=Action.LIST)
    assert entry.detail["shown"] == [str(world.rosa.pk)]


@pytest.mark.parametrize("who", ["pat", "eve"])
def test_the_api_refuses_roles_that_do_not_see_case_content(world: World, who: str) -> None:
    shared_with_partner(world)
    response = api(world.staff()[who]).get(api_url(world.rosa))
    assert response.status_code == 403
    assert "Safe Harbour" not in response.content.decode()


@pytest.mark.parametrize("who", ["bianca", "olive", "oscar", "ada"])
def test_the_api_answers_404_out_of_reach_and_audits_it(world: World, who: str) -> None:
    shared_with_partner(world)
    response = api(world.staff()[who]).get(api_url(world.rosa))
    assert response.status_code == 404
    assert "Safe Harbour" not in response.content.decode()
    assert AuditEntry.objects.filter(action=Action.REFUSED).count() == 1


def test_the_api_list_runs_as_many_queries_for_many_rows(
    world: World, django_assert_max_num_queries
) -> None:
    shared_with_partner(world)
    client = api(world.alice)
    with django_assert_max_num_queries(30) as one:
        assert len(client.get(api_url(world.rosa)).json()["results"]) == 1
    for n in range(12):
        shared_with_partner(world, name=f"Partner {n}")
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(client.get(api_url(world.rosa)).json()["results"]) == 13


def test_the_log_is_in_the_openapi_schema(world: World) -> None:
    schema = api(world.alice).get("/api/v1/schema/?format=json")
    assert schema.status_code == 200
    assert "/api/v1/participants/{participant_id}/disclosures/" in schema.json()["paths"]
