"""Her page: what each role sees of her, and the refusals, audited."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import formats, timezone

from doorway.audit.models import Action, AuditEntry
from doorway.conftest import World
from doorway.people.actions import add_safety_flag
from doorway.people.models import BreakGlass, FlagKind
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db


def born(world: World) -> str:
    """Her date of birth as the page prints a date (DATE_FORMAT)."""
    assert world.rosa.date_of_birth is not None
    return formats.date_format(world.rosa.date_of_birth)


def detail(person) -> str:
    return reverse("participant_detail", args=[person.pk])


def open_glass(world: World, minutes: int = 30) -> BreakGlass:
    return BreakGlass.objects.create(
        user=world.ada,
        participant=world.rosa,
        reason="She asked for a copy of her record at the front desk.",
        expires_at=timezone.now() + datetime.timedelta(minutes=minutes),
    )


def test_her_case_manager_sees_identity_consents_and_enrolments(client, world: World) -> None:
    signed_in(client, world.alice)
    page = client.get(detail(world.rosa)).content.decode()
    assert world.rosa.code in page
    assert "Rosa Example" in page
    assert "416-555-0100" in page
    assert born(world) in page
    assert "Consents" in page
    assert reverse("enrolment_detail", args=[world.rosa_enrolment.pk]) in page
    assert reverse("participant_edit", args=[world.rosa.pk]) in page


def test_her_page_is_audited_as_a_view_without_her_name(client, world: World) -> None:
    signed_in(client, world.alice)
    client.get(detail(world.rosa))
    entry = AuditEntry.objects.filter(action=Action.VIEW).get()
    assert entry.participant_id == str(world.rosa.pk)
    assert entry.actor_id == str(world.alice.pk)
    assert "rosa" not in entry.canonical().decode().lower()


def test_safety_flags_are_at_the_top_of_her_page(client, world: World) -> None:
    add_safety_flag(world.rosa, kind=FlagKind.NO_VOICEMAIL, note="", by=world.alice)
    signed_in(client, world.pat)
    page = client.get(detail(world.rosa)).content.decode()
    banner = page.index("Safety flags: follow these every time")
    assert banner < page.index(world.rosa.code + "</span> · Rosa")
    assert "No voicemail" in page


def test_a_peer_mentor_sees_code_name_flags_and_phase_only(client, world: World) -> None:
    signed_in(client, world.pat)
    response = client.get(detail(world.rosa))
    page = response.content.decode()
    assert response.status_code == 200
    assert world.rosa.code in page
    assert "Rosa" in page
    assert world.rosa_enrolment.current_phase.name in page
    for hidden in ["Rosa Example", "416-555-0100", born(world), "Consents", "Edit her details"]:
        assert hidden not in page
    assert "Add a safety flag" not in page


def test_a_case_manager_cannot_open_another_teams_participant(client, world: World) -> None:
    signed_in(client, world.alice)
    response = client.get(detail(world.uma))
    assert response.status_code == 404
    assert "Uma" not in response.content.decode()
    refused = AuditEntry.objects.get(action=Action.REFUSED)
    assert refused.participant_id == str(world.uma.pk)
    assert refused.actor_id == str(world.alice.pk)
    assert not AuditEntry.objects.filter(action=Action.VIEW).exists()


def test_an_unknown_id_answers_like_a_hidden_one(client, world: World) -> None:
    signed_in(client, world.alice)
    assert client.get("/participants/00000000-0000-4000-8000-000000000000/").status_code == 404
    assert client.get("/participants/not-a-uuid/").status_code == 404


@pytest.mark.parametrize("who", ["eve", "ada", "olive", "oscar", "bianca"])
def test_those_out_of_reach_get_404_on_every_page_about_her(client, world, who) -> None:
    signed_in(client, getattr(world, who))
    rosa = world.rosa
    consent = rosa.consents.get()
    for url in [
        detail(rosa),
        reverse("participant_edit", args=[rosa.pk]),
        reverse("enrolment_detail", args=[world.rosa_enrolment.pk]),
    ]:
        assert client.get(url).status_code == 404, url
    posts = {
        reverse("participant_edit", args=[rosa.pk]): {"preferred_name": "Changed"},
        reverse("safety_flag_add", args=[rosa.pk]): {"kind": FlagKind.NO_MAIL},
        reverse("consent_give", args=[rosa.pk]): {"kind": "evaluation", "given_on": "2024-01-01"},
        reverse("consent_withdraw", args=[rosa.pk, consent.pk]): {
            f"w-{consent.pk}-on": timezone.localdate().isoformat()
        },
    }
    for url, data in posts.items():
        assert client.post(url, data).status_code == 404, url
    rosa.refresh_from_db()
    consent.refresh_from_db()
    assert rosa.preferred_name == "Rosa"
    assert not rosa.safety_flags.exists()
    assert rosa.consents.count() == 1
    assert consent.withdrawn_on is None
    assert AuditEntry.objects.filter(action=Action.REFUSED).count() == 3 + len(posts)


def test_anonymous_is_sent_to_sign_in(client, world: World) -> None:
    response = client.get(detail(world.rosa))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_an_administrator_who_broke_the_glass_reads_her_record_read_only(client, world) -> None:
    grant = open_glass(world)
    signed_in(client, world.ada)
    page = client.get(detail(world.rosa)).content.decode()
    until = timezone.localtime(grant.expires_at).strftime("%H:%M")
    assert f"Break-the-glass access until {until}" in page
    assert "Rosa Example" in page
    assert "Edit her details" not in page
    assert "Add a safety flag" not in page
    assert "Record a consent" not in page
    edit = reverse("participant_edit", args=[world.rosa.pk])
    assert client.get(edit).status_code == 403
    assert client.post(edit, {"preferred_name": "Changed"}).status_code == 403
    flag = reverse("safety_flag_add", args=[world.rosa.pk])
    assert client.post(flag, {"kind": FlagKind.NO_MAIL}).status_code == 403
    world.rosa.refresh_from_db()
    assert world.rosa.preferred_name == "Rosa"
    assert not world.rosa.safety_flags.exists()


def test_an_expired_break_the_glass_opens_nothing(client, world: World) -> None:
    open_glass(world, minutes=-1)
    signed_in(client, world.ada)
    assert client.get(detail(world.rosa)).status_code == 404


def test_nobody_else_sees_a_break_the_glass_notice(client, world: World) -> None:
    open_glass(world)
    signed_in(client, world.alice)
    assert "Break-the-glass" not in client.get(detail(world.rosa)).content.decode()
