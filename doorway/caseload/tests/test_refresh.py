"""The refresh: on every change (after commit) and each day, in a fixed number of
queries, replacing an enrolment's items whole."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from doorway.caseload import refresh, tasks
from doorway.caseload.models import DueItem
from doorway.casework.actions import record_contact
from doorway.conftest import World
from doorway.enrolments.due import DueKind, refresh_after_commit
from doorway.enrolments.models import ExitReason

from .helpers import D0, enrol, noon, phases

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_recording_a_contact_refreshes_her_due_items_once_it_commits(
    world: World, django_capture_on_commit_callbacks
) -> None:
    enrolment = enrol(world, phase=phases(world)[1], started_on=D0)
    with time_machine.travel(noon(D0 + 10 * DAY), tick=False):
        refresh.refresh([enrolment.pk])
        assert DueItem.objects.overdue().filter(kind=DueKind.CONTACT).exists()
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            record_contact(
                enrolment,
                by=world.alice,
                happened_on=D0 + 10 * DAY,
                duration_minutes=20,
                kind="phone_text",
                note="Called",
            )
            # Nothing is computed before the change commits.
            assert DueItem.objects.overdue().filter(kind=DueKind.CONTACT).exists()
        assert callbacks
        item = DueItem.objects.get(enrolment=enrolment, kind=DueKind.CONTACT)
        assert item.due_on == D0 + 17 * DAY


@pytest.mark.usefixtures("only_caseload_rules")
def test_a_phase_move_refreshes_her_due_items(
    world: World, django_capture_on_commit_callbacks
) -> None:
    enrolment = world.rosa_enrolment
    refresh.refresh([enrolment.pk])
    # In the pre-phase: no cadence, no expected length.
    assert not DueItem.objects.filter(enrolment=enrolment).exists()
    with django_capture_on_commit_callbacks(execute=True):
        enrolment.move_to(phases(world)[1], by=world.alice)
    kinds = set(DueItem.objects.filter(enrolment=enrolment).values_list("kind", flat=True))
    assert kinds == {DueKind.CONTACT, DueKind.PHASE_OVERSTAYED}


def test_many_changes_in_one_transaction_enqueue_one_task(
    world: World, django_capture_on_commit_callbacks
) -> None:
    a = enrol(world, phase=phases(world)[1], started_on=D0)
    b = enrol(world, phase=phases(world)[2], started_on=D0)
    with (
        override_settings(TASKS=DATABASE_QUEUE),
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        refresh_after_commit(a)
        refresh_after_commit(b)
        refresh_after_commit(a)
    queued = DBTaskResult.objects.filter(task_path=tasks.refresh_due.module_path)
    assert queued.count() == 1
    assert sorted(queued.get().args_kwargs["args"][0]) == sorted([str(a.pk), str(b.pk)])


def test_changes_in_nested_atomic_actions_still_enqueue_one_task(
    world: World, django_capture_on_commit_callbacks
) -> None:
    a = enrol(world, phase=phases(world)[1], started_on=D0)
    b = enrol(world, phase=phases(world)[2], started_on=D0)
    with (
        override_settings(TASKS=DATABASE_QUEUE),
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        # Each action runs in a savepoint of its own, as the demo and imports do.
        for enrolment in (a, b):
            with transaction.atomic():
                refresh_after_commit(enrolment)
    queued = DBTaskResult.objects.filter(task_path=tasks.refresh_due.module_path)
    assert queued.count() == 1
    assert sorted(queued.get().args_kwargs["args"][0]) == sorted([str(a.pk), str(b.pk)])


def test_a_rolled_back_savepoint_leaves_the_others_in_the_one_task(
    world: World, django_capture_on_commit_callbacks
) -> None:
    enrolments = [enrol(world, phase=phases(world)[1], started_on=D0) for _ in range(3)]
    with (
        override_settings(TASKS=DATABASE_QUEUE),
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        for i, enrolment in enumerate(enrolments):
            try:
                with transaction.atomic():
                    refresh_after_commit(enrolment)
                    if i == 0:
                        raise RuntimeError("this action refused")
            except RuntimeError:
                pass
    queued = DBTaskResult.objects.filter(task_path=tasks.refresh_due.module_path)
    assert queued.count() == 1
    assert {str(e.pk) for e in enrolments[1:]} <= set(queued.get().args_kwargs["args"][0])


@pytest.mark.django_db(transaction=True)
def test_a_real_commit_of_many_actions_enqueues_one_task() -> None:
    """Outside a test's capture: Django takes the hooks off the connection before it
    runs them, so nothing may rely on seeing the others at commit."""
    from doorway.testing.factories import EnrolmentFactory

    enrolments = EnrolmentFactory.create_batch(3)
    with override_settings(TASKS=DATABASE_QUEUE):
        before = DBTaskResult.objects.filter(task_path=tasks.refresh_due.module_path).count()
        with transaction.atomic():
            for enrolment in enrolments:
                with transaction.atomic():
                    refresh_after_commit(enrolment)
        queued = DBTaskResult.objects.filter(task_path=tasks.refresh_due.module_path)
        assert queued.count() == before + 1
        last = queued.order_by("-enqueued_at").first()
    assert last is not None
    assert sorted(last.args_kwargs["args"][0]) == sorted(str(e.pk) for e in enrolments)


def test_a_rolled_back_change_enqueues_nothing(
    world: World, django_capture_on_commit_callbacks
) -> None:
    a = enrol(world, phase=phases(world)[1], started_on=D0)
    with override_settings(TASKS=DATABASE_QUEUE), django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                refresh_after_commit(a)
                raise RuntimeError("abandoned")
        except RuntimeError:
            pass
    assert not DBTaskResult.objects.exists()


def test_the_daily_task_catches_what_no_change_announced(world: World) -> None:
    enrolment = enrol(world, phase=phases(world)[1], started_on=D0)
    with time_machine.travel(noon(D0), tick=False):
        tasks.refresh_all_due.enqueue()
    assert DueItem.objects.get(enrolment=enrolment, kind=DueKind.CONTACT).due_on == D0 + 7 * DAY
    # A bulk update calls no action: only the daily pass sees it.
    type(enrolment).objects.filter(pk=enrolment.pk).update(phase_started_on=D0 + 5 * DAY)
    with time_machine.travel(noon(D0 + 6 * DAY), tick=False):
        tasks.refresh_all_due.enqueue()
    assert DueItem.objects.get(enrolment=enrolment, kind=DueKind.CONTACT).due_on == D0 + 12 * DAY


def test_the_daily_task_clears_items_of_a_woman_who_left(world: World) -> None:
    enrolment = enrol(world, phase=phases(world)[1], started_on=D0)
    refresh.refresh([enrolment.pk])
    assert DueItem.objects.filter(enrolment=enrolment).exists()
    type(enrolment).objects.filter(pk=enrolment.pk).update(
        exit_reason=ExitReason.WITHDREW, exited_on=D0
    )
    tasks.refresh_all_due.enqueue()
    assert not DueItem.objects.filter(enrolment=enrolment).exists()


@override_settings(TASKS=DATABASE_QUEUE)
def test_the_daily_task_queues_tomorrow_once(world: World) -> None:
    with time_machine.travel(noon(D0), tick=False):
        tasks.refresh_all_due.call()
        tasks.refresh_all_due.call()
        call_command("refresh-due", "--daily", stdout=StringIO())
    waiting = DBTaskResult.objects.filter(task_path=tasks.refresh_all_due.module_path)
    assert waiting.count() == 1
    run_after = waiting.get().run_after.astimezone(noon(D0).tzinfo)
    assert (run_after.date(), run_after.hour) == (D0 + DAY, tasks.DAILY_HOUR)


@pytest.mark.usefixtures("only_caseload_rules")
@override_settings(TASKS=DATABASE_QUEUE)
def test_refresh_due_without_daily_queues_nothing(world: World) -> None:
    enrol(world, phase=phases(world)[1], started_on=D0)
    out = StringIO()
    call_command("refresh-due", stdout=out)
    assert "Due dates recomputed: 2 items." in out.getvalue()
    assert not DBTaskResult.objects.exists()


def queries_to_refresh(world: World, n: int, monkeypatch) -> int:
    """Refresh n enrolments of every kind the rules look at (open in a phase with a
    cadence, with contacts; graduates), under every rule of RULES, the other parts'
    included."""
    monkeypatch.setattr(refresh, "BATCH", 1000)
    ids = []
    for i in range(n):
        if i % 5 == 1:
            e = enrol(
                world,
                phase=phases(world)[3],
                started_on=D0 - 90 * DAY,
                exit_reason=ExitReason.GRADUATED,
                exited_on=D0 - 20 * DAY,
            )
        else:
            e = enrol(world, phase=phases(world)[1 + i % 3], started_on=D0 - 20 * DAY)
            record_contact(
                e,
                by=world.alice,
                happened_on=D0 - DAY,
                duration_minutes=5,
                kind="phone_text",
                note="Text",
            )
        ids.append(e.pk)
    with time_machine.travel(noon(D0), tick=False), CaptureQueriesContext(connection) as ctx:
        written = refresh.refresh(ids)
    assert written >= n
    return len(ctx.captured_queries)


def test_the_refresh_runs_a_fixed_number_of_queries(world: World, monkeypatch) -> None:
    few = queries_to_refresh(world, 2, monkeypatch)
    DueItem.objects.all().delete()
    many = queries_to_refresh(world, 30, monkeypatch)
    assert few == many
    assert many <= 15


def test_the_daily_pass_runs_a_fixed_number_of_queries(world: World) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            tasks.refresh_all_due.call()
        return len(ctx.captured_queries)

    for _ in range(2):
        enrol(world, phase=phases(world)[1], started_on=D0)
    few = count()
    for _ in range(28):
        enrol(world, phase=phases(world)[2], started_on=D0)
    assert count() == few
