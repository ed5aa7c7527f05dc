"""Export and import instruments as JSON through the management commands."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from doorway.instruments.models import Instrument
from doorway.instruments.tests.helpers import intake
from doorway.testing.factories import ProgramFactory

pytestmark = pytest.mark.django_db


def test_an_export_imports_into_another_program_and_again_changes_nothing(
    world, tmp_path, capsys
) -> None:
    intake(world)
    path = tmp_path / "instruments.json"
    call_command("instrument-export", world.program.slug, output=str(path))
    other = ProgramFactory(agency=world.agency, slug="second")
    call_command("instrument-import", "second", str(path))
    assert Instrument.objects.filter(program=other).count() == 4
    call_command("instrument-import", "second", str(path))
    assert "unchanged" in capsys.readouterr().out
    data = json.loads(path.read_text())
    data["instruments"][0]["definition"]["sections"][0]["title"] = "Renamed"
    path.write_text(json.dumps(data))
    call_command("instrument-import", "second", str(path))
    changed = Instrument.objects.get(program=other, slug=data["instruments"][0]["slug"])
    assert changed.versions.count() == 2
