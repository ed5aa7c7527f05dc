"""What a drill compares between the database backed up and the one restored: every
participant's identity and every contact's note as the models decrypt them, and a digest
of every row of every table. Run in the test and, on the restored database, in a
`doorway shell` of its own."""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import connection

from doorway.casework.models import Contact
from doorway.people.models import Participant


def records() -> dict[str, Any]:
    return {
        "identities": {
            str(person.pk): [
                person.legal_name,
                person.preferred_name,
                person.phone,
                person.date_of_birth.isoformat() if person.date_of_birth else None,
            ]
            for person in Participant.objects.order_by("pk")
        },
        "notes": {str(pk): note for pk, note in Contact.objects.values_list("pk", "note")},
        "tables": table_digests(),
    }


def table_digests() -> dict[str, str]:
    quote = connection.ops.quote_name
    digests = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names()):
            cursor.execute(f"SELECT * FROM {quote(table)} ORDER BY 1")  # noqa: S608
            digest = hashlib.sha256()
            for row in cursor.fetchall():
                digest.update(repr(row).encode())
            digests[table] = digest.hexdigest()
    return digests


SHELL = (
    "import json; from doorway.operations.tests.readback import records; "
    "print(json.dumps(records()))"
)
