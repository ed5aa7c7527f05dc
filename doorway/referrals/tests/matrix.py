"""Permission-matrix rows for referrals: care team and manager write; a peer mentor
never sees one (403); an administrator who broke the glass reads and never writes."""

from __future__ import annotations

import datetime
from typing import Any

from django.urls import reverse
from django.utils import timezone

from doorway.referrals.actions import make_referral
from doorway.referrals.models import Referral, ReferralUpdate
from doorway.testing.factories import PartnerFactory
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
    return {"partner": partner, "referral": referral}


def snapshot(world: Any) -> tuple[object, ...]:
    referrals = Referral.objects.filter(enrolment=world.rosa_enrolment).order_by("pk")
    return (
        tuple(referrals.values_list("pk", "status", "status_on")),
        ReferralUpdate.objects.filter(referral__enrolment=world.rosa_enrolment).count(),
    )
