"""After an erasure approved by a second person, no byte of the database (every table,
history tables included, every encrypted value decrypted with the keys) and no backup
made afterwards reveals her: not her names, her phone, a note's words, the digests of
her names, nor any of the encrypted tokens that held them. The audit log still
verifies, with a tombstone."""

from __future__ import annotations

import contextlib
import datetime
import io
import tarfile
from pathlib import Path

import pyrage
import pytest
from django.db import connection
from django.utils import timezone

from doorway.audit import log
from doorway.audit.models import Action as AuditAction
from doorway.audit.models import AuditEntry
from doorway.casework.actions import record_contact
from doorway.casework.models import ClosingNote, Contact, ContactKind
from doorway.conftest import World
from doorway.drafts.models import Draft
from doorway.encryption import decrypt
from doorway.enrolments.models import Enrolment, ExitReason
from doorway.erasure.actions import approve_erasure, propose_erasure
from doorway.operations import backups
from doorway.people.actions import add_safety_flag, update_identity
from doorway.people.models import ConsentKind, FlagKind, NameDigest, Participant
from doorway.testing.factories import ConsentFactory

pytestmark = pytest.mark.django_db(transaction=True)

LEGAL = "Zephyrine Quillfeather"
PREFERRED = "Zephyrine"
ALIAS = "Quillie"
PHONE = "416-555-0199"
NOTE = "lighthouse marmalade ferry"
FLAG = "brother drives a teal pickup"
CLOSING = "goodbye harbour cinnamon"
DRAFT = "unfinished sentence about orchids"
SECRETS = [LEGAL, ALIAS, PHONE, NOTE, FLAG, CLOSING, DRAFT, "Quillfeather"]


def her_record(world: World) -> tuple[Participant, set[str]]:
    """Rosa becomes someone with a full record: identity changed twice (two history
    rows), a flag, contacts with notes, a closing note, a draft; then she leaves."""
    rosa = world.rosa
    update_identity(rosa, by=world.alice, legal_name="Zephyrine Old-Name", phone="416-555-0100")
    rosa.refresh_from_db()
    update_identity(
        rosa,
        by=world.alice,
        legal_name=LEGAL,
        preferred_name=PREFERRED,
        aliases=ALIAS,
        phone=PHONE,
        date_of_birth=datetime.date(1990, 4, 2),
    )
    rosa.refresh_from_db()
    rosa.refresh_name_index()
    add_safety_flag(rosa, kind=FlagKind.OTHER, note=FLAG, by=world.alice)
    enrolment = world.rosa_enrolment
    contact = record_contact(
        enrolment,
        by=world.alice,
        happened_on=timezone.localdate() - datetime.timedelta(days=3),
        duration_minutes=30,
        kind=ContactKind.INDIVIDUAL_COUNSELLING,
        note=f"First draft of a note: {NOTE}",
    )
    contact.note = f"She talked about the {NOTE}."
    contact.save()
    ClosingNote.objects.create(
        enrolment=enrolment, text=CLOSING, written_by=world.alice, written_on=timezone.localdate()
    )
    Draft.objects.create(
        author=world.alice,
        form_key="contact",
        about="enrolment",
        enrolment=enrolment,
        content=DRAFT,
    )
    Enrolment.objects.filter(pk=enrolment.pk).update(
        exit_reason=ExitReason.WITHDREW, exited_on=timezone.localdate()
    )
    digests = set(NameDigest.objects.filter(participant=rosa).values_list("digest", flat=True))
    return rosa, digests


def every_cell() -> list[str]:
    """Every value of every table, and every encrypted value decrypted."""
    cells: list[str] = []
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {quote(table)}")  # noqa: S608
            for row in cursor.fetchall():
                for value in row:
                    if value is None:
                        continue
                    text = (
                        value.decode(errors="replace") if isinstance(value, bytes) else str(value)
                    )
                    cells.append(text)
                    if text.startswith("gAAAA"):
                        with contextlib.suppress(ValueError):
                            cells.append(decrypt(text))
    return cells


def her_tokens(participant: Participant) -> set[str]:
    """Every stored token that holds something of hers, before the erasure."""
    tokens: set[str] = set()
    for cell in every_cell():
        if cell.startswith("gAAAA"):
            plain = decrypt(cell)
            if any(s.lower() in plain.lower() for s in SECRETS) or "Old-Name" in plain:
                tokens.add(cell)
    return tokens


def approved(world: World, participant: Participant) -> None:
    change = propose_erasure(
        participant, by=world.alice, reason="She asked us to erase everything we hold."
    )
    approve_erasure(change, by=world.morgan)


def backup_bytes(tmp_path: Path) -> bytes:
    text, recipient = backups.new_identity()
    made = backups.make_backup(tmp_path, recipient)
    identity = pyrage.x25519.Identity.from_str(text.splitlines()[-1])
    sealed = Path(made.path).read_bytes()
    with tarfile.open(fileobj=io.BytesIO(pyrage.decrypt(sealed, [identity]))) as tar:
        return b"".join(
            member.read() for m in tar.getmembers() if (member := tar.extractfile(m)) is not None
        )


@pytest.mark.parametrize("research_consent", [False, True])
def test_after_erasure_no_byte_of_the_database_or_a_later_backup_reveals_her(
    world: World, tmp_path: Path, research_consent: bool
) -> None:
    rosa, digests = her_record(world)
    if research_consent:
        ConsentFactory(participant=rosa, kind=ConsentKind.EVALUATION, recorded_by=world.alice)
    tokens = her_tokens(rosa)
    assert len(tokens) >= 8, "the record to erase holds her values encrypted"
    assert any(LEGAL in c for c in every_cell()), "the scan reads decrypted values"

    approved(world, rosa)

    cells = "\n".join(every_cell()).lower()
    for secret in SECRETS:
        assert secret.lower() not in cells, secret
    for value in tokens | digests:
        assert value.lower() not in cells
    # The backup: the database copied page by page, so freed pages would be in it.
    copy = backup_bytes(tmp_path)
    for secret in SECRETS:
        assert secret.encode() not in copy, secret
    for value in tokens | digests:
        assert value.encode() not in copy
    if connection.vendor == "sqlite":
        # The database itself, vacuumed after the erasure: its pages, as SQLite holds them.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA page_count")
            pages = cursor.fetchone()[0]
            cursor.execute("PRAGMA freelist_count")
            assert cursor.fetchone()[0] == 0, f"free pages left of {pages}"

    log.seal()
    assert log.verify() is None
    tombstone = AuditEntry.objects.get(action=AuditAction.ERASE)
    assert tombstone.participant_id == str(rosa.pk)
    assert tombstone.reason == ""
    assert tombstone.detail["kept_for_evaluation"] is research_consent

    if research_consent:
        shell = Participant.objects.get(pk=rosa.pk)
        assert shell.code == rosa.code
        assert shell.legal_name == shell.preferred_name == shell.phone == ""
        assert shell.date_of_birth is None
        assert Enrolment.objects.filter(participant=rosa).count() == 1
        assert Contact.objects.filter(enrolment__participant=rosa, note="").count() == 1
        assert Participant.objects.consented_to(ConsentKind.EVALUATION).filter(pk=rosa.pk).exists()
    else:
        assert not Participant.objects.filter(pk=rosa.pk).exists()
        assert not Enrolment.objects.filter(participant_id=rosa.pk).exists()
    # The other women are untouched.
    assert Participant.objects.get(pk=world.tess.pk).legal_name == "Tess Example"
