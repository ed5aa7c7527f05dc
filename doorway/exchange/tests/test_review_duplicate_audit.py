"""Review: the import's likely-duplicate check is a name lookup across the agency. When
it finds only records the importer cannot open, the dry run still tells her that a
woman of that name is in Doorway ("matches 1 record(s) you cannot open"), so the lookup
must be audited as the registration page audits it, with the count it could not show."""

from __future__ import annotations

import pytest

from doorway.audit.models import Action, AuditEntry
from doorway.exchange.tests.importing_helpers import (
    PARTICIPANT_HEADER,
    csv_file,
    dry_run,
    messages,
    participant_row,
)

pytestmark = pytest.mark.django_db


def test_a_match_she_cannot_open_is_audited_as_a_search(world):
    # Uma Example is Bianca's, on another team: out of Alice's reach.
    row = participant_row("P1", "Uma", dob="")
    row[2] = "Uma Example"
    job = dry_run(world.alice, "participants", csv_file(PARTICIPANT_HEADER, [row]))
    assert any("record(s) you cannot open" in m for m in messages(job))
    entry = AuditEntry.objects.get(action=Action.SEARCH, detail__purpose="import_duplicate_check")
    assert entry.actor_id == str(world.alice.pk)
    assert entry.detail["hidden"] == 1
    assert entry.detail["shown"] == []
    # Which records matched, never the names read.
    assert "Uma" not in str(entry.detail)
