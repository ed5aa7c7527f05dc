"""Each path by which her information leaves Doorway writes one row of the disclosure
log: what left, to whom, under which consent, by whom; and a refused request writes
none."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from doorway.audit.models import AuditEntry
from doorway.casework.actions import record_contact
from doorway.casework.models import ContactKind
from doorway.conftest import World
from doorway.disclosures import what
from doorway.disclosures.models import Channel, Disclosure
from doorway.dropins.actions import mark_attendance, start_session
from doorway.people.models import Consent, ConsentKind, SharingScope
from doorway.plans.tests.support import plan_for
from doorway.referrals.actions import make_referral
from doorway.testing.factories import ConsentFactory, PartnerFactory
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db


def days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


def share_consent(world: World, partner, scope: list[str], **kw: object) -> Consent:
    return ConsentFactory(
        participant=world.rosa,
        kind=ConsentKind.INFORMATION_SHARING,
        partner=partner,
        scope=scope,
        given_on=days_ago(20),
        recorded_by=world.alice,
        **kw,
    )


@pytest.fixture
def partner(world: World):
    return PartnerFactory(agency=world.agency, name="Safe Harbour Housing", services=["housing"])


def refer(world: World, partner, shares: bool):
    return make_referral(
        world.rosa_enrolment,
        by=world.alice,
        partner=partner,
        service_kind="housing",
        shares_information=shares,
        made_on=days_ago(2),
    )


# --- a referral ------------------------------------------------------------------------


def test_a_referral_that_shares_logs_the_scope_of_her_consent_in_force(
    world: World, partner
) -> None:
    consent = share_consent(world, partner, [SharingScope.CONTACT_DETAILS, SharingScope.PLAN])
    referral = refer(world, partner, shares=True)
    row = Disclosure.objects.get()
    assert row.participant_id == world.rosa.pk
    assert row.channel == Channel.REFERRAL
    assert row.what == ["contact_details", "plan"]
    assert (row.partner, row.consent, row.by) == (partner, consent, world.alice)
    assert (row.source_type, row.source_id) == ("referrals.referral", str(referral.pk))
    entry = AuditEntry.objects.get(action="disclose")
    assert entry.participant_id == str(world.rosa.pk)


def test_the_scope_logged_is_the_consents_at_that_moment_not_a_later_one(
    world: World, partner
) -> None:
    consent = share_consent(world, partner, [SharingScope.CONTACT_DETAILS])
    refer(world, partner, shares=True)
    consent.scope = [SharingScope.CONTACT_DETAILS, SharingScope.ASSESSMENT]
    consent.save()
    assert Disclosure.objects.get().what == ["contact_details"]


def test_a_referral_made_for_any_partner_of_a_kind_logs_that_consent(world: World, partner) -> None:
    consent = share_consent(world, None, [SharingScope.ASSESSMENT], partner_kind="housing")
    refer(world, partner, shares=True)
    row = Disclosure.objects.get()
    assert (row.consent, row.partner, row.what) == (consent, partner, ["assessment"])


def test_a_referral_that_shares_nothing_logs_nothing(world: World, partner) -> None:
    share_consent(world, partner, [SharingScope.CONTACT_DETAILS])
    refer(world, partner, shares=False)
    assert not Disclosure.objects.exists()


def test_a_refused_referral_logs_nothing(world: World, partner) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        refer(world, partner, shares=True)  # no consent to share with this partner
    assert not Disclosure.objects.exists()


# --- exports ---------------------------------------------------------------------------


def test_a_caseload_export_logs_each_woman_in_it_once(client, world: World) -> None:
    signed_in(client, world.alice)
    response = client.get(reverse("export_caseload") + "?as=csv")
    assert response.status_code == 200
    rows = list(Disclosure.objects.all())
    assert [r.participant_id for r in rows] == [world.rosa.pk]
    row = rows[0]
    assert row.channel == Channel.EXPORT
    assert row.what == [what.PARTICIPANT_CODE, what.PHASE, what.CASELOAD_GROUP, what.DUE_ITEMS]
    assert (row.by, row.recipient, row.partner, row.consent) == (
        world.alice,
        what.DOWNLOADED,
        None,
        None,
    )


def test_a_contacts_export_logs_only_the_women_whose_contacts_are_in_it(
    client, world: World
) -> None:
    record_contact(
        world.rosa_enrolment,
        by=world.alice,
        happened_on=days_ago(1),
        duration_minutes=20,
        kind=ContactKind.PHONE_OR_TEXT,
        note="Talked about housing",
    )
    record_contact(
        world.rosa_enrolment,
        by=world.alice,
        happened_on=days_ago(2),
        duration_minutes=20,
        kind=ContactKind.PHONE_OR_TEXT,
        note="Talked about housing",
    )
    signed_in(client, world.amira)  # her teammate reaches Rosa and Tess (no contacts)
    assert client.get(reverse("export_contacts") + "?as=csv").status_code == 200
    row = Disclosure.objects.get()
    assert (row.participant_id, row.what, row.by) == (
        world.rosa.pk,
        [what.PARTICIPANT_CODE, what.CONTACTS],
        world.amira,
    )


def test_an_attendance_export_logs_the_women_shown_by_code_only(client, world: World) -> None:
    session = start_session(world.program, by=world.alice, kind="drop_in", held_on=days_ago(1))
    mark_attendance(session, world.rosa_enrolment, by=world.alice)
    uma = world.uma.enrolments.get()
    mark_attendance(session, uma, by=world.bianca)
    signed_in(client, world.alice)  # Uma is Bianca's, on another team: a count only
    assert client.get(reverse("export_attendance") + "?as=csv").status_code == 200
    row = Disclosure.objects.get()
    assert (row.participant_id, row.what) == (
        world.rosa.pk,
        [what.PARTICIPANT_CODE, what.ATTENDANCE],
    )


def test_a_refused_export_logs_nothing(client, world: World) -> None:
    signed_in(client, world.pat)  # a peer mentor takes no caseload
    assert client.get(reverse("export_caseload") + "?as=csv").status_code == 403
    signed_in(client, world.bianca)  # Rosa is out of her reach
    url = f"{reverse('export_contacts')}?as=csv&enrolment={world.rosa_enrolment.pk}"
    assert client.get(url).status_code == 404
    assert not Disclosure.objects.exists()


# --- a printed plan --------------------------------------------------------------------


def test_printing_her_plan_logs_her_name_and_plan_printed_for_her(client, world: World) -> None:
    plan, _goals = plan_for(world)
    signed_in(client, world.alice)
    url = reverse("plan_print", args=[world.rosa_enrolment.pk])
    assert client.get(url).status_code == 200
    row = Disclosure.objects.get()
    assert row.channel == Channel.PRINT
    assert row.what == [what.PREFERRED_NAME, SharingScope.PLAN]
    assert (row.recipient, row.by, row.consent) == (what.PRINTED_FOR_HER, world.alice, None)
    assert (row.source_type, row.source_id) == ("plans.serviceplan", str(plan.pk))


def test_a_refused_print_logs_nothing(client, world: World) -> None:
    plan_for(world)
    url = reverse("plan_print", args=[world.rosa_enrolment.pk])
    signed_in(client, world.pat)
    assert client.get(url).status_code == 403
    signed_in(client, world.bianca)
    assert client.get(url).status_code == 404
    assert not Disclosure.objects.exists()
