"""Referral links: a partner reads what her consent allows and answers without an
account; the link reveals nothing once expired, revoked, spent, or once her consent to
share lapses or is withdrawn; every opening is audited and logged as a disclosure."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from doorway.audit.models import AuditEntry
from doorway.conftest import World
from doorway.disclosures.models import Channel, Disclosure
from doorway.people.actions import withdraw_consent
from doorway.people.models import ConsentKind, SharingScope
from doorway.plans.models import Goal, ServicePlan
from doorway.programs.models import FocusArea
from doorway.referrals.actions import make_referral, update_referral
from doorway.referrals.due import referrals_without_news
from doorway.referrals.links import LINK_DAYS, make_link, revoke_link
from doorway.referrals.models import PartnerLink, Referral, ReferralStatus, token_digest
from doorway.testing.factories import ConsentFactory, PartnerFactory
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db

PHONE = "555-0142"


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def housing(world: World):
    return PartnerFactory(agency=world.agency, name="Safe Harbour Housing", services=["housing"])


def days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


def consent(world: World, partner, scope=None, **kw):
    return ConsentFactory(
        participant=world.rosa,
        kind=ConsentKind.INFORMATION_SHARING,
        partner=partner,
        scope=list(scope if scope is not None else SharingScope.values),
        given_on=days_ago(30),
        recorded_by=world.alice,
        **kw,
    )


def refer(world: World, partner, *, shares=False, made_on=None, enrolment=None) -> Referral:
    return make_referral(
        enrolment or world.rosa_enrolment,
        by=world.alice,
        partner=partner,
        service_kind="housing",
        shares_information=shares,
        made_on=made_on or days_ago(3),
    )


def link_url(token: str) -> str:
    return reverse("partner_link", args=[token])


@pytest.fixture
def rosa_contact(world: World):
    world.rosa.phone = PHONE
    world.rosa.safe_contact = "Text only, never after 6 pm."
    world.rosa.save()
    return world.rosa


def opened(link: PartnerLink) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action="partner_opened", object_id=str(link.pk)))


# --- what it shows ---------------------------------------------------------------------


def test_a_referral_without_sharing_shows_only_its_own_facts(
    client, world: World, housing, rosa_contact
) -> None:
    link, token = make_link(refer(world, housing), by=world.alice)
    response = client.get(link_url(token))
    assert response.status_code == 200
    page = response.content.decode()
    assert world.rosa.code in page
    assert "Housing" in page
    assert "Rosa" not in page
    assert PHONE not in page
    assert "She has not agreed to share more with you" in page
    # Audited with no actor, and in her disclosure log: the referral's facts only.
    [entry] = opened(link)
    assert entry.actor_id == ""
    assert entry.participant_id == str(world.rosa.pk)
    [disclosure] = Disclosure.objects.filter(participant=world.rosa)
    assert disclosure.channel == Channel.PARTNER_LINK
    assert disclosure.what == ["referral"]
    assert disclosure.partner == housing
    assert disclosure.by is None


def test_a_sharing_referral_shows_what_her_consent_names_and_nothing_else(
    client, world: World, housing, rosa_contact
) -> None:
    given = consent(world, housing, scope=[SharingScope.CONTACT_DETAILS])
    referral = refer(world, housing, shares=True)
    area = FocusArea.objects.filter(program=world.program).first() or FocusArea.objects.create(
        program=world.program, name="Housing", slug="housing-h3"
    )
    plan = ServicePlan.objects.create(
        enrolment=world.rosa_enrolment,
        agreed_on=days_ago(10),
        her_words="A place of my own",
        created_by=world.alice,
    )
    Goal.objects.create(plan=plan, focus_area=area, her_words="Sign a lease by spring")
    _, token = make_link(referral, by=world.alice)

    page = client.get(link_url(token)).content.decode()
    assert "Rosa" in page
    assert PHONE in page
    assert "Text only, never after 6 pm." in page
    assert "Sign a lease by spring" not in page
    [disclosure] = Disclosure.objects.filter(participant=world.rosa, channel="partner_link")
    assert disclosure.what == ["referral", SharingScope.CONTACT_DETAILS]
    assert disclosure.consent == given

    # Her wider consent, later: the plan's goals too.
    given.scope = list(SharingScope.values)
    given.save()
    page = client.get(link_url(token)).content.decode()
    assert "Sign a lease by spring" in page


def test_the_page_is_private_and_outside_any_staff_session(client, world: World, housing) -> None:
    link, token = make_link(refer(world, housing), by=world.alice)
    signed_in(client, world.alice)
    response = client.get(link_url(token))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "same-origin"
    assert "noindex" in response["X-Robots-Tag"]
    # Opened by a partner, whoever's browser: the audit names no one.
    assert [e.actor_id for e in opened(link)] == [""]


# --- when it shows nothing ---------------------------------------------------------------


def dead(client: Client, token: str, link: PartnerLink) -> None:
    before = (len(opened(link)), Disclosure.objects.count())
    response = client.get(link_url(token))
    assert response.status_code == 410
    page = response.content.decode()
    assert "This link no longer works" in page
    assert "Rosa" not in page
    assert PHONE not in page
    link.referral.enrolment.participant.refresh_from_db()
    assert link.referral.enrolment.participant.code not in page
    # Nothing shown, nothing disclosed.
    assert (len(opened(link)), Disclosure.objects.count()) == before
    # And nothing can be answered.
    status = Referral.objects.get(pk=link.referral_id).status
    assert client.post(link_url(token), {"answer": "accepted"}).status_code == 410
    assert Referral.objects.get(pk=link.referral_id).status == status


def test_an_expired_link_shows_nothing(client, world: World, housing, rosa_contact) -> None:
    link, token = make_link(refer(world, housing), by=world.alice)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=LINK_DAYS, minutes=1)):
        dead(client, token, link)


def test_a_revoked_link_shows_nothing(client, world: World, housing, rosa_contact) -> None:
    link, token = make_link(refer(world, housing), by=world.alice)
    revoke_link(link, by=world.amira)
    dead(client, token, link)


def test_an_answered_link_is_spent(client, world: World, housing, rosa_contact) -> None:
    link, token = make_link(refer(world, housing), by=world.alice)
    assert client.get(link_url(token)).status_code == 200
    assert client.get(link_url(token)).status_code == 200  # open it again: still there
    assert client.post(link_url(token), {"answer": "accepted"}).status_code == 200
    dead(client, token, link)


def test_a_withdrawn_consent_stops_the_link(client, world: World, housing, rosa_contact) -> None:
    given = consent(world, housing)
    link, token = make_link(refer(world, housing, shares=True), by=world.alice)
    assert PHONE in client.get(link_url(token)).content.decode()
    withdraw_consent(given, on=timezone.localdate(), by=world.alice)
    dead(client, token, link)


def test_a_lapsed_consent_stops_the_link(client, world: World, housing, rosa_contact) -> None:
    consent(world, housing, ends_on=timezone.localdate() + datetime.timedelta(days=1))
    link, token = make_link(refer(world, housing, shares=True), by=world.alice)
    assert PHONE in client.get(link_url(token)).content.decode()
    with time_machine.travel(timezone.now() + datetime.timedelta(days=1)):
        dead(client, token, link)


def test_a_referral_closed_by_the_worker_stops_the_link(
    client, world: World, housing, rosa_contact
) -> None:
    referral = refer(world, housing)
    link, token = make_link(referral, by=world.alice)
    update_referral(referral, by=world.alice, status="closed", dated_on=timezone.localdate())
    dead(client, token, link)


# --- tokens ----------------------------------------------------------------------------


def test_only_the_digest_is_kept_and_looked_up(client, world: World, housing) -> None:
    link, token = make_link(refer(world, housing), by=world.alice)
    assert len(token) >= 43  # 256 bits, URL-safe
    link.refresh_from_db()
    assert link.token_digest == token_digest(token) != token
    assert not PartnerLink.objects.filter(token_digest=token).exists()
    with CaptureQueriesContext(connection) as queries:
        client.get(link_url(token))
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    # The database is asked for the digest, never for the token itself.
    assert token not in sql
    assert token_digest(token) in sql
    # Nor does the audit log keep it in the path it records.
    assert AuditEntry.objects.filter(action="partner_opened", path="/r/…/").exists()


def test_a_guessed_token_finds_nothing_and_says_nothing(client, world: World, housing) -> None:
    _, token = make_link(refer(world, housing), by=world.alice)
    guesses = [token[:-1] + ("A" if token[-1] != "A" else "B"), "x" * 43, "x" * 500]
    for guess in guesses:
        response = client.get(link_url(guess))
        assert response.status_code == 404
        assert "This link does not work" in response.content.decode()
        assert client.post(link_url(guess), {"answer": "accepted"}).status_code == 404
    assert not AuditEntry.objects.filter(action="partner_opened").exists()
    assert Referral.objects.get().status == ReferralStatus.MADE


def test_too_many_guesses_from_one_address_wait(client, world: World, housing) -> None:
    _, token = make_link(refer(world, housing), by=world.alice)
    for n in range(20):
        assert client.get(link_url(f"guess-{n}")).status_code == 404
    response = client.get(link_url(token))
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    # Another address is not held back.
    assert Client(REMOTE_ADDR="10.0.0.9").get(link_url(token)).status_code == 200


def test_a_token_answers_its_own_referral_only(client, world: World, housing) -> None:
    mine = refer(world, housing)
    other = refer(world, housing)
    _, token = make_link(mine, by=world.alice)
    make_link(other, by=world.alice)
    response = client.post(
        link_url(token), {"answer": "declined", "reason": "Full", "referral": str(other.pk)}
    )
    assert response.status_code == 200
    mine.refresh_from_db()
    other.refresh_from_db()
    assert mine.status == ReferralStatus.DECLINED
    assert other.status == ReferralStatus.MADE


def test_the_answer_form_needs_its_csrf_token(world: World, housing) -> None:
    _, token = make_link(refer(world, housing), by=world.alice)
    browser = Client(enforce_csrf_checks=True)
    assert browser.post(link_url(token), {"answer": "accepted"}).status_code == 403
    assert Referral.objects.get().status == ReferralStatus.MADE


# --- answers ---------------------------------------------------------------------------


def test_a_decline_lands_on_the_referral_with_its_reason_and_clears_no_news(
    client, world: World, housing
) -> None:
    referral = refer(world, housing, made_on=days_ago(20))
    [due] = referrals_without_news([world.rosa_enrolment])
    assert due.due_on < timezone.localdate()
    link, token = make_link(referral, by=world.amira)

    refused = client.post(link_url(token), {"answer": "declined", "reason": "  "})
    assert refused.status_code == 400
    assert "Say why you decline" in refused.content.decode()
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.MADE

    response = client.post(link_url(token), {"answer": "declined", "reason": "No beds"})
    assert response.status_code == 200
    assert "Thank you" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.DECLINED
    assert referral.status_on == timezone.localdate()
    update = referral.updates.get(status="declined")
    assert update.via_link_id == link.pk
    assert update.recorded_by == world.amira  # who made the link answers for it
    assert update.note == "No beds"
    # Declined is final: no more news to chase.
    assert referrals_without_news([world.rosa_enrolment]) == []
    answered = [e for e in opened(link) if e.detail.get("answered")]
    assert [e.detail["answered"] for e in answered] == ["declined"]
    assert answered[0].actor_id == ""


def test_accepted_then_a_new_link_confirms_she_attended(client, world: World, housing) -> None:
    referral = refer(world, housing, made_on=days_ago(20))
    _, token = make_link(referral, by=world.alice)
    page = client.get(link_url(token)).content.decode()
    assert "She attended her first appointment" not in page
    assert client.post(link_url(token), {"answer": "accepted"}).status_code == 200
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED
    [due] = referrals_without_news([world.rosa_enrolment])
    assert due.due_on > timezone.localdate()

    _, again = make_link(referral, by=world.alice)
    assert "She attended her first appointment" in client.get(link_url(again)).content.decode()
    assert client.post(link_url(again), {"answer": "first_appointment"}).status_code == 200
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.FIRST_APPOINTMENT


def test_an_answer_that_may_not_follow_is_refused(client, world: World, housing) -> None:
    referral = refer(world, housing)
    _, token = make_link(referral, by=world.alice)
    for answer in ("first_appointment", "closed", "service_received", "nonsense"):
        assert client.post(link_url(token), {"answer": answer}).status_code == 400
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.MADE
    assert referral.updates.count() == 1


# --- the worker's side -----------------------------------------------------------------


def test_a_link_is_refused_where_a_partner_has_nothing_to_answer_or_no_consent(
    world: World, housing
) -> None:
    from django.core.exceptions import ValidationError

    sharing = consent(world, housing)
    referral = refer(world, housing, shares=True)
    withdraw_consent(sharing, on=timezone.localdate(), by=world.alice)
    with pytest.raises(ValidationError, match="no consent to share"):
        make_link(referral, by=world.alice)
    plain = refer(world, housing)
    update_referral(plain, by=world.alice, status="closed", dated_on=timezone.localdate())
    with pytest.raises(ValidationError, match="nothing to answer"):
        make_link(plain, by=world.alice)
    assert not PartnerLink.objects.exists()


def test_the_worker_makes_a_link_sees_it_once_and_revokes_it(client, world: World, housing) -> None:
    referral = refer(world, housing)
    signed_in(client, world.alice)
    detail = reverse("referral_detail", args=[world.rosa_enrolment.pk, referral.pk])
    assert "Make a link for the partner" in client.get(detail).content.decode()
    response = client.post(
        reverse("referral_link_make", args=[world.rosa_enrolment.pk, referral.pk])
    )
    assert response.status_code == 200
    page = response.content.decode()
    link = PartnerLink.objects.get()
    shown = page.split('id="partner-link" type="text" readonly value="')[1].split('"')[0]
    token = shown.rstrip("/").rsplit("/", 1)[1]
    assert link.token_digest == token_digest(token)
    # Never again: the referral's page lists the link without it.
    again = client.get(detail).content.decode()
    assert token not in again
    assert "Active" in again

    revoke = reverse("referral_link_revoke", args=[world.rosa_enrolment.pk, referral.pk, link.pk])
    assert client.post(revoke).status_code == 302
    link.refresh_from_db()
    assert link.revoked_at is not None
    assert link.revoked_by == world.alice
    assert Client().get(link_url(token)).status_code == 410


def test_a_link_of_another_referral_is_not_revoked_through_this_one(
    client, world: World, housing
) -> None:
    referral = refer(world, housing)
    other = refer(world, housing)
    link, _ = make_link(other, by=world.alice)
    signed_in(client, world.alice)
    url = reverse("referral_link_revoke", args=[world.rosa_enrolment.pk, referral.pk, link.pk])
    assert client.post(url).status_code == 404
    link.refresh_from_db()
    assert link.revoked_at is None


def test_a_peer_mentor_may_not_make_a_link(client, world: World, housing) -> None:
    referral = refer(world, housing)
    signed_in(client, world.pat)
    url = reverse("referral_link_make", args=[world.rosa_enrolment.pk, referral.pk])
    assert client.post(url).status_code == 403
    assert not PartnerLink.objects.exists()


def test_the_partner_page_speaks_french_when_the_browser_asks(
    client, world: World, housing
) -> None:
    _, token = make_link(refer(world, housing), by=world.alice)
    response = client.get(link_url(token), HTTP_ACCEPT_LANGUAGE="fr-CA,fr;q=0.9")
    page = response.content.decode()
    assert 'lang="fr-ca"' in page
    assert "Votre réponse" in page


# --- the API ---------------------------------------------------------------------------


def api_for(user):
    from rest_framework.test import APIClient

    client = APIClient()
    signed_in(client, user)
    return client


def test_the_api_makes_and_revokes_a_link_under_the_same_rules(world: World, housing) -> None:
    referral = refer(world, housing)
    base = f"/api/v1/referrals/{referral.pk}/links/"

    assert api_for(world.pat).post(base).status_code == 403
    assert api_for(world.bianca).post(base).status_code == 404
    assert not PartnerLink.objects.exists()

    made = api_for(world.alice).post(base)
    assert made.status_code == 201, made.content
    url = made.json()["url"]
    token = url.rstrip("/").rsplit("/", 1)[1]
    link = PartnerLink.objects.get()
    assert link.token_digest == token_digest(token)
    assert made.json()["state"] == "active"
    # Listed afterwards, never with its address.
    listed = api_for(world.alice).get(f"/api/v1/referrals/{referral.pk}/").json()
    assert [x["id"] for x in listed["links"]] == [str(link.pk)]
    assert token not in str(listed)

    revoke = f"{base}{link.pk}/revoke/"
    assert api_for(world.pat).post(revoke).status_code == 403
    assert api_for(world.bianca).post(revoke).status_code == 404
    link.refresh_from_db()
    assert link.revoked_at is None
    revoked = api_for(world.amira).post(revoke)
    assert revoked.status_code == 200, revoked.content
    assert revoked.json()["state"] == "revoked"
    assert Client().get(link_url(token)).status_code == 410
    # Revoked already: refused, nothing changed.
    assert api_for(world.amira).post(revoke).status_code == 400


def test_the_api_refuses_a_link_without_her_consent(world: World, housing) -> None:
    given = consent(world, housing)
    referral = refer(world, housing, shares=True)
    withdraw_consent(given, on=timezone.localdate(), by=world.alice)
    response = api_for(world.alice).post(f"/api/v1/referrals/{referral.pk}/links/")
    assert response.status_code == 400
    assert not PartnerLink.objects.exists()
