"""The assessment list pages keep a fixed number of queries, whatever the number of
administrations she has."""

from __future__ import annotations

import pytest
from django.urls import reverse

from doorway.instruments.models import Administration
from doorway.instruments.tests.helpers import record_intake
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db

# 39 today: the other parts' sections share the page, so some room for them; a query
# per administration would cost 18 more at 20 rows.
ENROLMENT_PAGE_QUERIES = 45
CHOOSE_PAGE_QUERIES = 21


def seed_administrations(world, count: int) -> None:
    first = record_intake(world)
    Administration.objects.bulk_create(
        Administration(
            enrolment=first.enrolment,
            version=first.version,
            timepoint="ad_hoc",
            completed_on=first.completed_on,
            recorded_by=first.recorded_by,
        )
        for _ in range(count - 1)
    )


@pytest.mark.parametrize("count", [2, 20])
def test_the_enrolment_page_and_the_choose_page_cost_the_same_for_2_or_20(
    client, world, count: int, django_assert_max_num_queries
) -> None:
    seed_administrations(world, count)
    signed_in(client, world.alice)
    enrolment = world.rosa_enrolment
    with django_assert_max_num_queries(ENROLMENT_PAGE_QUERIES):
        page = client.get(reverse("enrolment_detail", args=[enrolment.pk]))
    assert page.content.decode().count('class="border-bottom py-2 administration"') == count
    with django_assert_max_num_queries(CHOOSE_PAGE_QUERIES):
        page = client.get(reverse("assessment_choose", args=[enrolment.pk]))
    assert len(page.context["administrations"]) == count
