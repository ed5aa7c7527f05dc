"""Attaching the signed copy of a consent, and reading it back, each audited.

`attach` checks the file before anything is written: not empty, not larger than
`settings.SIGNED_COPY_MAX_BYTES`, a PDF, JPEG or PNG by its first bytes (its name and
the type the browser claims are ignored), and free of viruses (`scanner`). A file
refused for any of these leaves nothing behind. A new copy of the same consent replaces
the one before.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from doorway.audit.log import record
from doorway.audit.models import Action
from doorway.people.models import Consent, User
from doorway.signed_copies import scanner
from doorway.signed_copies.models import FileType, Scan, SignedCopy

# The first bytes of each file type accepted.
MAGIC = (
    (b"%PDF-", FileType.PDF),
    (b"\xff\xd8\xff", FileType.JPEG),
    (b"\x89PNG\r\n\x1a\n", FileType.PNG),
)


def megabytes(limit: int) -> str:
    return f"{limit / (1024 * 1024):g}"


def too_large() -> ValidationError:
    return ValidationError(
        _(
            "The file is larger than %(megabytes)s MB. Scan the form again at a lower "
            "resolution, or as a PDF. Nothing was saved."
        )
        % {"megabytes": megabytes(settings.SIGNED_COPY_MAX_BYTES)},
        code="too_large",
    )


def file_type_of(data: bytes) -> str | None:
    for magic, file_type in MAGIC:
        if data.startswith(magic):
            return str(file_type)
    return None


def check(data: bytes) -> tuple[str, scanner.Verdict]:
    """The file's type and its scan, or a ValidationError saying what is wrong."""
    if not data:
        raise ValidationError(
            _("The file is empty. Choose the scan of the signed form."), code="empty"
        )
    if len(data) > settings.SIGNED_COPY_MAX_BYTES:
        raise too_large()
    file_type = file_type_of(data)
    if file_type is None:
        raise ValidationError(
            _(
                "This file is not a PDF, JPEG or PNG. Scan the signed form to one of "
                "those. Nothing was saved."
            ),
            code="file_type",
        )
    verdict = scanner.scan(data)
    if verdict.infected:
        raise ValidationError(
            _(
                "The virus scan found %(virus)s in this file. It was not saved. Scan the "
                "paper form again on another computer."
            )
            % {"virus": verdict.found or _("a virus")},
            code="infected",
        )
    if verdict.outcome == "failed":
        raise ValidationError(
            _(
                "The virus scan could not run, so the file was not saved. Try again in a "
                "few minutes; if it keeps failing, tell your administrator."
            ),
            code="scan_failed",
        )
    return file_type, verdict


@transaction.atomic
def attach(consent: Consent, data: bytes, *, by: User) -> SignedCopy:
    """Attach (or replace) the signed copy of `consent`. The caller has checked that
    `by` reaches her record and may record her consents."""
    file_type, verdict = check(data)
    copy = SignedCopy.objects.select_for_update().filter(consent=consent).first()
    replaced = copy is not None
    if copy is None:
        copy = SignedCopy(consent=consent)
    copy.data = data
    copy.file_type = file_type
    copy.size = len(data)
    copy.sha256 = hashlib.sha256(data).hexdigest()
    copy.scan = Scan.CLEAN if verdict.outcome == "clean" else Scan.NOT_SCANNED
    copy.scanner = verdict.scanner
    copy.uploaded_by = by
    copy.uploaded_at = timezone.now()
    copy.save()
    # What was attached, never a byte of it.
    record(
        Action.CHANGE if replaced else Action.CREATE,
        actor=by,
        participant=consent.participant_id,
        subject=copy,
        detail={
            "consent": str(consent.pk),
            "file_type": file_type,
            "size": copy.size,
            "sha256": copy.sha256,
            "scan": copy.scan,
            "replaced": replaced,
        },
    )
    return copy


def read(copy: SignedCopy, *, by: User, via: str = "page") -> bytes:
    """The file, for a download; the download is a read of her record, audited."""
    data = copy.data
    record(
        Action.VIEW,
        actor=by,
        participant=copy.consent.participant_id,
        subject=copy,
        detail={"downloaded": True, "consent": str(copy.consent_id), "via": via},
    )
    return data


def filename(copy: SignedCopy) -> str:
    """Her code, never her name."""
    consent = copy.consent
    return (
        f"signed-consent-{consent.participant.code}-{consent.given_on.isoformat()}.{copy.extension}"
    )
