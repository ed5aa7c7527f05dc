"""The partner agency survey: recording a yearly answer and its summary."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from doorway.conftest import World
from doorway.evaluation import survey
from doorway.evaluation.models import PartnerSurveyResponse, Relationship
from doorway.testing.factories import PartnerFactory
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year


def answer(world: World, partner, relationship=Relationship.POSITIVE, year=YEAR, **kw):
    return survey.record_response(
        by=world.eve, partner=partner, year=year, relationship=relationship, **kw
    )


def test_the_summary_counts_partners_positive_share_benefits_and_comments(world) -> None:
    a, b, c = (PartnerFactory(agency=world.agency) for _ in range(3))
    answer(world, a, Relationship.VERY_POSITIVE, benefits=["faster_access", "Shared meals"])
    answer(world, b, Relationship.POSITIVE, benefits=["faster_access"], comments="Good year.")
    answer(world, c, Relationship.NEUTRAL)
    answer(world, a, Relationship.POSITIVE, year=YEAR - 1)
    elsewhere = PartnerFactory(agency=world.other_agency)
    PartnerSurveyResponse.objects.create(partner=elsewhere, year=YEAR, relationship="negative")

    this_year, last_year = survey.summary(survey.partners_of(world.eve))
    assert (this_year.year, this_year.surveyed, this_year.positive) == (YEAR, 3, 2)
    assert this_year.percent_positive == 67
    assert dict(this_year.benefit_rows()) == {
        survey.BENEFIT_LABELS["faster_access"]: 2,
        "Shared meals": 1,
    }
    assert this_year.comments == [(b.name, "Good year.")]
    assert (last_year.surveyed, last_year.positive) == (1, 1)


def test_one_answer_per_partner_and_year_of_her_own_agency(world: World) -> None:
    mine = PartnerFactory(agency=world.agency)
    answer(world, mine)
    with pytest.raises(ValidationError) as err:
        answer(world, mine)
    assert "already recorded" in str(err.value.message_dict["year"])
    with pytest.raises(ValidationError) as err:
        answer(world, PartnerFactory(agency=world.other_agency), year=YEAR + 1)
    assert set(err.value.message_dict) == {"partner", "year"}


@pytest.mark.parametrize("who", ["alice", "pat", "ada"])
def test_only_managers_and_evaluators_record_the_survey(world: World, who: str) -> None:
    with pytest.raises(PermissionDenied):
        survey.record_response(
            by=getattr(world, who),
            partner=PartnerFactory(agency=world.agency),
            year=YEAR,
            relationship=Relationship.POSITIVE,
        )


def test_the_pages_record_and_summarise(client, world: World) -> None:
    partner = PartnerFactory(agency=world.agency, name="Sistering")
    signed_in(client, world.morgan)
    response = client.post(
        reverse("partner_survey_record"),
        {
            "partner": str(partner.pk),
            "year": str(YEAR),
            "relationship": "very_positive",
            "benefits": ["fewer_lost"],
            "other_benefits": "Warm handovers\n\n",
            "comments": "Keep it up.",
        },
    )
    assert response.status_code == 302
    assert PartnerSurveyResponse.objects.get().benefits == ["fewer_lost", "Warm handovers"]
    page = client.get(reverse("partner_survey")).content.decode()
    assert "1 of 1 (100%)" in page
    assert "Warm handovers" in page
    assert "Keep it up." in page
    # A bad answer comes back with its message and nothing saved.
    response = client.post(reverse("partner_survey_record"), {"partner": str(partner.pk)})
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()
    assert PartnerSurveyResponse.objects.count() == 1


def test_a_case_manager_is_refused_the_survey(client, world: World) -> None:
    signed_in(client, world.alice)
    assert client.get(reverse("partner_survey")).status_code == 403
