"""Instruments to and from JSON, for `doorway instrument-export` / `instrument-import`:
a program's instruments, each with the definition of its current version."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from doorway.instruments.actions import create_instrument, new_version
from doorway.instruments.definition import check_definition, definition_of, load_version
from doorway.instruments.models import Instrument
from doorway.programs.models import Program

FORMAT = "doorway-instruments/1"


def export_instruments(program: Program) -> dict[str, Any]:
    instruments = []
    for instrument in Instrument.objects.filter(program=program).order_by("slug"):
        current = instrument.current_version()
        if current is None:
            continue
        instruments.append(
            {
                "slug": instrument.slug,
                "name": instrument.name,
                "description": instrument.description,
                "timepoints": list(instrument.timepoints),
                "version": current.number,
                "definition": definition_of(load_version(current.pk)),
            }
        )
    return {"format": FORMAT, "program": program.slug, "instruments": instruments}


@transaction.atomic
def import_instruments(program: Program, data: Any) -> list[str]:
    """Create missing instruments; give existing ones a new version when the imported
    definition differs from their current one. Returns what was done, a line each."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValidationError(f'This is not a Doorway instruments file ("format": "{FORMAT}").')
    done = []
    for entry in data.get("instruments", []):
        slug = entry.get("slug", "")
        instrument = Instrument.objects.filter(program=program, slug=slug).first()
        if instrument is None:
            create_instrument(
                program,
                by=None,
                slug=slug,
                name=entry.get("name", slug),
                description=entry.get("description", ""),
                timepoints=entry.get("timepoints", []),
                definition=entry.get("definition"),
            )
            done.append(f"{slug}: created")
            continue
        current = instrument.current_version()
        checked = check_definition(entry.get("definition"), program)
        if current is not None and checked == check_definition(
            definition_of(load_version(current.pk)), program
        ):
            done.append(f"{slug}: unchanged")
            continue
        version = new_version(instrument, by=None, definition=checked, note="Imported")
        done.append(f"{slug}: version {version.number}")
    return done
