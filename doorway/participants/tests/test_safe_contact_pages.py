"""Her safe-contact instructions kept fresh: confirmed with her from the pages where a
worker reads them, dated and audited; shown wherever someone is about to contact her,
to those who see her identity only; refused to everyone else with nothing changed."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from doorway.audit.models import Action, AuditEntry
from doorway.conftest import World
from doorway.enrolments.actions import register_participant
from doorway.enrolments.safe_contact import confirm_safe_contact, update_identity
from doorway.people.models import Participant
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db

INSTRUCTIONS = "Text only after 6 pm; never leave a voicemail"
DAY = datetime.timedelta(days=1)


@pytest.fixture
def rosa(world: World) -> Participant:
    world.rosa.safe_contact = INSTRUCTIONS
    world.rosa.safe_contact_confirmed_on = None
    # Registered long ago and never asked since: the check is overdue.
    world.rosa.registered_at = timezone.now() - 200 * DAY
    world.rosa.save()
    return world.rosa


def confirm_url(participant: Participant) -> str:
    return reverse("safe_contact_confirm", args=[participant.pk])


def changes(participant: Participant) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=Action.CHANGE, participant_id=str(participant.pk)))


def test_confirming_dates_her_instructions_and_audits_the_field_name_only(
    world: World, rosa: Participant
) -> None:
    assert confirm_safe_contact(rosa, by=world.alice)
    rosa.refresh_from_db()
    assert rosa.safe_contact_confirmed_on == timezone.localdate()
    (entry,) = changes(rosa)
    assert entry.actor_id == str(world.alice.pk)
    assert entry.detail == {"fields": ["safe_contact_confirmed_on"]}
    assert "voicemail" not in entry.canonical().decode()
    # Twice the same day: nothing more to write or audit.
    assert not confirm_safe_contact(rosa, by=world.alice)
    assert len(changes(rosa)) == 1


def test_her_case_manager_confirms_from_her_page_and_comes_back_to_it(
    client, world: World, rosa: Participant
) -> None:
    signed_in(client, world.alice)
    page_url = reverse("participant_detail", args=[rosa.pk])
    page = client.get(page_url).content.decode()
    assert INSTRUCTIONS in page
    assert "Never confirmed with her." in page
    assert "check they still hold before you contact her" in page
    response = client.post(confirm_url(rosa), {"back": page_url})
    assert response.status_code == 302
    assert response["Location"] == page_url
    rosa.refresh_from_db()
    assert rosa.safe_contact_confirmed_on == timezone.localdate()
    page = client.get(page_url).content.decode()
    assert "Confirmed with her today." in page
    assert "check they still hold" not in page


def test_the_warning_shows_once_older_than_her_programs_setting(
    client, world: World, rosa: Participant
) -> None:
    world.program.safe_contact_check_days = 30
    world.program.save()
    page_url = reverse("participant_detail", args=[rosa.pk])
    signed_in(client, world.alice)
    rosa.safe_contact_confirmed_on = timezone.localdate() - 30 * DAY
    rosa.save()
    assert "safe-contact-stale" not in client.get(page_url).content.decode()
    rosa.safe_contact_confirmed_on = timezone.localdate() - 31 * DAY
    rosa.save()
    page = client.get(page_url).content.decode()
    assert "safe-contact-stale" in page
    assert "every 30 days" in page


def test_confirming_goes_back_to_one_of_our_pages_only(
    client, world: World, rosa: Participant
) -> None:
    signed_in(client, world.alice)
    for elsewhere in ("https://evil.example/", "//evil.example/x", ""):
        response = client.post(confirm_url(rosa), {"back": elsewhere})
        assert response["Location"] == reverse("participant_detail", args=[rosa.pk])


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("pat", 403),  # her peer mentor: reaches her, sees no identity
        ("ada", 404),  # an administrator without the glass broken
        ("eve", 404),  # an evaluator reaches no record
        ("bianca", 404),  # a case manager of another team
        ("oscar", 404),  # another agency
    ],
)
def test_those_who_may_not_confirm_are_refused_and_nothing_changes(
    client, world: World, rosa: Participant, who: str, status: int
) -> None:
    signed_in(client, getattr(world, who))
    assert client.post(confirm_url(rosa)).status_code == status
    rosa.refresh_from_db()
    assert rosa.safe_contact_confirmed_on is None
    assert changes(rosa) == []


def test_new_instructions_are_confirmed_as_of_today_and_other_edits_are_not(
    world: World, rosa: Participant
) -> None:
    update_identity(rosa, by=world.alice, phone="416-555-0199")
    rosa.refresh_from_db()
    assert rosa.safe_contact_confirmed_on is None
    changed = update_identity(rosa, by=world.alice, safe_contact="Call the desk first")
    assert changed == ["safe_contact", "safe_contact_confirmed_on"]
    rosa.refresh_from_db()
    assert rosa.safe_contact_confirmed_on == timezone.localdate()


def test_the_edit_page_posts_new_instructions_with_todays_date(
    client, world: World, rosa: Participant
) -> None:
    from doorway.people.tests.test_participant_changes_pages import identity
    from doorway.testing.forms import post_form

    signed_in(client, world.alice)
    url = reverse("participant_edit", args=[rosa.pk])
    assert "Never confirmed with her." in client.get(url).content.decode()
    assert post_form(client, url, identity(world)).status_code == 302
    rosa.refresh_from_db()
    assert rosa.safe_contact_confirmed_on == timezone.localdate()


def test_instructions_given_at_registration_are_confirmed_that_day(world: World) -> None:
    def register(safe_contact: str) -> Participant:
        return register_participant(
            cycle=world.rosa_enrolment.cycle,
            by=world.alice,
            preferred_name="Nell",
            referral_source="self",
            referred_on=timezone.localdate(),
            case_manager=world.alice,
            safe_contact=safe_contact,
        ).participant

    assert register("Email only").safe_contact_confirmed_on == timezone.localdate()
    assert register("").safe_contact_confirmed_on is None


def test_the_contact_form_shows_her_instructions_to_her_case_manager(
    client, world: World, rosa: Participant
) -> None:
    signed_in(client, world.alice)
    page = client.get(reverse("contact_record", args=[world.rosa_enrolment.pk])).content.decode()
    assert INSTRUCTIONS in page
    assert "Confirm with her today" in page


def test_a_peer_mentor_never_sees_her_instructions_where_she_records_a_contact(
    client, world: World, rosa: Participant
) -> None:
    from doorway.people.actions import add_safety_flag

    add_safety_flag(rosa, kind="other", note="Meet at the centre only", by=world.alice)
    signed_in(client, world.pat)
    for url in (
        reverse("contact_record", args=[world.rosa_enrolment.pk]),
        reverse("enrolment_detail", args=[world.rosa_enrolment.pk]),
        reverse("participant_detail", args=[rosa.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200
        page = response.content.decode()
        # The safety flags, as before; her instructions, their date and the button, never.
        assert "Meet at the centre only" in page
        assert "voicemail" not in page
        assert "safe-contact" not in page
        assert confirm_url(rosa) not in page


def test_the_enrolment_page_shows_them_beside_record_a_contact(
    client, world: World, rosa: Participant
) -> None:
    signed_in(client, world.alice)
    page = client.get(reverse("enrolment_detail", args=[world.rosa_enrolment.pk]))
    html = page.content.decode()
    header = html[html.index('id="enrolment-header"') : html.index("</header>")]
    assert "Record a contact" in header
    assert INSTRUCTIONS in header
    assert confirm_url(rosa) in header
