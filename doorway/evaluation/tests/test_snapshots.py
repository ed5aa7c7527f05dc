"""A program's evaluation kept ready (`snapshots`): the pages show the report as it was
last counted, with its time; it equals `doorway evaluate` once counted again; a consent
withdrawn, a record erased, drops it at once; each language and each kind of figures
has its own."""

from __future__ import annotations

import datetime
import io
import json
import uuid
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks_db.models import DBTaskResult

from doorway.evaluation import snapshots, tasks
from doorway.evaluation.cohort import Cohort
from doorway.evaluation.models import ReportSnapshot
from doorway.evaluation.tests.records import rate, woman
from doorway.instruments.models import Timepoint
from doorway.people.actions import withdraw_consent
from doorway.people.models import ConsentKind
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def waiting_runs() -> int:
    return DBTaskResult.objects.filter(
        task_path=tasks.refresh_reports.module_path, status="READY"
    ).count()


def progressing(world, cycle):
    her = woman(world, cycle)
    rate(her, {"money": 2}, ago=30, timepoint=Timepoint.INTAKE)
    rate(her, {"money": 5}, ago=5, timepoint=Timepoint.PHASE_CHANGE)
    return her


def evaluated(world) -> dict:
    out = io.StringIO()
    call_command("evaluate", "--program", world.program.slug, "--format", "json", stdout=out)
    return json.loads(out.getvalue())


def money(report: dict) -> tuple[int, int]:
    area = next(a for a in report["focus_areas"] if a["slug"] == "money")
    return area["progressed"], area["assessed"]


def shown(client, world) -> dict:
    response = client.get(reverse("evaluation_page", args=[world.program.slug]))
    assert response.status_code == 200
    return response.context["report"]


def test_the_page_shows_the_kept_report_until_it_is_counted_again(client, world) -> None:
    cycle = world.rosa_enrolment.cycle
    progressing(world, cycle)
    second = woman(world, cycle)
    rate(second, {"money": 3}, ago=30, timepoint=Timepoint.INTAKE)
    signed_in(client, world.morgan)
    first = shown(client, world)
    assert money(first) == (1, 1)
    kept = ReportSnapshot.objects.get(program=world.program, published=False)
    assert (
        "Figures as of"
        in client.get(reverse("evaluation_page", args=[world.program.slug])).content.decode()
    )

    # The second woman progresses: not on the page until it is counted again.
    rate(second, {"money": 6}, ago=5, timepoint=Timepoint.PHASE_CHANGE)
    assert money(shown(client, world)) == (1, 1)

    assert snapshots.refresh_all() == 1
    again = shown(client, world)
    assert money(again) == (2, 2)
    assert ReportSnapshot.objects.get(pk=kept.pk).taken_at > kept.taken_at
    # Counted again, it is what `doorway evaluate` counts from the records: whole on the
    # fidelity section, without the per-participant fidelity lists on the others.
    counted = evaluated(world)
    fidelity = client.get(reverse("evaluation_fidelity", args=[world.program.slug]))
    assert fidelity.context["report"] == counted
    assert again == snapshots.split(counted)[0]


def test_a_withdrawn_consent_leaves_the_figures_at_once(client, world) -> None:
    cycle = world.rosa_enrolment.cycle
    progressing(world, cycle)
    her = progressing(world, cycle)
    signed_in(client, world.morgan)
    assert money(shown(client, world)) == (2, 2)
    consent = her.participant.consents.get(kind=ConsentKind.EVALUATION)
    withdraw_consent(consent, on=timezone.localdate(), by=world.alice)
    assert not ReportSnapshot.objects.exists()
    assert money(shown(client, world)) == (1, 1)


def test_an_erased_record_drops_every_kept_report(client, world) -> None:
    from doorway.erasure.eraser import erase_participant

    her = progressing(world, world.rosa_enrolment.cycle)
    signed_in(client, world.morgan)
    shown(client, world)
    assert ReportSnapshot.objects.exists()
    erase_participant(her.participant)
    assert not ReportSnapshot.objects.exists()


def test_the_kept_report_is_encrypted(client, world) -> None:
    progressing(world, world.rosa_enrolment.cycle)
    signed_in(client, world.morgan)
    report = shown(client, world)
    codes = [p["code"] for p in report["fidelity"]["participants"]] or [world.rosa.code]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT report FROM {ReportSnapshot._meta.db_table}")  # noqa: S608
        (stored,) = cursor.fetchone()
    assert "focus_areas" not in stored
    assert not any(code in stored for code in codes)


def test_each_language_has_its_own_report(client, world) -> None:
    progressing(world, world.rosa_enrolment.cycle)
    cohort = Cohort(program=world.program)
    with translation.override("fr"):
        french = snapshots.report_for(cohort, published=False).report
    with translation.override("en"):
        english = snapshots.report_for(cohort, published=False).report
    assert ReportSnapshot.objects.filter(program=world.program).count() == 2
    terms = {d["term"] for d in english["definitions"]}
    assert "Progressed" in terms
    assert "Progressed" not in {d["term"] for d in french["definitions"]}
    assert english["focus_areas"][0]["assessed"] == french["focus_areas"][0]["assessed"]


def test_the_evaluator_has_published_figures_of_their_own(client, world, any_cohort_size) -> None:
    progressing(world, world.rosa_enrolment.cycle)
    signed_in(client, world.eve)
    response = client.get(reverse("evaluation_page", args=[world.program.slug]))
    assert response.status_code == 200
    assert response.context["published"]
    assert list(ReportSnapshot.objects.values_list("published", flat=True)) == [True]
    signed_in(client, world.morgan)
    shown(client, world)
    assert set(ReportSnapshot.objects.values_list("published", flat=True)) == {True, False}
    # The published cohort names its cycles; counted again, it is the same cohort.
    published = ReportSnapshot.objects.get(published=True)
    assert published.cycles == str(world.rosa_enrolment.cycle.pk)
    assert snapshots.refresh_all() == 2
    signed_in(client, world.eve)
    again = client.get(reverse("evaluation_page", args=[world.program.slug]))
    assert again.context["report"]["cohort"] == response.context["report"]["cohort"]


def test_a_kept_report_of_a_cycle_gone_is_dropped(client, world, any_cohort_size) -> None:
    progressing(world, world.rosa_enrolment.cycle)
    signed_in(client, world.eve)
    client.get(reverse("evaluation_page", args=[world.program.slug]))
    kept = ReportSnapshot.objects.get(published=True)
    # A cycle no longer in the program is found at the next count.
    ReportSnapshot.objects.create(
        program=world.program,
        cycles=f"{kept.cycles},{uuid.uuid4()}",
        language="en",
        published=True,
        report=kept.report,
        taken_at=kept.taken_at,
        viewed_at=kept.viewed_at,
    )
    assert snapshots.refresh_all() == 1
    assert ReportSnapshot.objects.count() == 1


def test_a_cohort_narrowed_by_dates_is_counted_each_time(client, world) -> None:
    progressing(world, world.rosa_enrolment.cycle)
    signed_in(client, world.morgan)
    day = timezone.localdate() - datetime.timedelta(days=400)
    response = client.get(
        reverse("evaluation_page", args=[world.program.slug]), {"enrolled_from": day}
    )
    assert response.status_code == 200
    assert "Figures as of" not in response.content.decode()
    assert not ReportSnapshot.objects.exists()


def test_a_report_nobody_opens_is_dropped(client, world) -> None:
    signed_in(client, world.morgan)
    shown(client, world)
    ReportSnapshot.objects.update(viewed_at=timezone.now() - datetime.timedelta(days=8))
    assert snapshots.refresh_all() == 0
    assert not ReportSnapshot.objects.exists()


def test_count_again_now_counts_it_once_a_minute_at_most(client, world) -> None:
    cycle = world.rosa_enrolment.cycle
    progressing(world, cycle)
    second = woman(world, cycle)
    rate(second, {"money": 3}, ago=30, timepoint=Timepoint.INTAKE)
    signed_in(client, world.morgan)
    shown(client, world)
    rate(second, {"money": 6}, ago=5, timepoint=Timepoint.PHASE_CHANGE)
    url = reverse("evaluation_count_again", args=[world.program.slug])
    response = client.post(url, {"section": "outcomes"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse(
        "evaluation_outcomes", args=[world.program.slug]
    )
    assert "less than a minute ago" in response.content.decode()
    assert money(shown(client, world)) == (1, 1)

    ReportSnapshot.objects.update(taken_at=timezone.now() - datetime.timedelta(minutes=2))
    response = client.post(url, follow=True)
    assert "being counted again" in response.content.decode()
    # The tests' task backend runs it at once.
    assert money(shown(client, world)) == (2, 2)


def test_count_again_is_refused_outside_her_programs(client, world) -> None:
    signed_in(client, world.morgan)
    shown(client, world)
    signed_in(client, world.bianca)
    url = reverse("evaluation_count_again", args=[world.program.slug])
    assert client.post(url).status_code in (403, 404)
    assert client.get(url).status_code in (403, 404, 405)


@override_settings(REPORT_REFRESH_SECONDS=1)
def test_an_old_report_says_the_worker_may_be_stopped(client, world, monkeypatch) -> None:
    signed_in(client, world.morgan)
    shown(client, world)
    # Three periods old, and not of an earlier day (that copy would be counted again),
    # whatever the time of day the test runs at.
    monkeypatch.setattr(snapshots, "stale_by_date", lambda taken_at, now: False)
    ReportSnapshot.objects.update(taken_at=timezone.now() - datetime.timedelta(seconds=5))
    html = client.get(reverse("evaluation_page", args=[world.program.slug])).content.decode()
    assert "background worker may be stopped" in html


def test_the_first_kept_report_starts_the_workers_chain_and_it_never_piles_up(
    client, world
) -> None:
    with override_settings(TASKS=DATABASE_QUEUE):
        signed_in(client, world.morgan)
        shown(client, world)
        assert waiting_runs() == 1
        tasks.schedule_next()
        shown(client, world)
        tasks.refresh_reports.call()
        assert waiting_runs() == 1


def test_a_failing_count_still_leaves_the_next_one_queued(client, world, monkeypatch) -> None:
    signed_in(client, world.morgan)
    shown(client, world)

    def broken(cohort):
        raise RuntimeError("database gone")

    monkeypatch.setattr(snapshots, "build_report", broken)
    with override_settings(TASKS=DATABASE_QUEUE):
        with pytest.raises(RuntimeError, match="database gone"):
            tasks.refresh_reports.call()
        assert waiting_runs() == 1
    # The report kept before is still shown.
    assert ReportSnapshot.objects.count() == 1


def test_a_consent_withdrawn_while_the_report_is_counted_is_not_kept_in_it(
    client, world, monkeypatch
) -> None:
    cycle = world.rosa_enrolment.cycle
    progressing(world, cycle)
    her = progressing(world, cycle)
    consent = her.participant.consents.get(kind=ConsentKind.EVALUATION)
    counting = snapshots.build_report

    def withdrawn_meanwhile(cohort):
        report = counting(cohort)  # the records read: she is in it
        withdraw_consent(consent, on=timezone.localdate(), by=world.alice)
        return report

    monkeypatch.setattr(snapshots, "build_report", withdrawn_meanwhile)
    signed_in(client, world.morgan)
    assert money(shown(client, world)) == (2, 2)  # what was read, for this request only
    assert not ReportSnapshot.objects.exists()
    monkeypatch.setattr(snapshots, "build_report", counting)
    assert money(shown(client, world)) == (1, 1)
    assert ReportSnapshot.objects.count() == 1


def test_the_per_participant_fidelity_lists_are_kept_apart_and_joined_again() -> None:
    report: dict[str, Any] = {
        "focus_areas": [{"slug": "money", "assessed": 3}],
        "fidelity": {
            "participants_assessed": 2,
            "items": [
                {"item": "a", "passed": 1, "falling_short": [{"code": "P-1", "why": "late"}]},
                {"item": "b", "passed": 2, "falling_short": []},
            ],
            "program_items": [{"item": "caseload", "falling_short": [{"worker": "w1"}]}],
            "participants": [{"code": "P-1", "items": {"a": "fail"}}, {"code": "P-2"}],
        },
    }
    summary, details = snapshots.split(report)
    assert "P-1" not in json.dumps(summary)
    assert "P-2" not in json.dumps(summary)
    assert summary["fidelity"]["program_items"] == report["fidelity"]["program_items"]
    assert summary["fidelity"]["items"][0]["passed"] == 1
    assert snapshots.joined(summary, details) == report
    assert snapshots.split({"fidelity": None}) == ({"fidelity": None}, {})


def test_counting_it_again_is_not_opening_it(client, world) -> None:
    signed_in(client, world.morgan)
    shown(client, world)
    last_opened = timezone.now() - datetime.timedelta(days=6)
    ReportSnapshot.objects.update(viewed_at=last_opened)
    # The worker's counts do not keep it alive: a week unopened, it is dropped.
    assert snapshots.refresh_all() == 1
    assert ReportSnapshot.objects.get().viewed_at == last_opened


def test_a_report_kept_before_the_withdrawal_is_committed_is_dropped_when_it_is(
    client, world, django_capture_on_commit_callbacks
) -> None:
    cycle = world.rosa_enrolment.cycle
    progressing(world, cycle)
    her = progressing(world, cycle)
    consent = her.participant.consents.get(kind=ConsentKind.EVALUATION)
    with django_capture_on_commit_callbacks(execute=True):
        withdraw_consent(consent, on=timezone.localdate(), by=world.alice)
        # The worker, on its own connection, counts and keeps a report before the
        # withdrawal is committed: it cannot see it yet.
        with translation.override("en"):
            snapshots.take(Cohort(program=world.program), "", language="en", published=False)
        assert ReportSnapshot.objects.exists()
    assert not ReportSnapshot.objects.exists()


def test_count_again_clicked_twice_queues_one_count(client, world) -> None:
    signed_in(client, world.morgan)
    shown(client, world)
    ReportSnapshot.objects.update(taken_at=timezone.now() - datetime.timedelta(minutes=2))
    url = reverse("evaluation_count_again", args=[world.program.slug])
    with override_settings(TASKS=DATABASE_QUEUE):
        for _ in range(3):
            response = client.post(url, {"section": "outcomes"}, follow=True)
            assert "being counted again" in response.content.decode()
        queued = DBTaskResult.objects.filter(task_path=tasks.refresh_report.module_path)
        assert queued.count() == 1


def test_a_count_on_a_replica_behind_a_withdrawal_is_shown_not_kept(
    client, world, monkeypatch
) -> None:
    cycle = world.rosa_enrolment.cycle
    progressing(world, cycle)
    her = progressing(world, cycle)
    consent = her.participant.consents.get(kind=ConsentKind.EVALUATION)
    withdraw_consent(consent, on=timezone.localdate(), by=world.alice)
    # The page counts on a replica that has not replayed the withdrawal yet (its last
    # replayed change is from before it): what it read is not kept as if read now.
    behind = timezone.now() - datetime.timedelta(seconds=1)
    monkeypatch.setattr(snapshots, "read_alias", lambda: "replica")
    monkeypatch.setattr(snapshots, "replayed_at", lambda alias: behind)
    signed_in(client, world.morgan)
    shown(client, world)
    assert not ReportSnapshot.objects.exists()
    # Once it has caught up, its count is kept.
    monkeypatch.setattr(snapshots, "replayed_at", lambda alias: timezone.now())
    assert money(shown(client, world)) == (1, 1)
    assert ReportSnapshot.objects.count() == 1


def test_a_count_finished_after_a_newer_one_does_not_replace_it(world, monkeypatch) -> None:
    cohort = Cohort(program=world.program)
    with translation.override("en"):
        newer = snapshots.take(cohort, "", language="en", published=False)
        # A count that read the records before the kept one did, and finished after it.
        earlier = newer.taken_at - datetime.timedelta(seconds=20)
        monkeypatch.setattr(snapshots, "records_as_of", lambda: earlier)
        shown_then = snapshots.take(cohort, "", language="en", published=False)
    assert shown_then.taken_at == earlier
    assert ReportSnapshot.objects.get().taken_at == newer.taken_at


def test_a_consent_ending_on_a_day_leaves_the_figures_with_the_worker_stopped(
    client, world
) -> None:
    cycle = world.rosa_enrolment.cycle
    progressing(world, cycle)
    her = progressing(world, cycle)
    signed_in(client, world.morgan)
    assert money(shown(client, world)) == (2, 2)
    # Her consent was withdrawn from today on, recorded beforehand (nothing saved today);
    # the kept copy is from yesterday and the worker has not counted it since.
    consent = her.participant.consents.get(kind=ConsentKind.EVALUATION)
    yesterday = timezone.now() - datetime.timedelta(days=1)
    type(consent).objects.filter(pk=consent.pk).update(withdrawn_on=timezone.localdate())
    ReportSnapshot.objects.update(taken_at=yesterday)
    assert money(shown(client, world)) == (1, 1)
    assert ReportSnapshot.objects.get().taken_at > yesterday


def test_the_as_of_time_reads_as_the_due_dates_freshness_does(client, world) -> None:
    import re

    signed_in(client, world.morgan)
    url = reverse("evaluation_page", args=[world.program.slug])
    client.get(url)
    html = client.get(url).content.decode()
    # One day, month, year and a 24-hour time, in one sentence (no "p.m..").
    assert re.search(r"Figures as of \d{1,2} \w+ \d{4}, \d{2}:\d{2}\.(?!\.)", html)
