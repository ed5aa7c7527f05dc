"""The database ranks the caseload (so a page of a program's thousands can be cut without
reading them all), and it must rank exactly as each row's own badges say: the group a
row is shown in, and the order within it, most overdue first, then soonest due."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from doorway.audit.models import AuditEntry
from doorway.caseload.models import DueItem, Snooze
from doorway.caseload.queries import caseload_rows, ranking
from doorway.caseload.views import PAGE_SIZE
from doorway.conftest import World
from doorway.enrolments.due import DueKind
from doorway.enrolments.models import Enrolment, ExitReason
from doorway.people.models import SafetyFlag
from doorway.testing.signin import signed_in

from .helpers import D0, enrol, phases

pytestmark = pytest.mark.django_db

TODAY = D0 + datetime.timedelta(days=60)
KINDS = [DueKind.CONTACT, DueKind.PHASE_REVIEW, DueKind.REFERRAL_NEWS, DueKind.CLOSING_NOTE]
SUBJECTS = [None, uuid.UUID(int=1), uuid.UUID(int=2)]

due_item = st.tuples(st.sampled_from(KINDS), st.integers(-20, 20), st.sampled_from(SUBJECTS))
snooze = st.tuples(
    st.sampled_from(KINDS),
    st.sampled_from(SUBJECTS),
    st.integers(-3, 10),  # its last day, from today
    st.booleans(),  # lifted
)
woman = st.fixed_dictionaries(
    {
        "dues": st.lists(due_item, max_size=4),
        "snoozes": st.lists(snooze, max_size=2),
        "flagged": st.booleans(),
        # Open, graduated lately, or graduated long ago (her closing note is then the
        # program manager's, not on the caseload).
        "gone_days": st.sampled_from([None, 10, 200]),
    }
)


def expected_order(rows):
    """The order the caseload had when it was ranked in Python, row by row."""
    return sorted(
        rows,
        key=lambda r: (
            r.group,
            -r.most_overdue,
            r.next_due or datetime.date.max,
            r.enrolment.participant.code,
        ),
    )


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(women=st.lists(woman, min_size=1, max_size=6))
def test_the_database_ranks_as_each_rows_badges_say(world: World, women) -> None:
    day = datetime.timedelta(days=1)
    phase = phases(world)[1]
    with transaction.atomic():
        chosen = []
        for her in women:
            gone = her["gone_days"]
            extra = {}
            if gone is not None:
                extra = {"exit_reason": ExitReason.GRADUATED, "exited_on": TODAY - gone * day}
            enrolment = enrol(world, phase=phase, started_on=TODAY - 300 * day, **extra)
            chosen.append(enrolment.pk)
            for kind, offset, subject in her["dues"]:
                DueItem.objects.create(
                    enrolment=enrolment,
                    kind=kind,
                    due_on=TODAY + offset * day,
                    label="x",
                    subject_id=subject,
                )
            for kind, subject, until, lifted in her["snoozes"]:
                Snooze.objects.create(
                    enrolment=enrolment,
                    kind=kind,
                    subject_id=subject,
                    until=TODAY + until * day,
                    reason="Away",
                    snoozed_by=world.alice,
                    lifted_at=timezone.now() if lifted else None,
                )
            if her["flagged"]:
                SafetyFlag.objects.create(
                    participant=enrolment.participant, kind="no_texts", added_by=world.alice
                )
        enrolments = Enrolment.objects.filter(pk__in=chosen)

        rows = caseload_rows(enrolments, TODAY)
        by_database = ranking(enrolments, TODAY)

        assert [(r.enrolment.pk, r.group) for r in rows] == by_database
        assert [r.enrolment.pk for r in expected_order(rows)] == [pk for pk, _ in by_database]
        transaction.set_rollback(True)


def test_a_programs_caseloads_come_a_page_at_a_time_and_the_audit_names_only_that_page(
    client, world: World
) -> None:
    phase = phases(world)[1]
    day = datetime.timedelta(days=1)
    women = [enrol(world, phase=phase, started_on=TODAY - 300 * day) for _ in range(PAGE_SIZE + 5)]
    for n, enrolment in enumerate(women):
        DueItem.objects.create(
            enrolment=enrolment, kind=DueKind.CONTACT, due_on=TODAY - (n % 9) * day, label="x"
        )
    total = len(caseload_rows(Enrolment.objects.visible_to(world.morgan), timezone.localdate()))
    assert PAGE_SIZE < total <= 2 * PAGE_SIZE
    signed_in(client, world.morgan)

    first = client.get(reverse("caseload"))
    second = client.get(reverse("caseload"), {"page": 2})

    assert first.status_code == second.status_code == 200
    shown = [
        entry.detail["shown"]
        for entry in AuditEntry.objects.filter(action="list").order_by("at")
        if entry.detail.get("page") == "caseload"
    ]
    assert [len(ids) for ids in shown] == [PAGE_SIZE, total - PAGE_SIZE]
    # Every woman once, across the pages.
    assert len(set(shown[0]) | set(shown[1])) == total
    assert 'rel="next"' in first.content.decode()
    assert 'rel="prev"' in second.content.decode()
    assert "Page 2 of 2" in second.content.decode()
    # A page past the last shows the last, not an error.
    assert client.get(reverse("caseload"), {"page": 99}).status_code == 200


def test_the_ranking_is_one_query_whatever_the_scope_holds(
    world: World, django_assert_num_queries
) -> None:
    """A program's thousands are ranked by the database: one query returns each woman's
    id and group, however many women and due items the scope holds."""
    phase = phases(world)[1]
    day = datetime.timedelta(days=1)
    mine = set()
    for n in range(6):
        extra = {}
        if n % 3 == 0:
            extra = {"exit_reason": ExitReason.GRADUATED, "exited_on": TODAY - 10 * day}
        enrolment = enrol(world, phase=phase, started_on=TODAY - 300 * day, **extra)
        mine.add(enrolment.pk)
        for kind in KINDS[: n % 4 + 1]:
            DueItem.objects.create(
                enrolment=enrolment, kind=kind, due_on=TODAY - n * day, label="x"
            )
    enrolments = Enrolment.objects.visible_to(world.morgan)

    with django_assert_num_queries(1):
        ranked = ranking(enrolments, TODAY)

    assert mine <= {pk for pk, _group in ranked}
