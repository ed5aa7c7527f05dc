"""Drafts: kept encrypted, for their author alone, about a record she may write; gone
after a week and once the form is accepted; and a form sent after the session ended
comes back after she signs in again."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from doorway.audit.models import AuditEntry
from doorway.casework.models import Contact
from doorway.conftest import World
from doorway.drafts.actions import purge_expired, save_draft
from doorway.drafts.models import DRAFT_DAYS, Draft
from doorway.drafts.registry import FIELD, DraftOf, read_token, token
from doorway.people.models import User
from doorway.testing.signin import give_totp, sign_in_client, signed_in

pytestmark = pytest.mark.django_db

WORDS = "She found a room at the shelter on Dundas; wants help with the lease."


def contact_token(world: World, user: User, object_id: Any = "") -> str:
    return token("contact", world.rosa_enrolment.pk, object_id, user.pk)


def contact_of(world: World, user: User) -> DraftOf:
    of = read_token(contact_token(world, user))
    assert of is not None
    return of


def save(client: Client, draft: str, **fields: str) -> Any:
    return client.post(reverse("draft_save"), {FIELD: draft, **fields})


def restore(client: Client, draft: str) -> Any:
    return client.get(reverse("draft_restore"), {"draft": draft})


def test_the_draft_is_encrypted_at_rest(client: Client, world: World) -> None:
    signed_in(client, world.alice)
    assert save(client, contact_token(world, world.alice), note=WORDS).status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT content FROM drafts_draft")
        (stored,) = cursor.fetchone()
    assert "Dundas" not in stored
    assert Draft.objects.get().fields["note"] == [WORDS]


def test_she_gets_her_draft_back(client: Client, world: World) -> None:
    signed_in(client, world.alice)
    draft = contact_token(world, world.alice)
    save(client, draft, note=WORDS, kind="counselling")
    answer = restore(client, draft).json()
    assert answer["fields"] == {"note": [WORDS], "kind": ["counselling"]}
    assert answer["notice"].startswith("Draft restored from ")


def test_another_worker_neither_reads_nor_overwrites_her_draft(world: World) -> None:
    alice, amira = Client(), Client()
    signed_in(alice, world.alice)
    signed_in(amira, world.amira)
    save(alice, contact_token(world, world.alice), note=WORDS)
    # Amira is on Rosa's team and has her own draft of the same form: she sees none of
    # Alice's words, even holding the token Alice's page was given.
    assert restore(amira, contact_token(world, world.alice)).json() == {}
    save(amira, contact_token(world, world.alice), note="Amira's words")
    assert restore(alice, contact_token(world, world.alice)).json()["fields"]["note"] == [WORDS]
    assert Draft.objects.filter(author=world.amira).get().fields["note"] == ["Amira's words"]


def test_a_worker_out_of_reach_cannot_keep_a_draft_about_her(client: Client, world: World) -> None:
    signed_in(client, world.bianca)  # another team's case manager
    refusals = AuditEntry.objects.filter(action="refused").count()
    assert save(client, contact_token(world, world.bianca), note=WORDS).status_code == 404
    assert restore(client, contact_token(world, world.bianca)).status_code == 404
    assert not Draft.objects.exists()
    assert AuditEntry.objects.filter(action="refused").count() == refusals + 2


def test_a_role_that_may_not_write_the_form_keeps_no_draft(client: Client, world: World) -> None:
    # Pat, her peer mentor, reaches Rosa and records peer contacts, but edits none.
    contact = Contact.objects.create(
        enrolment=world.rosa_enrolment,
        happened_on=timezone.localdate(),
        duration_minutes=30,
        kind="counselling",
        recorded_by=world.alice,
    )
    signed_in(client, world.pat)
    edit = token("contact-edit", world.rosa_enrolment.pk, contact.pk, world.pat.pk)
    assert save(client, edit, note=WORDS).status_code == 403
    assert not Draft.objects.exists()


def test_a_token_not_made_here_is_refused(client: Client, world: World) -> None:
    signed_in(client, world.alice)
    forged = contact_token(world, world.alice)[:-2] + "xx"
    assert save(client, forged, note=WORDS).status_code == 404
    unknown = token("no-such-form", world.rosa_enrolment.pk, "", world.alice.pk)
    assert save(client, unknown, note=WORDS).status_code == 404
    assert not Draft.objects.exists()


def test_a_draft_too_long_is_refused_and_nothing_kept(client: Client, world: World) -> None:
    signed_in(client, world.alice)
    response = save(client, contact_token(world, world.alice), note="x" * 70_000)
    assert response.status_code == 400
    assert "too long" in response.json()["error"]
    assert not Draft.objects.exists()


def test_a_draft_expires_after_a_week(client: Client, world: World) -> None:
    signed_in(client, world.alice)
    draft = contact_token(world, world.alice)
    save(client, draft, note=WORDS)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=DRAFT_DAYS, hours=1)):
        signed_in(client, world.alice)
        assert restore(client, draft).json() == {}
        assert purge_expired() == 1
    assert not Draft.objects.exists()


def test_saving_any_draft_clears_the_expired_ones(world: World) -> None:
    old = timezone.now() - datetime.timedelta(days=DRAFT_DAYS + 1)
    save_draft(
        world.amira, contact_of(world, world.amira), {"note": ["old"]}, enrolment=None, saved_at=old
    )
    save_draft(world.alice, contact_of(world, world.alice), {"note": [WORDS]}, enrolment=None)
    assert list(Draft.objects.values_list("author", flat=True)) == [world.alice.pk]


def test_the_draft_is_deleted_when_the_form_is_accepted(client: Client, world: World) -> None:
    signed_in(client, world.alice)
    draft = contact_token(world, world.alice)
    save(client, draft, note=WORDS)
    url = reverse("contact_record", args=[world.rosa_enrolment.pk])
    # Refused (no duration): the draft stays.
    client.post(url, {FIELD: draft, "happened_on": timezone.localdate(), "kind": "counselling"})
    assert Draft.objects.exists()
    response = client.post(
        url,
        {
            FIELD: draft,
            "happened_on": timezone.localdate(),
            "duration_minutes": "45",
            "kind": "counselling",
            "note": WORDS,
        },
    )
    assert response.status_code == 302
    assert Contact.objects.get().note == WORDS
    assert not Draft.objects.exists()


def test_discard_deletes_only_her_own_draft(client: Client, world: World) -> None:
    save_draft(world.amira, contact_of(world, world.amira), {"note": ["hers"]}, enrolment=None)
    signed_in(client, world.alice)
    draft = contact_token(world, world.alice)
    save(client, draft, note=WORDS)
    assert client.post(reverse("draft_discard"), {FIELD: draft}).status_code == 200
    assert list(Draft.objects.values_list("author", flat=True)) == [world.amira.pk]


def test_the_contact_form_opts_in(client: Client, world: World) -> None:
    signed_in(client, world.alice)
    page = client.get(reverse("contact_record", args=[world.rosa_enrolment.pk]))
    html = page.content.decode()
    assert f'name="{FIELD}"' in html
    assert "data-restore" in html
    assert 'src="/static/doorway/drafts.js"' in html
    assert f'data-idle-seconds="{settings.SESSION_COOKIE_AGE}"' in html


# --- the idle sign-out ---------------------------------------------------------------


def test_the_warning_counts_from_when_the_server_last_pushed_the_expiry_on(
    client: Client, world: World
) -> None:
    """The session's expiry is pushed on at most once a minute: a page asked for 40 s
    after the last push has 40 s less to go, and its warning must come 40 s sooner."""
    url = reverse("contact_record", args=[world.rosa_enrolment.pk])
    start = timezone.now().replace(microsecond=0)  # the push is kept in whole seconds
    with time_machine.travel(start, tick=False) as traveller:
        signed_in(client, world.alice)
        client.get(url)
        traveller.shift(datetime.timedelta(seconds=40))
        html = client.get(url).content.decode()
        assert f'data-idle-seconds="{settings.SESSION_COOKIE_AGE - 40}"' in html
        # A minute on, this answer pushes the expiry on: the full limit again.
        traveller.shift(datetime.timedelta(seconds=30))
        html = client.get(url).content.decode()
        assert f'data-idle-seconds="{settings.SESSION_COOKIE_AGE}"' in html


def test_stay_signed_in_pushes_the_expiry_on(client: Client, world: World) -> None:
    signed_in(client, world.alice)
    start = timezone.now()
    with time_machine.travel(start + datetime.timedelta(minutes=28)):
        assert client.post(reverse("stay_signed_in")).status_code == 200
    # 29 minutes after that click she is still signed in: 57 minutes after the start.
    with time_machine.travel(start + datetime.timedelta(minutes=57)):
        assert client.get(reverse("home")).status_code == 200


def expire_sessions() -> None:
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))


def test_a_form_sent_after_the_idle_sign_out_goes_to_sign_in(client: Client, world: World) -> None:
    """What the issue found: the session ends after 30 idle minutes; the note sent then
    goes to sign-in. Without the form's draft field, nothing of it is kept."""
    signed_in(client, world.alice)
    url = reverse("contact_record", args=[world.rosa_enrolment.pk])
    expire_sessions()
    response = client.post(url, {"note": WORDS, "duration_minutes": "45"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not Contact.objects.exists()


def test_a_note_sent_after_the_session_ended_comes_back_after_signing_in(
    client: Client, world: World
) -> None:
    give_totp(world.alice)
    sign_in_client(client, world.alice)
    url = reverse("contact_record", args=[world.rosa_enrolment.pk])
    draft = contact_token(world, world.alice)
    save(client, draft, note="The first words")
    expire_sessions()
    sent = {FIELD: draft, "kind": "counselling", "duration_minutes": "45", "note": WORDS}
    response = client.post(url, sent)
    assert response["Location"] == f"{reverse('account_login')}?next={url}"
    # Kept encrypted in the (new) session, never in the clear.
    for session in Session.objects.all():
        assert "Dundas" not in session.get_decoded().get("doorway.drafts.pending", "")
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=31)):
        signed_in_again = sign_in_client(client, world.alice)
    assert signed_in_again.status_code == 302
    answer = restore(client, draft).json()
    assert answer["fields"]["note"] == [WORDS]
    assert answer["fields"]["kind"] == ["counselling"]
    assert answer["unsaved"] is True


def test_what_was_sent_after_the_session_ended_is_not_shown_to_someone_else(
    client: Client, world: World
) -> None:
    """A shared computer: Alice's session ends, she sends the note, and Amira signs in."""
    signed_in(client, world.alice)
    url = reverse("contact_record", args=[world.rosa_enrolment.pk])
    expire_sessions()
    client.post(url, {FIELD: contact_token(world, world.alice), "note": WORDS})
    signed_in(client, world.amira)
    # Amira opens the same form: her page's token names her, and nothing of Alice's shows.
    assert restore(client, contact_token(world, world.amira)).json() == {}
    assert restore(client, contact_token(world, world.alice)).json() == {}


def test_a_forged_post_keeps_nothing(world: World) -> None:
    """Without the CSRF token the post is refused before anything is kept."""
    client = Client(enforce_csrf_checks=True)
    url = reverse("contact_record", args=[world.rosa_enrolment.pk])
    response = client.post(url, {FIELD: contact_token(world, world.alice), "note": WORDS})
    assert response.status_code == 403
    assert "doorway.drafts.pending" not in client.session
