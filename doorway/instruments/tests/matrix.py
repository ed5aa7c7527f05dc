"""Permission-matrix rows for assessments: the care team and her program's manager
read and record them; a peer mentor never sees one (403); an administrator reads them
only through break-the-glass and never writes."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from doorway.instruments.models import Administration
from doorway.instruments.tests.helpers import intake, record_intake
from doorway.testing.matrix import Endpoint, today


def intake_payload(world: Any, extras: dict[str, Any]) -> dict[str, Any]:
    return {
        "timepoint": "intake",
        "completed_on": today(),
        "item_identifies_as_woman": "yes",
        "item_wants_to_leave": "yes",
        "item_presenting_issues": ["housing"],
        "item_risk_factors": ["housing", "abuser"],
        "item_sex_work_involvement": "often",
        "item_readiness_stage": "action",
    }


ENDPOINTS = [
    Endpoint(
        "assessment_choose",
        "GET",
        lambda w, x: reverse("assessment_choose", args=[w.rosa_enrolment.pk]),
        glass_reads=False,
    ),
    Endpoint(
        "assessment_record",
        "GET",
        lambda w, x: reverse("assessment_record", args=[w.rosa_enrolment.pk, x["intake"].pk]),
        glass_reads=False,
    ),
    Endpoint(
        "assessment_record",
        "POST",
        lambda w, x: reverse("assessment_record", args=[w.rosa_enrolment.pk, x["intake"].pk]),
        intake_payload,
    ),
    Endpoint(
        "assessment_detail",
        "GET",
        lambda w, x: reverse(
            "assessment_detail", args=[w.rosa_enrolment.pk, x["administration"].pk]
        ),
    ),
    Endpoint(
        "assessment_decide_eligibility",
        "POST",
        lambda w, x: reverse(
            "assessment_decide_eligibility", args=[w.rosa_enrolment.pk, x["administration"].pk]
        ),
        lambda w, x: {},
    ),
]


def setup(world: Any) -> dict[str, Any]:
    return {"intake": intake(world), "administration": record_intake(world)}


def snapshot(world: Any) -> tuple[object, ...]:
    enrolment = type(world.rosa_enrolment).objects.get(pk=world.rosa_enrolment.pk)
    return (
        tuple(
            Administration.objects.filter(enrolment=world.rosa_enrolment).values_list(
                "pk", "scores"
            )
        ),
        enrolment.eligibility,
        enrolment.eligibility_reason,
    )
