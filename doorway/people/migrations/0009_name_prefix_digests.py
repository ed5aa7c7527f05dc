"""The prefix digests of every registered woman's names, so that "Ros" finds Rosa
(doorway.encryption.name_prefix_digests; docs/threat-model-names.md says what they leak).

Reads her names with the field keys and digests them with a key derived from the
blind-index key, neither of which is rotated by this; run again, it adds nothing.
"""

from typing import Any

from django.db import migrations

from doorway.encryption import name_prefix_digests

BATCH = 500


def _names(participant: Any) -> list[str]:
    aliases = [line.strip() for line in (participant.aliases or "").splitlines()]
    return [n for n in [participant.legal_name, participant.preferred_name, *aliases] if n]


def add_prefix_digests(apps: Any, schema_editor: Any) -> None:
    Participant = apps.get_model("people", "Participant")
    NameDigest = apps.get_model("people", "NameDigest")
    rows = []
    for participant in Participant.objects.order_by("pk").iterator(chunk_size=BATCH):
        preferred = name_prefix_digests(participant.preferred_name or "")
        rows += [
            NameDigest(participant_id=participant.pk, digest=d, preferred=d in preferred)
            for d in sorted(name_prefix_digests(*_names(participant)))
        ]
        if len(rows) >= BATCH:
            NameDigest.objects.bulk_create(rows, ignore_conflicts=True)
            rows = []
    NameDigest.objects.bulk_create(rows, ignore_conflicts=True)


def remove_prefix_digests(apps: Any, schema_editor: Any) -> None:
    Participant = apps.get_model("people", "Participant")
    NameDigest = apps.get_model("people", "NameDigest")
    for participant in Participant.objects.order_by("pk").iterator(chunk_size=BATCH):
        NameDigest.objects.filter(
            participant_id=participant.pk, digest__in=name_prefix_digests(*_names(participant))
        ).delete()


class Migration(migrations.Migration):
    dependencies = [("people", "0008_languages")]

    operations = [migrations.RunPython(add_prefix_digests, remove_prefix_digests)]
