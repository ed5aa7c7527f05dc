"""API pages: the keys-first paginator gives the rows plain slicing would, page by page."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import connection
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from doorway.api.pagination import KeysFirstPaginator
from doorway.casework.actions import record_contact
from doorway.casework.models import Contact
from doorway.conftest import World
from doorway.enrolments.models import Enrolment
from doorway.people.models import Participant
from doorway.testing.factories import EnrolmentFactory, ParticipantFactory
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db


def contacts(world: World, n: int) -> None:
    """`n` contacts over three women, on two days, many recorded at the same instant:
    the order then rests on every key of it, the id last."""
    enrolments = [world.rosa_enrolment]
    for _ in range(2):
        person = ParticipantFactory(agency=world.agency, registered_by=world.alice)
        enrolments.append(
            EnrolmentFactory(
                participant=person, cycle=world.rosa_enrolment.cycle, case_manager=world.alice
            )
        )
    today = timezone.localdate()
    for i in range(n):
        record_contact(
            enrolments[i % 3],
            by=world.alice,
            happened_on=today - datetime.timedelta(days=i % 2),
            duration_minutes=30,
            kind="counselling",
            note="A short note.",
        )
    instant = timezone.now()
    Contact.objects.filter(pk__in=Contact.objects.values("pk")[: n // 2]).update(
        recorded_at=instant
    )


def pages(paginator: Paginator) -> list[list[Any]]:
    return [[row.pk for row in paginator.page(n)] for n in paginator.page_range]


def test_each_page_holds_the_rows_slicing_gives_in_the_same_order(world: World) -> None:
    contacts(world, 11)
    ordered = Contact.objects.select_related("enrolment").order_by(
        "-happened_on", "-recorded_at", "pk"
    )
    for size, orphans in [(1, 0), (3, 0), (4, 2), (11, 0), (50, 0)]:
        plain = pages(Paginator(ordered, size, orphans=orphans))
        assert pages(KeysFirstPaginator(ordered, size, orphans=orphans)) == plain
        # Keys first: the page is the rows whose keys are in a sliced subquery.
        first_page = KeysFirstPaginator(ordered, size).page(1).object_list
        assert isinstance(first_page, QuerySet)
        assert not first_page.query.is_sliced
        assert [pk for page in plain for pk in page] == list(ordered.values_list("pk", flat=True))


def test_a_queryset_it_cannot_rewrite_is_sliced_as_usual(world: World) -> None:
    contacts(world, 5)
    # Distinct over a join: the page's keys could not be taken apart from it.
    reached = (
        Participant.objects.filter(enrolments__in=Enrolment.objects.all())
        .distinct()
        .order_by("code")
    )
    keys_first = KeysFirstPaginator(reached, 2)
    assert pages(keys_first) == pages(Paginator(reached, 2))
    first_page = keys_first.page(1).object_list
    assert isinstance(first_page, QuerySet)
    assert first_page.query.is_sliced


def test_the_api_contact_list_pages_through_every_contact_once(world: World) -> None:
    contacts(world, 7)
    client = APIClient()
    signed_in(client, world.alice)
    seen: list[str] = []
    url: str | None = "/api/v1/contacts/?page_size=3"
    while url:
        answer = client.get(url).json()
        assert answer["count"] == 7
        seen += [row["id"] for row in answer["results"]]
        url = answer["next"]
    expected = Contact.objects.order_by("-happened_on", "-recorded_at", "pk")
    assert seen == [str(pk) for pk in expected.values_list("pk", flat=True)]


def fresh_pages(size: int, orphans: int, rows: QuerySet[Contact]) -> list[list[Any]]:
    """Each page from a paginator that has not counted yet, as a request's is."""
    last = Paginator(rows, size, orphans=orphans).num_pages
    return [
        [row.pk for row in KeysFirstPaginator(rows, size, orphans=orphans).page(n)]
        for n in range(1, last + 1)
    ]


def test_a_page_asked_first_holds_the_rows_slicing_gives_and_the_count(world: World) -> None:
    contacts(world, 11)
    ordered = Contact.objects.select_related("enrolment").order_by(
        "-happened_on", "-recorded_at", "pk"
    )
    for size, orphans in [(1, 0), (3, 0), (4, 2), (5, 1), (11, 0), (50, 0)]:
        plain = pages(Paginator(ordered, size, orphans=orphans))
        assert fresh_pages(size, orphans, ordered) == plain
        for number in ("1", float(len(plain)), len(plain)):
            paginator = KeysFirstPaginator(ordered, size, orphans=orphans)
            paginator.page(number)
            assert paginator.count == 11


def test_the_count_comes_with_the_keys_in_one_query(world: World) -> None:
    contacts(world, 7)
    ordered = Contact.objects.select_related("enrolment").order_by(
        "-happened_on", "-recorded_at", "pk"
    )
    paginator = KeysFirstPaginator(ordered, 3)
    with CaptureQueriesContext(connection) as queries:
        rows = list(paginator.page(2))
        assert paginator.count == 7
    # The keys with the count, then the page's rows: no COUNT query of its own.
    assert len(queries) == 2
    assert not any("COUNT(*)" in q["sql"] for q in queries.captured_queries)
    assert [r.pk for r in rows] == list(ordered.values_list("pk", flat=True)[3:6])


def test_a_page_past_the_last_or_not_a_number_is_refused_as_before(world: World) -> None:
    contacts(world, 4)
    ordered = Contact.objects.order_by("-happened_on", "-recorded_at", "pk")
    refusals: list[tuple[int | str, type[Exception]]] = [
        (3, EmptyPage),
        (0, EmptyPage),
        ("two", PageNotAnInteger),
    ]
    for number, refusal in refusals:
        with pytest.raises(refusal):
            KeysFirstPaginator(ordered, 2).page(number)
        with pytest.raises(refusal):
            Paginator(ordered, 2).page(number)
    nothing = KeysFirstPaginator(Contact.objects.none().order_by("pk"), 2)
    assert list(nothing.page(1)) == []
    assert nothing.count == 0
    with pytest.raises(EmptyPage):
        KeysFirstPaginator(Contact.objects.none().order_by("pk"), 2).page(2)


@pytest.mark.parametrize("number", [10**18, 41348901958607806922752])
def test_a_page_far_past_any_list_is_refused_without_asking_the_database(
    world: World, number: int
) -> None:
    # Its offset would overflow the database's integers (a 500 on SQLite, found by the
    # schema fuzzing): it is past the last page, and refused as such.
    contacts(world, 4)
    with pytest.raises(EmptyPage):
        KeysFirstPaginator(Contact.objects.order_by("-happened_on", "pk"), 50).page(number)
    client = APIClient()
    client.force_authenticate(world.alice)
    response = client.get("/api/v1/contacts/", {"page": number})
    assert response.status_code == 404
