"""Process figures from the records: reach, retention, time in phase, cadence, drop-ins,
referrals and the dose-response table."""

from __future__ import annotations

import datetime
import json
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from doorway.dropins.actions import mark_attendance, start_session
from doorway.enrolments.models import Eligibility, ExitReason
from doorway.evaluation.cohort import Cohort
from doorway.evaluation.process import Stay, band_of, cadence_periods, process_report
from doorway.evaluation.tests.worlds import START, Plan, build
from doorway.instruments.demo import record_journey
from doorway.instruments.models import Timepoint
from doorway.referrals.actions import update_referral
from doorway.referrals.models import Referral

pytestmark = pytest.mark.django_db


def report(world) -> dict:
    return process_report(Cohort(program=world.program))


def phase_row(rows: list[dict], name_start: str) -> dict:
    return next(r for r in rows if r["phase"].startswith(name_start))


def test_reach_counts_every_referral_in(world) -> None:
    build(world, Plan("EDH-P00001"))
    refused = build(world, Plan("EDH-P00002", phase_days=(20,), exit_reason=""))
    refused.decide_eligibility(
        Eligibility.NOT_ELIGIBLE, by=world.alice, reason="Outside the criteria"
    )
    result = report(world)
    json.dumps(result)
    reach = result["reach"]
    # Rosa, Tess and Uma (still making the connection) and the two above.
    assert reach["referrals_in"] == 5
    assert {r["source"]: r["count"] for r in reach["by_source"]}["outreach"] == 5
    assert reach["intakes"] == 2
    assert reach["eligible"] == {"n": 1, "of": 2, "percent": 50.0}
    assert reach["eligibility_pending"] == 3
    assert reach["enrolled"] == {"n": 4, "of": 5, "percent": 80.0}


def test_retention_and_time_in_each_phase(world) -> None:
    build(world, Plan("EDH-P00001", phase_days=(90, 90, 85)))
    build(world, Plan("EDH-P00002", phase_days=(80, 40), exit_reason=ExitReason.WITHDREW))
    build(world, Plan("EDH-P00003", phase_days=(100,), exit_reason=""))
    result = report(world)
    first = phase_row(result["retention"], "Intake")
    second = phase_row(result["retention"], "Service")
    third = phase_row(result["retention"], "Adopting")
    assert (first["reached"], second["reached"], third["reached"]) == (3, 2, 1)
    assert second["exits"]["withdrew"] == 1
    assert third["exits"]["graduated"] == 1
    assert first["still_in_it"] == 1
    time = phase_row(result["time_in_phase"], "Intake")
    assert time["expected_days"] == 90
    assert time["completed"] == {"n": 2, "mean": 85.0, "median": 85.0, "min": 80, "max": 90}
    assert time["within_expected"] == {"n": 2, "of": 2, "percent": 100.0}
    assert time["ongoing"] == 1
    assert phase_row(result["time_in_phase"], "Service")["completed"]["max"] == 90


def test_cadence_counts_complete_periods_with_a_contact() -> None:
    stay = Stay(
        phase_id=uuid.uuid4(),  # any phase: cadence reads only the dates
        start=datetime.date(2025, 1, 1),
        end=datetime.date(2025, 1, 30),
        ongoing=False,
    )
    days = [datetime.date(2025, 1, 2), datetime.date(2025, 1, 3), datetime.date(2025, 1, 20)]
    # 29 days: four whole weeks; contacts in the first and the third.
    assert cadence_periods(stay, 7, days) == (4, 2)
    assert cadence_periods(stay, 30, days) == (0, 0)


def test_cadence_kept_per_phase(world) -> None:
    build(world, Plan("EDH-P00001"))
    result = report(world)
    weekly = phase_row(result["contact_cadence"], "Intake")
    # 90 days weekly: 12 whole weeks; contacts on days 1, 5, 15, 25, 35 fall in weeks
    # 0, 2, 3, 5.
    assert weekly["cadence_days"] == 7
    assert weekly["periods"] == {"n": 4, "of": 12, "percent": 33.3}
    # "As needed" (making the connection) is not measured.
    assert not any(r["phase"].startswith("Making") for r in result["contact_cadence"])


def test_referrals_made_and_completed_per_participant(world) -> None:
    build(world, Plan("EDH-P00001"))
    served = build(world, Plan("EDH-P00002", exit_reason="", phase_days=(90, 60)))
    referral = Referral.objects.get(enrolment=served)
    on = START + datetime.timedelta(days=120)
    update_referral(referral, by=world.alice, status="first_appointment", dated_on=on)
    update_referral(referral, by=world.alice, status="service_received", dated_on=on)
    referrals = report(world)["referrals"]
    assert referrals["made"] == 2
    assert referrals["completed"] == {"n": 1, "of": 2, "percent": 50.0}
    # Everyone enrolled counts: Rosa, Tess and Uma made none.
    assert referrals["made_per_participant"]["n"] == 5


def test_drop_in_attendance_and_the_dose_response_table(world) -> None:
    keen = build(world, Plan("EDH-KEEN01"))
    once = build(world, Plan("EDH-ONCE01"))
    never = build(world, Plan("EDH-NEVER1"))
    private = build(world, Plan("EDH-PRIV01", consents_to_evaluation=False))
    for n in range(6):
        session = start_session(
            world.program,
            by=world.alice,
            kind="drop_in",
            held_on=START + datetime.timedelta(days=7 * n + 3),
        )
        for enrolment in (keen, private) if n else (keen, once, private):
            mark_attendance(session, enrolment, by=world.alice)
    later = START + datetime.timedelta(days=200)
    for enrolment, after in ((keen, 6), (once, 4), (never, 6), (private, 9)):
        record_journey(enrolment, {"money": 4}, on=START, timepoint=Timepoint.INTAKE)
        record_journey(enrolment, {"money": after}, on=later, timepoint=Timepoint.PHASE_CHANGE)
    result = report(world)
    attendance = result["drop_in_attendance"]
    assert attendance["per_participant"]["max"] == 6
    assert attendance["by_band"]["5-9"] == 2  # keen and private: everyone enrolled counts
    rows = {r["band"]: r for r in result["dose_response"]["rows"]}
    # Only the consenting women: private is left out of the outcome.
    assert (rows["none"]["assessed"], rows["none"]["progressed"]) == (1, 1)
    assert (rows["1-4"]["assessed"], rows["1-4"]["progressed"]) == (1, 0)
    assert (rows["5-9"]["assessed"], rows["5-9"]["progressed"], rows["5-9"]["percent"]) == (
        1,
        1,
        100.0,
    )
    assert result["dose_response"]["consenting"] == 3


def test_attendance_bands() -> None:
    assert [band_of(n) for n in (0, 1, 4, 5, 19, 20, 99)] == [
        "none",
        "1-4",
        "1-4",
        "5-9",
        "10-19",
        "20 or more",
        "20 or more",
    ]


def test_the_number_of_queries_does_not_grow_with_the_participants(world) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            report(world)
        return len(queries)

    build(world, Plan("EDH-Q00001"))
    few = count()
    for n in range(2, 9):
        build(world, Plan(f"EDH-Q0000{n}", phase_days=(90, 90, 90 + n)))
    assert count() == few
