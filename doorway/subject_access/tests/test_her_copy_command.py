"""`doorway subject-access CODE`: every enrolment of hers, in her language, audited and
logged as a disclosure to her."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from doorway.audit.models import AuditEntry
from doorway.disclosures.models import Channel, Disclosure
from doorway.subject_access.tests.conftest import Seeded

pytestmark = pytest.mark.django_db


def test_the_command_writes_her_whole_copy_and_answers_her_request(
    seeded: Seeded, tmp_path: Path
) -> None:
    rosa = seeded.world.rosa
    out = tmp_path / "copy.json"
    call_command(
        "subject-access", rosa.code.lower(), "--format", "json", "--out", str(out), "--answers"
    )
    copy = json.loads(out.read_text(encoding="utf-8"))
    assert copy["identity"]["legal_name"] == "Rosa Example"
    assert "out_of_reach" not in {w["what"] for w in copy["withheld"]}
    assert copy["copy_requests"][0]["answered_on"] == timezone.localdate().isoformat()
    disclosure = Disclosure.objects.get(participant=rosa, channel=Channel.SUBJECT_ACCESS)
    assert disclosure.by is None
    assert (
        AuditEntry.objects.get(action="export", participant_id=str(rosa.pk)).detail["via"]
        == "command"
    )


def test_the_command_writes_json_to_standard_output(seeded: Seeded) -> None:
    stdout = io.StringIO()
    call_command("subject-access", seeded.world.rosa.code, "--format", "json", stdout=stdout)
    assert json.loads(stdout.getvalue())["identity"]["code"] == seeded.world.rosa.code


def test_the_command_writes_a_pdf(seeded: Seeded, tmp_path: Path) -> None:
    out = tmp_path / "copy.pdf"
    call_command("subject-access", seeded.world.rosa.code, "--out", str(out))
    assert out.read_bytes().startswith(b"%PDF")


def test_an_unknown_code_makes_nothing(world) -> None:
    with pytest.raises(CommandError, match="No participant"):
        call_command("subject-access", "NOPE-000000", "--format", "json")
    assert not Disclosure.objects.exists()


def test_answers_without_a_waiting_request_makes_nothing(world) -> None:
    with pytest.raises(CommandError, match="no request waiting"):
        call_command("subject-access", world.rosa.code, "--format", "json", "--answers")
    assert not Disclosure.objects.exists()
