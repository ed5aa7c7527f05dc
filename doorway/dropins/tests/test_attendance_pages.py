"""The drop-in pages by role: who is listed, who is only counted, tapping with and
without HTMX, walk-ins, the enrolment-page section, and fixed query counts."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from doorway.audit.models import AuditEntry
from doorway.conftest import World
from doorway.dropins.actions import mark_attendance, start_session
from doorway.dropins.models import Attendance, GroupSession, SessionKind
from doorway.testing.factories import (
    CycleFactory,
    EnrolmentFactory,
    ParticipantFactory,
)
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db


def a_session(world: World, by=None, **kw: object) -> GroupSession:
    values: dict[str, Any] = {"kind": SessionKind.DROP_IN, "held_on": timezone.localdate()}
    values.update(kw)
    return start_session(world.program, by=by or world.alice, **values)


def attendance_url(session: GroupSession) -> str:
    return reverse("session_attendance", args=[session.pk])


def mark_url(session: GroupSession) -> str:
    return reverse("attendance_mark", args=[session.pk])


def test_starting_a_session_from_the_form_defaults_to_today(client, world: World) -> None:
    signed_in(client, world.alice)
    form = client.get(reverse("session_start")).content.decode()
    assert timezone.localdate().isoformat() in form
    response = client.post(
        reverse("session_start"),
        {
            "program": world.program.pk,
            "kind": "group",
            "held_on": timezone.localdate().isoformat(),
            "topic": "Safety planning",
            "facilitators": [world.alice.pk, world.pat.pk],
        },
    )
    session = GroupSession.objects.get()
    assert response["Location"] == attendance_url(session)
    assert set(session.facilitators.all()) == {world.alice, world.pat}


def test_a_bad_session_form_keeps_what_was_typed_and_saves_nothing(client, world: World) -> None:
    signed_in(client, world.alice)
    response = client.post(
        reverse("session_start"),
        {"program": world.program.pk, "kind": "group", "held_on": "2999-01-01", "topic": ""},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "A session cannot be dated in the future." in page
    assert "Name the group&#x27;s topic." in page
    assert "2999-01-01" in page
    assert GroupSession.objects.count() == 0


def test_another_agencys_manager_cannot_start_a_session_in_this_program(
    client, world: World
) -> None:
    signed_in(client, world.olive)
    response = client.post(
        reverse("session_start"),
        {"program": world.program.pk, "kind": "drop_in", "held_on": timezone.localdate()},
    )
    assert response.status_code == 200
    assert GroupSession.objects.count() == 0


def test_the_attendance_page_lists_the_expected_women_she_reaches(client, world: World) -> None:
    session = a_session(world)
    signed_in(client, world.alice)
    page = client.get(attendance_url(session)).content.decode()
    # Rosa is Alice's, Tess her teammate's; Uma is on another team, Vera elsewhere.
    assert "Rosa" in page
    assert world.rosa.code in page
    assert "Tess" in page
    assert "Uma" not in page
    assert "Vera" not in page
    # Preferred name and code only.
    assert "Rosa Example" not in page
    assert " style=" not in page
    assert "<script>" not in page


def test_a_peer_mentor_sees_and_marks_only_her_mentees(client, world: World) -> None:
    session = a_session(world)
    signed_in(client, world.pat)
    page = client.get(attendance_url(session)).content.decode()
    assert "Rosa" in page
    assert "Tess" not in page
    tess = world.tess.enrolments.get()
    response = client.post(mark_url(session), {"enrolment": tess.pk, "attended": "1"})
    assert response.status_code == 404
    assert Attendance.objects.count() == 0
    response = client.post(
        mark_url(session), {"enrolment": world.rosa_enrolment.pk, "attended": "1"}
    )
    assert response.status_code == 302
    assert Attendance.objects.get().enrolment == world.rosa_enrolment


def test_a_tap_with_htmx_answers_the_button_and_the_count(client, world: World) -> None:
    session = a_session(world)
    signed_in(client, world.alice)
    response = client.post(
        mark_url(session),
        {"enrolment": world.rosa_enrolment.pk, "attended": "1"},
        HTTP_HX_REQUEST="true",
    )
    fragment = response.content.decode()
    assert 'aria-pressed="true"' in fragment
    assert 'id="present-count"' in fragment
    assert 'hx-swap-oob="true"' in fragment
    assert "<html" not in fragment
    response = client.post(
        mark_url(session),
        {"enrolment": world.rosa_enrolment.pk, "attended": "0"},
        HTTP_HX_REQUEST="true",
    )
    assert 'aria-pressed="false"' in response.content.decode()
    assert Attendance.objects.count() == 0


def test_a_tap_without_javascript_goes_back_to_her_name(client, world: World) -> None:
    session = a_session(world)
    signed_in(client, world.alice)
    response = client.post(
        mark_url(session), {"enrolment": world.rosa_enrolment.pk, "attended": "1"}
    )
    assert response["Location"].endswith(f"#mark-{world.rosa_enrolment.pk}")
    page = client.get(attendance_url(session)).content.decode()
    assert 'aria-pressed="true"' in page


def test_a_malformed_enrolment_is_answered_404(client, world: World) -> None:
    session = a_session(world)
    signed_in(client, world.alice)
    assert client.post(mark_url(session), {"enrolment": "nope", "attended": "1"}).status_code == 404


def test_the_others_count_never_names_women_she_does_not_reach(client, world: World) -> None:
    session = a_session(world, by=world.morgan)
    for participant in (world.rosa, world.tess, world.uma):
        mark_attendance(session, participant.enrolments.get(), by=world.morgan)
    signed_in(client, world.bianca)
    page = client.get(attendance_url(session)).content.decode()
    assert "Uma" in page
    # A word: a staff name made up by the factory (Rosario) is not hers.
    assert not re.search(r"\bRosa\b", page)
    assert world.rosa.code not in page
    assert "Tess" not in page
    assert world.tess.code not in page
    assert "and 2 others" in page
    # Pat reaches Rosa only.
    signed_in(client, world.pat)
    page = client.get(attendance_url(session)).content.decode()
    assert "Rosa" in page
    assert "Tess" not in page
    assert "Uma" not in page
    assert "and 2 others" in page
    # An administrator without the glass: counts only.
    signed_in(client, world.ada)
    page = client.get(attendance_url(session)).content.decode()
    # A word: a staff name made up by the factory (Rosario) is not hers.
    assert not re.search(r"\bRosa\b", page)
    assert "Uma" not in page
    assert "and 3 others" in page


def test_viewing_a_session_audits_who_was_shown(client, world: World) -> None:
    session = a_session(world)
    signed_in(client, world.alice)
    client.get(attendance_url(session))
    entry = AuditEntry.objects.filter(action="view", object_id=str(session.pk)).get()
    assert str(world.rosa.pk) in entry.detail["shown"]
    assert str(world.uma.pk) not in entry.detail["shown"]


def test_a_walk_in_is_found_by_preferred_name_and_added(client, world: World) -> None:
    # Rosa also has a closed enrolment in an earlier cycle: not expected, reachable.
    earlier = CycleFactory(program=world.program, name="Cycle 0")
    graduate = ParticipantFactory(
        preferred_name="Dana", agency=world.agency, registered_by=world.alice
    )
    closed = EnrolmentFactory(
        participant=graduate,
        cycle=earlier,
        case_manager=world.alice,
        exit_reason="graduated",
        exited_on=timezone.localdate(),
    )
    session = a_session(world)
    signed_in(client, world.alice)
    url = reverse("walk_in_search", args=[session.pk])
    response = client.post(url, {"q": "dana"}, HTTP_HX_REQUEST="true")
    fragment = response.content.decode()
    assert "Dana" in fragment
    assert "Add as a walk-in" in fragment
    # The expected are not offered again; the search term is never audited.
    assert "Rosa" not in client.post(url, {"q": "Rosa"}, HTTP_HX_REQUEST="true").content.decode()
    assert not any("dana" in str(e.detail).lower() for e in AuditEntry.objects.all())
    client.post(mark_url(session), {"enrolment": closed.pk, "attended": "1"})
    attendance = Attendance.objects.get()
    assert attendance.walk_in
    page = client.get(attendance_url(session)).content.decode()
    assert "Walk-ins you added" in page
    assert "Dana" in page


def test_anonymous_walk_ins_are_added_one_tap_at_a_time(client, world: World) -> None:
    session = a_session(world)
    signed_in(client, world.pat)
    url = reverse("attendance_anonymous", args=[session.pk])
    client.post(url, {"change": "1"})
    response = client.post(url, {"change": "1"}, HTTP_HX_REQUEST="true")
    assert 'id="anonymous-count">2<' in response.content.decode()
    session.refresh_from_db()
    assert session.anonymous_walk_ins == 2


def test_the_session_list_is_newest_first_and_shows_counts(client, world: World) -> None:
    old = a_session(world, held_on=timezone.localdate() - datetime.timedelta(days=7))
    new = a_session(world, kind=SessionKind.GROUP, topic="Money")
    mark_attendance(new, world.rosa_enrolment, by=world.alice)
    signed_in(client, world.pat)
    page = client.get(reverse("session_list")).content.decode()
    assert page.index(str(new.pk)) < page.index(str(old.pk))
    assert "1 with a record" in page
    # A word: a staff name made up by the factory (Rosario) is not hers.
    assert not re.search(r"\bRosa\b", page)


def test_an_evaluator_gets_404_everywhere(client, world: World) -> None:
    session = a_session(world)
    signed_in(client, world.eve)
    assert client.get(reverse("session_list")).status_code == 404
    assert client.get(attendance_url(session)).status_code == 404


def test_the_enrolment_page_counts_her_drop_ins_and_groups(client, world: World) -> None:
    today = timezone.localdate()
    for days in (14, 7, 0):
        mark_attendance(
            a_session(world, held_on=today - datetime.timedelta(days=days)),
            world.rosa_enrolment,
            by=world.alice,
        )
    group = a_session(world, kind=SessionKind.GROUP, topic="Healthy relationships")
    mark_attendance(group, world.rosa_enrolment, by=world.alice)
    for who in (world.alice, world.pat):
        signed_in(client, who)
        page = client.get(reverse("enrolment_detail", args=[world.rosa_enrolment.pk]))
        text = page.content.decode()
        assert "<strong>3</strong> weekly drop-ins · latest" in text
        assert "<strong>1</strong> psycho-education group · latest" in text
        assert "Healthy relationships" in text


# --- fixed query counts -------------------------------------------------------------

# Sign-in, session and audit middleware included; the same for 2 rows or 20.
PAGE_QUERIES = 21


def caseload(world: World, count: int) -> None:
    for n in range(count):
        person = ParticipantFactory(
            preferred_name=f"Woman{n}", agency=world.agency, registered_by=world.alice
        )
        EnrolmentFactory(
            participant=person, cycle=world.rosa_enrolment.cycle, case_manager=world.alice
        )


@pytest.mark.parametrize("count", [2, 20])
def test_the_attendance_page_costs_the_same_for_2_or_20_women(
    client, world: World, count: int, django_assert_max_num_queries
) -> None:
    caseload(world, count)
    session = a_session(world)
    for enrolment in world.rosa_enrolment.cycle.enrolments.filter(case_manager=world.alice):
        mark_attendance(session, enrolment, by=world.alice)
    signed_in(client, world.alice)
    client.get(attendance_url(session))
    with django_assert_max_num_queries(PAGE_QUERIES):
        page = client.get(attendance_url(session)).content.decode()
    assert page.count('aria-pressed="true"') == count + 1


@pytest.mark.parametrize("count", [2, 20])
def test_the_session_list_costs_the_same_for_2_or_20_sessions(
    client, world: World, count: int, django_assert_max_num_queries
) -> None:
    for n in range(count):
        session = a_session(world, facilitators=[world.alice, world.pat])
        if n % 2:
            mark_attendance(session, world.rosa_enrolment, by=world.alice)
    signed_in(client, world.alice)
    client.get(reverse("session_list"))
    with django_assert_max_num_queries(PAGE_QUERIES):
        page = client.get(reverse("session_list")).content.decode()
    assert page.count('class="border-bottom py-2 group-session"') == count


@pytest.mark.parametrize("count", [2, 20])
def test_the_drop_ins_section_costs_the_same_for_2_or_20_attendances(
    client, world: World, count: int, django_assert_max_num_queries
) -> None:
    from doorway.dropins.views import attendance_section

    for n in range(count):
        session = a_session(world, held_on=timezone.localdate() - datetime.timedelta(days=n))
        mark_attendance(session, world.rosa_enrolment, by=world.alice)
    signed_in(client, world.alice)
    request = client.get(reverse("enrolment_detail", args=[world.rosa_enrolment.pk])).wsgi_request
    with django_assert_max_num_queries(2):
        section = attendance_section(request, world.rosa_enrolment)
    assert section["dropins_attendance"]["total"] == count
