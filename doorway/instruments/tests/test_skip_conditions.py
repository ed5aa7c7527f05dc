"""Skip conditions: an item shown only if another is answered, equals, includes or is at
least a value; skipped items are neither required nor saved."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from doorway.instruments.actions import check_answers, record_administration
from doorway.instruments.definition import check_definition
from doorway.instruments.models import Answer
from doorway.instruments.tests.helpers import make_instrument

STEPS = [f"Step {n}" for n in range(1, 11)]
DEFINITION = {
    "sections": [
        {
            "title": "First",
            "items": [
                {"code": "housed", "kind": "yes_no", "prompt": "Housed?", "required": True},
                {
                    "code": "where",
                    "kind": "single_choice",
                    "prompt": "Where?",
                    "required": True,
                    "show_if": {"item": "housed", "op": "equals", "value": "yes"},
                    "choices": [
                        {"code": "own", "label": "Own"},
                        {"code": "shelter", "label": "Shelter"},
                    ],
                },
                {
                    "code": "needs",
                    "kind": "multiple_choice",
                    "prompt": "Needs",
                    "choices": [{"code": "food", "label": "Food"}, {"code": "id", "label": "ID"}],
                },
                {
                    "code": "id_detail",
                    "kind": "text",
                    "prompt": "Which ID?",
                    "required": True,
                    "show_if": {"item": "needs", "op": "includes", "value": "id"},
                },
                {"code": "mood", "kind": "scale", "prompt": "Mood", "steps": STEPS},
                {
                    "code": "mood_why",
                    "kind": "text",
                    "prompt": "Why so low?",
                    "required": True,
                    "show_if": {"item": "mood", "op": "at_most", "value": 3},
                },
            ],
        },
        {
            "title": "Only if answered",
            "show_if": {"item": "where", "op": "answered"},
            "items": [{"code": "since", "kind": "date", "prompt": "Since when?", "required": True}],
        },
    ],
    "scores": [],
    "rules": [],
}


@pytest.fixture
def definition(world):
    return check_definition(DEFINITION, world.program)


@pytest.mark.django_db
def test_a_skipped_item_is_not_required_and_not_kept(definition) -> None:
    answers, errors = check_answers(
        definition,
        {
            "housed": "no",
            "where": "own",
            "needs": ["food"],
            "mood": 8,
            "since": "2024-01-01",
            "id_detail": "ignored",
        },
    )
    assert errors == {}
    assert answers == {"housed": False, "needs": ["food"], "mood": 8}


@pytest.mark.django_db
def test_a_shown_item_that_is_required_needs_an_answer(definition) -> None:
    _answers, errors = check_answers(definition, {"housed": "yes", "needs": ["id"], "mood": 2})
    assert set(errors) == {"item_where", "item_id_detail", "item_mood_why"}


@pytest.mark.django_db
def test_a_section_shows_when_its_condition_holds(definition) -> None:
    _answers, errors = check_answers(definition, {"housed": "yes", "where": "shelter"})
    assert set(errors) == {"item_since"}


@pytest.mark.django_db
def test_skipped_answers_are_not_saved(world) -> None:
    version = make_instrument(world, DEFINITION).current_version()
    assert version is not None
    administration = record_administration(
        world.rosa_enrolment,
        version,
        by=world.alice,
        timepoint="ad_hoc",
        completed_on=timezone.localdate(),
        answers={"housed": "no", "where": "own", "mood": 9, "mood_why": "hidden"},
    )
    saved = set(
        Answer.objects.filter(administration=administration).values_list("item__code", flat=True)
    )
    assert saved == {"housed", "mood"}


@pytest.mark.django_db
def test_a_condition_on_a_later_or_unknown_item_is_refused_naming_the_item(world) -> None:
    bad = {
        "sections": [
            {
                "title": "S",
                "items": [
                    {
                        "code": "a",
                        "kind": "text",
                        "prompt": "A",
                        "show_if": {"item": "b", "op": "answered"},
                    },
                    {
                        "code": "b",
                        "kind": "single_choice",
                        "prompt": "B",
                        "choices": [{"code": "x", "label": "X"}],
                    },
                    {"code": "c", "kind": "scale", "prompt": "C", "steps": ["only one"]},
                ],
            }
        ],
        "scores": [{"code": "s", "kind": "sum", "items": ["a"]}],
    }
    with pytest.raises(ValidationError) as refusal:
        check_definition(bad, world.program)
    messages = refusal.value.messages
    assert any('Item "a"' in m and '"b"' in m for m in messages)
    assert any('Item "b"' in m and "two choices" in m for m in messages)
    assert any('Item "c"' in m and "10 steps" in m for m in messages)
    assert any('Score "s"' in m and "numeric" in m for m in messages)
