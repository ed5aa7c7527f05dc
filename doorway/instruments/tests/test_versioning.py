"""An answered version never changes; editing makes a new version, and old
administrations keep their version and their stored scores."""

from __future__ import annotations

import pytest
from django.utils import timezone

from doorway.instruments.actions import new_version, record_administration
from doorway.instruments.definition import definition_of, load_version
from doorway.instruments.models import (
    Choice,
    InstrumentVersion,
    Item,
    Section,
    VersionFrozen,
)
from doorway.instruments.tests.helpers import make_instrument

pytestmark = pytest.mark.django_db

SCALE = {
    "sections": [
        {
            "title": "Two questions",
            "items": [
                {
                    "code": "mood",
                    "kind": "single_choice",
                    "prompt": "Mood",
                    "choices": [
                        {"code": "low", "label": "Low", "score": 1},
                        {"code": "high", "label": "High", "score": 3},
                    ],
                },
                {
                    "code": "sleep",
                    "kind": "number",
                    "prompt": "Hours of sleep",
                    "min": 0,
                    "max": 24,
                },
            ],
        }
    ],
    "scores": [{"code": "total", "kind": "sum", "items": ["mood", "sleep"]}],
    "rules": [],
}


def answered(world):
    instrument = make_instrument(world, SCALE)
    version = instrument.current_version()
    assert version is not None
    administration = record_administration(
        world.rosa_enrolment,
        version,
        by=world.alice,
        timepoint="intake",
        completed_on=timezone.localdate(),
        answers={"mood": "high", "sleep": 7},
    )
    return instrument, version, administration


def test_an_unanswered_version_can_still_be_corrected(world) -> None:
    version = make_instrument(world, SCALE).current_version()
    assert version is not None
    item = version.items.get(code="mood")
    item.prompt = "How is your mood?"
    item.save()
    version.note = "typo"
    version.save()
    Choice.objects.filter(item=item).update(label="Changed")
    version.refresh_from_db()
    assert version.note == "typo"
    assert version.items.get(code="mood").prompt == "How is your mood?"
    assert set(Choice.objects.filter(item=item).values_list("label", flat=True)) == {"Changed"}


def test_an_answered_version_cannot_be_saved_or_deleted(world) -> None:
    _instrument, version, _a = answered(world)
    version.note = "changed"
    with pytest.raises(VersionFrozen):
        version.save()
    with pytest.raises(VersionFrozen):
        version.delete()
    with pytest.raises(VersionFrozen):
        InstrumentVersion.objects.filter(pk=version.pk).update(note="sneaky")


def test_nothing_inside_an_answered_version_can_change(world) -> None:
    _instrument, version, _a = answered(world)
    section = version.sections.get()
    item = version.items.get(code="mood")
    choice = item.choices.get(code="high")
    section.title = "New"
    item.prompt = "New"
    choice.score = 10
    for part in (section, item, choice):
        with pytest.raises(VersionFrozen):
            part.save()
        with pytest.raises(VersionFrozen):
            part.delete()
    with pytest.raises(VersionFrozen):
        Item.objects.filter(version=version).update(prompt="sneaky")
    with pytest.raises(VersionFrozen):
        Choice.objects.filter(item=item).update(score=10)
    with pytest.raises(VersionFrozen):
        Section.objects.filter(version=version).delete()
    with pytest.raises(VersionFrozen):
        Item(
            version=version, section=section, order=9, code="new", kind="text", prompt="Added"
        ).save()
    assert load_version(version.pk).items.get(code="mood").prompt == "Mood"
    assert Choice.objects.get(pk=choice.pk).score == 3


def test_a_new_version_leaves_old_scores_alone_and_scores_compare_by_code(world) -> None:
    instrument, version, first = answered(world)
    definition = definition_of(load_version(version.pk))
    # Rescored: "high" now counts 5, and a question is added.
    definition["sections"][0]["items"][0]["choices"][1]["score"] = 5
    definition["sections"][0]["items"].append(
        {
            "code": "appetite",
            "kind": "scale",
            "prompt": "Appetite",
            "steps": [f"Step {n}" for n in range(1, 11)],
        }
    )
    second_version = new_version(
        instrument, by=world.morgan, definition=definition, note="rescored"
    )
    assert second_version.number == 2
    second = record_administration(
        world.rosa_enrolment,
        second_version,
        by=world.alice,
        timepoint="ad_hoc",
        completed_on=timezone.localdate(),
        answers={"mood": "high", "sleep": 7, "appetite": 4},
    )
    first.refresh_from_db()
    assert first.version_id == version.pk
    assert first.scores == {"total": 10.0}
    assert second.scores == {"total": 12.0}
    # The same code names the same score in both: comparable across versions.
    assert set(first.scores) == set(second.scores)
    assert version.items.count() == 2


def test_a_version_is_answered_once_any_administration_uses_it(world) -> None:
    _instrument, version, _a = answered(world)
    assert version.is_answered()
    unanswered = make_instrument(world, SCALE, slug="other").current_version()
    assert unanswered is not None
    assert not unanswered.is_answered()
