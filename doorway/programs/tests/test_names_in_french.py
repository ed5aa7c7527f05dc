"""A program manager writes a phase's and a focus area's name in French beside the
English; a page in French shows the French, one in English the English, and a name
without French shows the English in both."""

from __future__ import annotations

import pytest
from django.utils import translation

from doorway.conftest import World
from doorway.programs.models import FocusArea, Phase
from doorway.testing.forms import post_form
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db


def test_a_focus_area_gets_its_french_name_from_the_page(client, world: World) -> None:
    signed_in(client, world.morgan)
    base = f"/programs/{world.program.pk}/"
    client.post(
        base + "focus-areas/add/", {"name": "Safety", "name_fr": "Sécurité", "slug": "safety"}
    )
    area = FocusArea.objects.get(program=world.program, slug="safety")
    assert area.name_fr == "Sécurité"
    with translation.override("fr-ca"):
        assert area.local_name == "Sécurité"
    with translation.override("en-ca"):
        assert area.local_name == "Safety"


def test_a_phase_gets_its_french_name_from_the_page(client, world: World) -> None:
    signed_in(client, world.morgan)
    phase = Phase.objects.filter(program=world.program, retired=False).order_by("order").first()
    assert phase is not None
    url = f"/programs/{world.program.pk}/phases/{phase.pk}/"
    values = {
        "name": phase.name,
        "name_fr": "Établir le lien",
        "description": phase.description,
        "expected_days": phase.expected_days or "",
        "contact_cadence": phase.contact_cadence,
        "requires_service_consent": "on" if phase.requires_service_consent else "",
        "requires_eligibility": "on" if phase.requires_eligibility else "",
    }
    post_form(client, url, {k: v for k, v in values.items() if v != ""})
    phase.refresh_from_db()
    assert phase.name_fr == "Établir le lien"
    with translation.override("fr-ca"):
        assert phase.local_name == "Établir le lien"


def test_without_french_the_english_name_is_shown(world: World) -> None:
    area = FocusArea.objects.filter(program=world.program).first()
    assert area is not None
    assert area.name_fr == ""
    with translation.override("fr-ca"):
        assert area.local_name == area.name
