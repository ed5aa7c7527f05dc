"""The plan she takes home is in her language, whatever the worker's, and says whom to
call."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import formats, translation

from doorway.conftest import World
from doorway.plans.tests.support import HER_WORDS, areas, plan_for
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db


def printed(client, world: World, worker_language: str) -> tuple[str, str]:
    signed_in(client, world.alice)
    answer = client.get(
        reverse("plan_print", args=[world.rosa_enrolment.pk]),
        HTTP_ACCEPT_LANGUAGE=worker_language,
    )
    assert answer.status_code == 200
    return answer.content.decode(), answer["Content-Language"]


def test_her_plan_is_printed_in_french_for_an_english_speaking_worker(client, world) -> None:
    plan, _goals = plan_for(world)
    area = areas(world)[0]
    area.name_fr = "Logement (en français)"
    area.save()
    world.rosa.preferred_language = "fr-ca"
    world.rosa.save()

    page, language = printed(client, world, "en-CA")

    assert language == "fr-ca"
    assert re.search(r'<html lang="fr-ca">', page)
    assert "Mes objectifs" in page
    assert "My goals" not in page
    assert "Logement (en français)" in page
    with translation.override("fr-ca"):
        assert formats.date_format(plan.agreed_on) in page
    # Her own words stay as she said them.
    assert HER_WORDS in page
    # The worker's own pages stay in English.
    signed_in(client, world.alice)
    detail = client.get(
        reverse("plan_detail", args=[world.rosa_enrolment.pk]), HTTP_ACCEPT_LANGUAGE="en-CA"
    )
    assert "Printable plan for her" in detail.content.decode()


def test_her_plan_is_printed_in_english_for_a_french_speaking_worker(client, world) -> None:
    plan_for(world)
    world.alice.language = "fr-ca"
    world.alice.save()
    page, language = printed(client, world, "fr-CA")
    assert language == "en-ca"
    assert "My goals" in page
    assert "Mes objectifs" not in page


def test_her_plan_says_whom_to_call(client, world) -> None:
    plan_for(world)
    program = world.rosa_enrolment.cycle.program
    program.contact_phone = "416-555-0199"
    program.contact_email = "desk@example.org"
    program.save()
    world.alice.email = "alice.worker@example.org"
    world.alice.save()

    page, _language = printed(client, world, "en-CA")

    assert "Who to call" in page
    assert program.agency.name in page
    assert "416-555-0199" in page
    assert "desk@example.org" in page
    assert world.alice.get_full_name() in page
    assert "alice.worker@example.org" in page
