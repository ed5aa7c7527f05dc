"""Review: the import's likely-duplicate check is a name lookup across the agency. When
it finds only records the importer cannot open, the dry run tells her nothing (her
program manager is told), but the lookup is audited as the registration page audits
it: the digests of the names, and the count of matches she was not shown."""

from __future__ import annotations

import pytest

from doorway.audit.models import Action, AuditEntry
from doorway.encryption import blind_index
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
    assert messages(job) == []
    entry = AuditEntry.objects.get(action=Action.SEARCH, detail__purpose="import_duplicate_check")
    assert entry.actor_id == str(world.alice.pk)
    assert entry.detail["hidden"] == 1
    assert entry.detail["shown"] == []
    # The blind index of the names read, never the names.
    assert blind_index("Uma Example") in entry.detail["digests"]
    assert "Uma" not in str(entry.detail)
