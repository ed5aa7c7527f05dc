"""The enrolment page, phone first: her name and the day's work at the top, a move
asked twice, consent recorded where its absence stops her."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from doorway.audit.models import Action, AuditEntry
from doorway.conftest import World
from doorway.enrolments.models import Enrolment
from doorway.people.models import Consent, ConsentKind
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db


def page_of(enrolment: Enrolment) -> str:
    return reverse("enrolment_detail", args=[enrolment.pk])


def test_her_name_code_and_next_actions_come_before_the_phase_forms(client, world: World) -> None:
    signed_in(client, world.alice)
    page = client.get(page_of(world.rosa_enrolment)).content.decode()
    heading = page[page.index("<h1") : page.index("</h1>")]
    assert "Rosa" in heading
    assert world.rosa.code in heading
    actions = page[page.index('id="next-actions"') :]
    assert page.index("Record a contact") < page.index("Her phase")
    assert "Agree her plan" in actions
    assert reverse("plan_agree", args=[world.rosa_enrolment.pk]) in actions
    assert "Make a referral" in actions
    # Asked once: the plan section no longer repeats it.
    assert page.count("Agree her plan") == 1
    # The move form is folded away.
    assert '<details id="move-details">' in page


def test_a_peer_mentor_gets_only_the_contact_action(client, world: World) -> None:
    signed_in(client, world.pat)
    page = client.get(page_of(world.rosa_enrolment)).content.decode()
    actions = page[
        page.index('id="next-actions"') : page.index("</nav>", page.index('id="next-actions"'))
    ]
    assert "Record a contact" in actions
    assert "plan" not in actions
    assert "referral" not in actions


def test_a_move_is_asked_before_it_is_made(client, world: World) -> None:
    enrolment = world.rosa_enrolment
    intake = world.program.active_phases()[1]
    signed_in(client, world.alice)
    data = {"move": f"phase:{intake.pk}", "reason": "", "on": timezone.localdate().isoformat()}
    asked = client.post(reverse("enrolment_move", args=[enrolment.pk]), data)
    assert asked.status_code == 200
    text = asked.content.decode()
    assert "Move her to Phase 1 — Intake and assessment?" in text
    assert 'name="confirmed" value="yes"' in text
    enrolment.refresh_from_db()
    assert enrolment.current_phase != intake
    done = client.post(reverse("enrolment_move", args=[enrolment.pk]), {**data, "confirmed": "yes"})
    assert done.status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.current_phase == intake


def without_service_consent(world: World) -> None:
    Consent.objects.filter(participant=world.rosa).delete()


def test_consent_recorded_from_the_enrolment_page_with_htmx(client, world: World) -> None:
    without_service_consent(world)
    enrolment = world.rosa_enrolment
    signed_in(client, world.alice)
    page = client.get(page_of(enrolment)).content.decode()
    assert "She has no consent to service in force" in page
    assert "Not yet: She has no consent to service in force" in page

    answer = client.post(
        reverse("enrolment_consent", args=[enrolment.pk]),
        {"kind": ConsentKind.SERVICE, "given_on": timezone.localdate().isoformat()},
        HTTP_HX_REQUEST="true",
    )

    assert answer.status_code == 200
    text = answer.content.decode()
    assert "Her consent was recorded." in text
    # The moves it unblocked come back out of band, no longer "not yet".
    assert 'hx-swap-oob="true"' in text
    assert "Not yet: She has no consent" not in text
    assert world.rosa.has_consent(ConsentKind.SERVICE)
    assert AuditEntry.objects.filter(action=Action.CREATE, object_type="people.Consent").exists()


def test_consent_without_javascript_comes_back_to_the_page(client, world: World) -> None:
    without_service_consent(world)
    enrolment = world.rosa_enrolment
    signed_in(client, world.alice)
    url = reverse("enrolment_consent", args=[enrolment.pk])
    refused = client.post(url, {"kind": ConsentKind.INFORMATION_SHARING, "given_on": ""})
    assert refused.status_code == 200
    assert "Name the partner agency she agrees to share with." in refused.content.decode()
    assert not Consent.objects.filter(participant=world.rosa).exists()
    done = client.post(url, {"kind": ConsentKind.SERVICE, "given_on": timezone.localdate()})
    assert done.status_code == 302
    assert done["Location"] == page_of(enrolment)


def test_a_peer_mentor_may_not_record_consent(client, world: World) -> None:
    without_service_consent(world)
    signed_in(client, world.pat)
    url = reverse("enrolment_consent", args=[world.rosa_enrolment.pk])
    answer = client.post(url, {"kind": ConsentKind.SERVICE, "given_on": timezone.localdate()})
    assert answer.status_code == 403
    assert not Consent.objects.filter(participant=world.rosa).exists()


def test_the_consent_partner_field_says_when_it_is_required(client, world: World) -> None:
    without_service_consent(world)
    signed_in(client, world.alice)
    page = client.get(page_of(world.rosa_enrolment)).content.decode()
    label = page[
        page.index('for="consent_partner"') : page.index(
            "</label>", page.index('for="consent_partner"')
        )
    ]
    assert "(optional)" not in label
    assert "Required for consent to share her information" in page
