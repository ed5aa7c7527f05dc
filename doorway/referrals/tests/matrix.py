"""Permission-matrix rows for referrals: care team and manager write; a peer mentor
never sees one (403); an administrator who broke the glass reads and never writes."""

from __future__ import annotations

import datetime
from typing import Any

from django.urls import reverse
from django.utils import timezone

from doorway.people.models import ConsentKind, SharingScope
from doorway.referrals.actions import make_referral
from doorway.referrals.links import make_link
from doorway.referrals.models import PartnerLink, Referral, ReferralUpdate
from doorway.testing.factories import ConsentFactory, PartnerFactory
from doorway.testing.matrix import Endpoint, today


def referral_url(name: str) -> Any:
    return lambda w, x: reverse(name, args=[w.rosa_enrolment.pk, x["referral"].pk])


ENDPOINTS = [
    Endpoint(
        "referral_make",
        "GET",
        lambda w, x: reverse("referral_make", args=[w.rosa_enrolment.pk]),
        glass_reads=False,
    ),
    Endpoint(
        "referral_make",
        "POST",
        lambda w, x: reverse("referral_make", args=[w.rosa_enrolment.pk]),
        lambda w, x: {
            "service_kind": "housing",
            "partner": x["partner"].pk,
            "made_on": today(),
        },
    ),
    Endpoint(
        # Her consent to share, recorded from inside the referral form.
        "referral_make",
        "POST",
        lambda w, x: reverse("referral_make", args=[w.rosa_enrolment.pk]),
        lambda w, x: {
            "service_kind": "housing",
            "partner": x["partner"].pk,
            "shares_information": "on",
            "made_on": today(),
            "record_consent": "1",
            "consent-partner": x["partner"].pk,
            # On her terms: what she lets the partner see (at least one).
            "consent-scope": ["contact_details"],
            "consent-given_on": today(),
        },
    ),
    Endpoint("referral_detail", "GET", referral_url("referral_detail")),
    Endpoint(
        "referral_update",
        "POST",
        referral_url("referral_update"),
        lambda w, x: {"status": "accepted", "dated_on": today()},
    ),
    # A link for the partner: made and revoked by whoever writes the referral.
    Endpoint("referral_link_make", "POST", referral_url("referral_link_make"), lambda w, x: {}),
    Endpoint(
        "referral_link_revoke",
        "POST",
        lambda w, x: reverse(
            "referral_link_revoke",
            args=[w.rosa_enrolment.pk, x["referral"].pk, x["partner_link"].pk],
        ),
        lambda w, x: {},
    ),
]


def setup(world: Any) -> dict[str, Any]:
    partner = PartnerFactory(agency=world.agency, name="Matrix Housing", services=["housing"])
    referral = make_referral(
        world.rosa_enrolment,
        by=world.alice,
        partner=partner,
        service_kind="housing",
        shares_information=False,
        made_on=timezone.localdate() - datetime.timedelta(days=3),
    )
    link, _ = make_link(referral, by=world.alice)
    # A referral that shares her information with another partner, under her consent to
    # share everything with it, and the token of its link (the partner's page, in the
    # query-count test). Another partner: the consent rows above record hers afresh.
    shelter = PartnerFactory(agency=world.agency, name="Matrix Shelter", services=["housing"])
    ConsentFactory(
        participant=world.rosa,
        kind=ConsentKind.INFORMATION_SHARING,
        partner=shelter,
        scope=list(SharingScope.values),
        recorded_by=world.alice,
    )
    shared = make_referral(
        world.rosa_enrolment,
        by=world.alice,
        partner=shelter,
        service_kind="housing",
        shares_information=True,
        made_on=timezone.localdate() - datetime.timedelta(days=2),
    )
    _, token = make_link(shared, by=world.alice)
    return {
        "partner": partner,
        "referral": referral,
        "partner_link": link,
        "partner_link_token": token,
    }


def snapshot(world: Any) -> tuple[object, ...]:
    referrals = Referral.objects.filter(enrolment=world.rosa_enrolment).order_by("pk")
    return (
        tuple(referrals.values_list("pk", "status", "status_on")),
        ReferralUpdate.objects.filter(referral__enrolment=world.rosa_enrolment).count(),
        tuple(
            PartnerLink.objects.filter(referral__enrolment=world.rosa_enrolment)
            .order_by("pk")
            .values_list("pk", "revoked_at", "answered_at")
        ),
    )
