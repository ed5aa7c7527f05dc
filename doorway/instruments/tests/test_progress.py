"""The progress rows (`FocusAreaProgress`) always hold what her ratings give, read row by
row from the definitions, after any sequence of recorded assessments."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from doorway.enrolments.models import Enrolment, JourneyEvent
from doorway.instruments.demo import record_journey
from doorway.instruments.models import Answer, FocusAreaProgress, ItemKind, Timepoint
from doorway.instruments.progress import refresh_progress
from doorway.testing.factories import EnrolmentFactory, ParticipantFactory

pytestmark = pytest.mark.django_db

AREAS = ["accommodation", "money", "support-networks"]
Row = tuple[Any, Any, int, datetime.date, int | None, datetime.date | None]


def stored(enrolments: QuerySet[Enrolment]) -> set[Row]:
    return set(
        FocusAreaProgress.objects.filter(enrolment__in=enrolments).values_list(
            "enrolment", "focus_area", "baseline", "baseline_on", "later", "later_on"
        )
    )


def read_row_by_row(enrolments: QuerySet[Enrolment]) -> set[Row]:
    """The definitions (`evaluation.outcomes`), one rating at a time: her baseline is her
    earliest intake rating (by date, when recorded, then order entered), her later
    rating her latest other one, counted if on or after the baseline's date."""
    found: dict[tuple[Any, Any], dict[str, Any]] = {}
    answers = Answer.objects.filter(
        administration__enrolment__in=enrolments,
        item__kind=ItemKind.SCALE,
        item__focus_area__isnull=False,
        number__isnull=False,
    ).select_related("administration", "item")
    for answer in answers:
        given = answer.administration
        key = (given.completed_on, given.recorded_at, answer.pk)
        her = found.setdefault((given.enrolment_id, answer.item.focus_area_id), {})
        assert answer.number is not None  # a rating is a number
        if given.timepoint == Timepoint.INTAKE:
            if "baseline" not in her or key < her["baseline"][0]:
                her["baseline"] = (key, int(answer.number), given.completed_on)
        elif "later" not in her or key > her["later"][0]:
            her["later"] = (key, int(answer.number), given.completed_on)
    rows = set()
    for (enrolment, area), her in found.items():
        if "baseline" not in her:
            continue
        _key, baseline, baseline_on = her["baseline"]
        later = later_on = None
        if "later" in her and her["later"][2] >= baseline_on:
            _key, later, later_on = her["later"]
        rows.add((enrolment, area, baseline, baseline_on, later, later_on))
    return rows


steps = st.lists(
    st.tuples(
        st.integers(0, 2),  # which woman
        st.sampled_from([Timepoint.INTAKE, Timepoint.PHASE_CHANGE, Timepoint.FOLLOW_UP]),
        st.integers(0, 3),  # days ago: few, so that ratings share a day
        st.dictionaries(st.sampled_from(AREAS), st.integers(1, 10), min_size=1),
    ),
    min_size=1,
    max_size=12,
)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=steps)
def test_the_rows_are_her_ratings_read_by_the_definitions(world, steps) -> None:
    today = timezone.localdate()
    with transaction.atomic():
        women = [world.rosa_enrolment] + [
            EnrolmentFactory(
                participant=ParticipantFactory(agency=world.program.agency),
                cycle=world.rosa_enrolment.cycle,
                case_manager=world.alice,
                referred_on=today - datetime.timedelta(days=30),
            )
            for _ in range(2)
        ]
        enrolments = Enrolment.objects.filter(pk__in=[w.pk for w in women])
        for who, timepoint, ago, ratings in steps:
            on = today - datetime.timedelta(days=ago)
            record_journey(women[who], ratings, on=on, timepoint=timepoint)
            assert stored(enrolments) == read_row_by_row(enrolments)
        # Refreshing everything again changes nothing.
        before = stored(enrolments)
        refresh_progress(Enrolment.objects.all())
        assert stored(enrolments) == before
        # Her erasure (what protects her enrolment, then it) takes her rows, and only hers.
        gone = women[1]
        gone.administrations.all().delete()
        JourneyEvent.objects.filter(enrolment=gone).delete()
        Enrolment.objects.filter(pk=gone.pk).delete()
        assert not FocusAreaProgress.objects.filter(enrolment=gone.pk).exists()
        assert stored(enrolments) == read_row_by_row(enrolments)
        transaction.set_rollback(True)


def test_the_sequence_covers_the_cases(world) -> None:
    """A later rating dated before her baseline does not count; one on her baseline's day
    does; two intake ratings on one day: the first recorded is her baseline."""
    her = world.rosa_enrolment
    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    record_journey(her, {"money": 3}, on=today - 5 * day, timepoint=Timepoint.PHASE_CHANGE)
    record_journey(her, {"money": 4, "accommodation": 2}, on=today - 3 * day)
    record_journey(her, {"money": 9}, on=today - 3 * day)
    money = FocusAreaProgress.objects.get(enrolment=her, focus_area__slug="money")
    assert (money.baseline, money.later) == (4, None)
    record_journey(her, {"money": 6}, on=today - 3 * day, timepoint=Timepoint.FOLLOW_UP)
    money = FocusAreaProgress.objects.get(enrolment=her, focus_area__slug="money")
    assert (money.baseline, money.later, money.later_on) == (4, 6, today - 3 * day)
    home = FocusAreaProgress.objects.get(enrolment=her, focus_area__slug="accommodation")
    assert (home.baseline, home.later) == (2, None)
    assert FocusAreaProgress.objects.filter(enrolment=her).count() == 2


def test_recording_asks_as_many_queries_whatever_her_history(world) -> None:
    her = world.rosa_enrolment
    today = timezone.localdate()

    def queries(ago: int) -> int:
        with CaptureQueriesContext(connection) as seen:
            record_journey(
                her,
                dict.fromkeys(AREAS, 5),
                on=today - datetime.timedelta(days=ago),
                timepoint=Timepoint.PHASE_CHANGE,
            )
        return len(seen)

    record_journey(her, dict.fromkeys(AREAS, 2), on=today - datetime.timedelta(days=20))
    first = queries(19)
    for ago in range(18, 10, -1):
        queries(ago)
    assert queries(10) == first
    assert FocusAreaProgress.objects.filter(enrolment=her, later=5).count() == len(AREAS)
