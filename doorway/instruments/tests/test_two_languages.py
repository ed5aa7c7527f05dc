"""An instrument in French and English under one scoring identity: a version carries
both wordings; the worker sees hers; the same answers score the same in either; where
no French was written the English is shown (a version answered before its French was
written can never change, so refusing it would leave it unusable in French)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import escape

from doorway.instruments import exit_doors_here
from doorway.instruments.definition import check_definition, definition_of, load_version
from doorway.instruments.models import Administration, Instrument
from doorway.instruments.tests.helpers import intake, make_instrument
from doorway.instruments.tests.matrix import intake_payload
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db


def record_page(client, world, instrument: Instrument, language: str) -> str:
    world.alice.language = language
    world.alice.save()
    signed_in(client, world.alice)
    url = reverse("assessment_record", args=[world.rosa_enrolment.pk, instrument.pk])
    return client.get(url).content.decode()


def test_a_french_speaking_worker_reads_the_french_wording(client, world) -> None:
    page = record_page(client, world, intake(world), "fr-ca")
    assert escape("Souhaite-t-elle quitter le travail du sexe?") in page
    assert escape("Difficultés présentées") in page
    assert escape("Sans logement ou à risque de l'être") in page
    assert "Does she want to leave sex work?" not in page


def test_an_english_speaking_worker_reads_the_english_wording(client, world) -> None:
    page = record_page(client, world, intake(world), "en-ca")
    assert "Does she want to leave sex work?" in page
    assert "Souhaite-t-elle" not in page


def test_the_journey_scale_steps_are_in_french_too(client, world) -> None:
    intake(world)
    journey = Instrument.objects.get(program=world.program, slug=exit_doors_here.JOURNEY)
    page = record_page(client, world, journey, "fr-ca")
    assert escape(exit_doors_here.JOURNEY_STEPS_FR[0]) in page
    assert escape(exit_doors_here.JOURNEY_STEPS[0]) not in page


def test_the_same_answers_score_the_same_in_either_language(client, world) -> None:
    instrument = intake(world)
    url = reverse("assessment_record", args=[world.rosa_enrolment.pk, instrument.pk])
    scores = {}
    for language in ("en-ca", "fr-ca"):
        record_page(client, world, instrument, language)
        answer = client.post(url, intake_payload(world, {}))
        assert answer.status_code == 302
        latest = Administration.objects.order_by("-recorded_at").first()
        assert latest is not None
        scores[language] = (latest.scores, latest.rule_results[0]["met"])
    assert scores["en-ca"] == scores["fr-ca"]
    assert Administration.objects.count() == 2


def test_a_version_carries_both_wordings_through_its_definition(world) -> None:
    version = intake(world).current_version()
    assert version is not None
    definition = definition_of(load_version(version.pk))
    first = definition["sections"][0]
    assert first["title_fr"] == "Qui elle est et ce qu'elle souhaite"
    involvement = exit_doors_here.INVOLVEMENT
    again = check_definition(definition, world.program)
    items = {i["code"]: i for s in again["sections"] for i in s["items"]}
    assert items[involvement["code"]]["prompt_fr"] == involvement["prompt_fr"]
    assert items[involvement["code"]]["choices"][0]["label_fr"] == "Pas du tout"


ENGLISH_ONLY = {
    "sections": [
        {
            "title": "Only in English",
            "items": [
                {
                    "code": "mood",
                    "kind": "single_choice",
                    "prompt": "How is her week going?",
                    "choices": [
                        {"code": "good", "label": "Good", "score": 1},
                        {"code": "hard", "label": "Hard", "score": 0},
                    ],
                }
            ],
        }
    ],
    "scores": [{"code": "mood", "label": "Mood", "kind": "sum", "items": ["mood"]}],
    "rules": [],
}


def test_without_french_the_english_is_shown(client, world) -> None:
    instrument = make_instrument(world, ENGLISH_ONLY, slug="english-only")
    page = record_page(client, world, instrument, "fr-ca")
    assert escape("How is her week going?") in page
    assert "Only in English" in page


def test_a_scale_with_some_french_steps_only_is_refused(world) -> None:
    intake(world)
    journey = Instrument.objects.get(program=world.program, slug=exit_doors_here.JOURNEY)
    version = journey.current_version()
    assert version is not None
    definition = definition_of(load_version(version.pk))
    definition["sections"][0]["items"][0]["steps_fr"] = ["Un", "Deux"]
    with pytest.raises(ValidationError) as refused:
        check_definition(definition, world.program)
    assert "in French too" in str(refused.value)
