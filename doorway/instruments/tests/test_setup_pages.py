"""Instrument setup: program managers (their programs) and administrators read and edit
instruments; others are refused; an edit is a new version, never a change."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from doorway.instruments.models import Instrument, InstrumentVersion
from doorway.instruments.tests.helpers import intake, record_intake
from doorway.testing.signin import signed_in

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["alice", "pat", "eve"])
def test_case_managers_peer_mentors_and_evaluators_are_refused(client, world, who) -> None:
    instrument = intake(world)
    signed_in(client, world.staff()[who])
    assert client.get(reverse("instrument_list")).status_code == 403
    assert client.get(reverse("instrument_detail", args=[instrument.pk])).status_code == 403
    response = client.post(
        reverse("instrument_new_version", args=[instrument.pk]), {"definition": "{}"}
    )
    assert response.status_code == 403
    assert InstrumentVersion.objects.filter(instrument=instrument).count() == 1


def test_another_programs_manager_is_answered_not_found(client, world) -> None:
    instrument = intake(world)
    signed_in(client, world.olive)
    assert client.get(reverse("instrument_detail", args=[instrument.pk])).status_code == 404
    assert "Intake assessment" not in client.get(reverse("instrument_list")).content.decode()


@pytest.mark.parametrize("who", ["morgan", "ada"])
def test_a_manager_or_administrator_reads_versions_and_items(client, world, who) -> None:
    instrument = intake(world)
    signed_in(client, world.staff()[who])
    assert "Intake assessment" in client.get(reverse("instrument_list")).content.decode()
    version = instrument.current_version()
    assert version is not None
    page = client.get(reverse("instrument_version", args=[version.pk])).content.decode()
    assert "sex_work_involvement" in page
    assert "Does she identify as a woman?" in page


def test_editing_an_answered_instrument_saves_a_new_version(client, world) -> None:
    first = record_intake(world)
    instrument = first.version.instrument
    signed_in(client, world.morgan)
    form = client.get(reverse("instrument_new_version", args=[instrument.pk])).context["form"]
    definition = json.loads(form.initial["definition"])
    definition["sections"][0]["items"][0]["prompt"] = "Does she see herself as a woman?"
    response = client.post(
        reverse("instrument_new_version", args=[instrument.pk]),
        {"definition": json.dumps(definition), "note": "Rephrased"},
    )
    assert response.status_code == 302
    versions = list(instrument.versions.order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert versions[0].items.get(code="identifies_as_woman").prompt == (
        "Does she identify as a woman?"
    )
    assert versions[1].items.get(code="identifies_as_woman").prompt == (
        "Does she see herself as a woman?"
    )
    first.refresh_from_db()
    assert first.version_id == versions[0].pk


def test_a_bad_definition_is_refused_naming_the_item_and_keeps_the_text(client, world) -> None:
    instrument = intake(world)
    signed_in(client, world.morgan)
    text = json.dumps(
        {
            "sections": [
                {
                    "title": "S",
                    "items": [{"code": "q", "kind": "single_choice", "prompt": "Q", "choices": []}],
                }
            ]
        }
    )
    response = client.post(
        reverse("instrument_new_version", args=[instrument.pk]), {"definition": text}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Item &quot;q&quot;: a single choice item needs at least two choices." in page
    assert response.context["form"]["definition"].value() == text
    assert instrument.versions.count() == 1
    broken = client.post(
        reverse("instrument_new_version", args=[instrument.pk]), {"definition": "{not json"}
    )
    assert "This is not valid JSON" in broken.content.decode()
    assert Instrument.objects.count() == 4
