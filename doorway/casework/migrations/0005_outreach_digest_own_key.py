"""Outreach nickname digests are re-made under a key of their own.

They were made with the key of participants' name digests, so equal digests joined
outreach places and dates to her record in any copy of the database. Each nickname is
stored encrypted, so it is read with the field keys and digested again with
`encryption.outreach_nickname_digest`. Reversing digests them as names again.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

BATCH = 1000


def _redigest(apps: Any, digest: Any) -> None:
    from doorway.encryption import normalise

    OutreachContact = apps.get_model("casework", "OutreachContact")
    rows = OutreachContact.objects.exclude(nickname="").only("pk", "nickname", "nickname_digest")
    batch = []
    for row in rows.iterator(chunk_size=BATCH):
        row.nickname_digest = digest(row.nickname) if normalise(row.nickname) else ""
        batch.append(row)
        if len(batch) == BATCH:
            OutreachContact.objects.bulk_update(batch, ["nickname_digest"])
            batch = []
    if batch:
        OutreachContact.objects.bulk_update(batch, ["nickname_digest"])


def redigest(apps: Any, schema_editor: Any) -> None:
    from doorway.encryption import outreach_nickname_digest

    _redigest(apps, outreach_nickname_digest)


def digest_as_names(apps: Any, schema_editor: Any) -> None:
    from doorway.encryption import blind_index

    _redigest(apps, blind_index)


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0004_contact_index_newest_first"),
    ]

    operations = [
        migrations.RunPython(redigest, digest_as_names, elidable=False),
    ]
