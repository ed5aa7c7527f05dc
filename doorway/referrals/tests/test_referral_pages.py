"""The referral pages and the enrolment-page section, by role; the caseload rule."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from doorway.conftest import World
from doorway.enrolments.models import Enrolment
from doorway.people.actions import give_consent
from doorway.people.models import ConsentKind
from doorway.referrals.actions import make_referral, update_referral
from doorway.referrals.due import referrals_without_news
from doorway.referrals.models import Referral
from doorway.testing.factories import PartnerFactory
from doorway.testing.forms import post_form
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db


def days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


@pytest.fixture
def housing(world: World):
    return PartnerFactory(agency=world.agency, name="Safe Harbour Housing", services=["housing"])


@pytest.fixture
def legal(world: World):
    return PartnerFactory(agency=world.agency, name="Street Law Clinic", services=["legal"])


def refer(world: World, partner, made_on=None, enrolment=None, **kw) -> Referral:
    return make_referral(
        enrolment or world.rosa_enrolment,
        by=world.alice,
        partner=partner,
        service_kind=partner.services[0] if partner.services else "other",
        shares_information=False,
        made_on=made_on or days_ago(3),
        **kw,
    )


def enrolment_page(world: World) -> str:
    return reverse("enrolment_detail", args=[world.rosa_enrolment.pk])


def make_url(world: World) -> str:
    return reverse("referral_make", args=[world.rosa_enrolment.pk])


def test_a_case_manager_makes_a_referral_from_the_form(client, world: World, housing) -> None:
    signed_in(client, world.alice)
    response = client.post(
        make_url(world),
        {"service_kind": "housing", "partner": housing.pk, "made_on": days_ago(1).isoformat()},
    )
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert (referral.partner, referral.made_by) == (housing, world.alice)
    page = client.get(enrolment_page(world)).content.decode()
    assert "Safe Harbour Housing" in page
    assert "Made" in page


def test_partners_are_filtered_by_the_chosen_service(client, world: World, housing, legal) -> None:
    signed_in(client, world.alice)
    fragment = client.get(
        make_url(world), {"service_kind": "legal"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Street Law Clinic" in fragment
    assert "Safe Harbour Housing" not in fragment
    assert "<html" not in fragment
    # Without JavaScript every partner is listed, and a mismatch is refused by name.
    page = client.get(make_url(world)).content.decode()
    assert "Street Law Clinic" in page
    assert "Safe Harbour Housing" in page
    response = client.post(
        make_url(world),
        {"service_kind": "legal", "partner": housing.pk, "made_on": days_ago(1).isoformat()},
    )
    assert response.status_code == 200
    assert Referral.objects.count() == 0


def test_a_partner_already_chosen_stays_chosen_when_the_list_is_filtered(
    client, world: World, housing, legal
) -> None:
    signed_in(client, world.alice)

    def fragment(kind: str) -> str:
        return client.get(
            make_url(world),
            {"service_kind": kind, "partner": str(legal.pk)},
            HTTP_HX_REQUEST="true",
        ).content.decode()

    assert f'<option value="{legal.pk}" selected>' in fragment("legal")
    # A partner that does not offer the new kind is not kept.
    assert "selected>" not in fragment("housing").replace('value="" selected>', "")


def test_a_sharing_referral_without_consent_is_refused_on_the_form(
    client, world: World, housing
) -> None:
    signed_in(client, world.alice)
    response = client.post(
        make_url(world),
        {
            "service_kind": "housing",
            "partner": housing.pk,
            "shares_information": "on",
            "made_on": days_ago(1).isoformat(),
            "note": "Kept when refused",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "She has no consent to share her information with Safe Harbour Housing" in page
    assert 'id="referral_shares_information-errors"' in page
    assert "Kept when refused" in page
    assert Referral.objects.count() == 0
    give_consent(
        world.rosa,
        kind=ConsentKind.INFORMATION_SHARING,
        partner=housing,
        given_on=days_ago(5),
        by=world.alice,
    )
    # The form says which partners she consents to.
    assert "In force today: Safe Harbour Housing" in client.get(make_url(world)).content.decode()


def test_the_status_is_updated_from_the_referral_page(client, world: World, housing) -> None:
    referral = refer(world, housing)
    signed_in(client, world.amira)
    detail = reverse("referral_detail", args=[world.rosa_enrolment.pk, referral.pk])
    page = client.get(detail).content.decode()
    assert "Accepted" in page
    assert "Service received" not in page
    update = reverse("referral_update", args=[world.rosa_enrolment.pk, referral.pk])
    response = post_form(
        client, update, {"status": "service_received", "dated_on": days_ago(1)}, page=detail
    )
    assert "A referral that is made cannot become service received." in response.content.decode()
    response = post_form(
        client, update, {"status": "accepted", "dated_on": days_ago(1), "note": "Yes"}, page=detail
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == "accepted"


def test_a_peer_mentor_never_sees_referrals(client, world: World, housing) -> None:
    referral = refer(world, housing)
    signed_in(client, world.pat)
    page = client.get(enrolment_page(world)).content.decode()
    assert "Referrals" not in page
    assert "Safe Harbour Housing" not in page
    detail = reverse("referral_detail", args=[world.rosa_enrolment.pk, referral.pk])
    assert client.get(detail).status_code == 403
    assert client.get(make_url(world)).status_code == 403


def test_a_referral_with_no_news_for_two_weeks_says_so(
    client, world: World, housing, legal
) -> None:
    refer(world, housing, made_on=days_ago(20))
    quiet = refer(world, legal, made_on=days_ago(30))
    update_referral(quiet, by=world.alice, status="accepted", dated_on=days_ago(13))
    closed = refer(world, legal, made_on=days_ago(29))
    update_referral(closed, by=world.alice, status="declined", dated_on=days_ago(25))
    signed_in(client, world.alice)
    page = client.get(enrolment_page(world)).content.decode()
    assert page.count("No news for") == 1
    assert "No news for 20 days" in page


@pytest.mark.parametrize("count", [2, 20])
def test_the_referrals_section_costs_the_same_for_2_or_20(
    client, world: World, housing, count: int, django_assert_max_num_queries
) -> None:
    from doorway.referrals.views import referrals_section

    for n in range(count):
        referral = refer(world, housing, made_on=days_ago(n + 1))
        if n % 2:
            update_referral(referral, by=world.alice, status="accepted", dated_on=days_ago(n))
    signed_in(client, world.alice)
    request = client.get(enrolment_page(world)).wsgi_request
    with django_assert_max_num_queries(1):
        section = referrals_section(request, world.rosa_enrolment)
    assert section is not None
    assert len(section["referrals_rows"]) == count


# --- the caseload rule --------------------------------------------------------------


def test_an_open_referral_is_due_for_news_two_weeks_after_its_last_update(
    world: World, housing, legal
) -> None:
    made = refer(world, housing, made_on=days_ago(20))
    moved = refer(world, legal, made_on=days_ago(10))
    update_referral(moved, by=world.alice, status="accepted", dated_on=days_ago(2))
    ended = refer(world, legal, made_on=days_ago(9))
    update_referral(ended, by=world.alice, status="no_show", dated_on=days_ago(8))
    dues = {d.subject_id: d for d in referrals_without_news([world.rosa_enrolment])}
    assert set(dues) == {made.pk, moved.pk}
    assert dues[made.pk].due_on == days_ago(6)
    assert dues[moved.pk].due_on == days_ago(2) + datetime.timedelta(days=14)
    assert dues[made.pk].label == "Housing referral to Safe Harbour Housing"
    assert dues[made.pk].kind == "referral_news"
    assert dues[made.pk].enrolment_id == world.rosa_enrolment.pk


def test_the_due_date_moves_with_the_clock_and_the_news(world: World, housing) -> None:
    referral = refer(world, housing, made_on=days_ago(0))
    (due,) = referrals_without_news([world.rosa_enrolment])
    with time_machine.travel(due.due_on + datetime.timedelta(days=1), tick=False):
        update_referral(referral, by=world.alice, status="accepted", dated_on=timezone.localdate())
        (later,) = referrals_without_news([world.rosa_enrolment])
        assert later.due_on == timezone.localdate() + datetime.timedelta(days=14)


def test_nobody_is_asked_for_news_of_a_referral_after_she_left(world: World, housing) -> None:
    refer(world, housing, made_on=days_ago(20))
    assert len(list(referrals_without_news([world.rosa_enrolment]))) == 1
    world.rosa_enrolment.exit("withdrew", by=world.alice, reason="Moved away")
    assert list(referrals_without_news([world.rosa_enrolment])) == []


@pytest.mark.parametrize("count", [2, 20])
def test_the_rule_costs_one_query_for_any_number_of_enrolments(
    world: World, housing, count: int, django_assert_max_num_queries
) -> None:
    enrolments = list(Enrolment.objects.all())
    for n in range(count):
        refer(world, housing, made_on=days_ago(n))
    with django_assert_max_num_queries(1):
        dues = list(referrals_without_news(enrolments))
    assert len(dues) == count
