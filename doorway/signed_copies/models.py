"""The signed copy of a consent: the scan of the form she signed.

The file is kept only inside the database, encrypted like her other fields (Fernet,
`doorway.encryption`): it is never written to disk or to a media folder, and the upload
is read in memory only (`uploads.py`). No history is kept of it, so no earlier version
of a scan lies in a history table; a new upload overwrites the one before. Erasure
(`doorway.erasure.eraser`) finds it through its consent: the encrypted column is
overwritten, then the row deleted.
"""

from __future__ import annotations

import base64
import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from doorway.encryption import EncryptedTextField
from doorway.people.models import Consent, User


class FileType(models.TextChoices):
    """What a signed copy may be, as its first bytes say (never as its name says)."""

    PDF = "application/pdf", "PDF"
    JPEG = "image/jpeg", "JPEG"
    PNG = "image/png", "PNG"


EXTENSIONS = {FileType.PDF: "pdf", FileType.JPEG: "jpg", FileType.PNG: "png"}


class Scan(models.TextChoices):
    CLEAN = "clean", _("Scanned with ClamAV: no virus found")
    NOT_SCANNED = "not_scanned", _("Not scanned: ClamAV is not installed")


class SignedCopy(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    consent = models.OneToOneField(Consent, on_delete=models.CASCADE, related_name="signed_copy")
    # The file's bytes, base64, inside a Fernet token. Read it through `data`; leave it
    # out of any query that lists copies (`.defer("content")`).
    content = EncryptedTextField()
    file_type = models.CharField(max_length=20, choices=FileType.choices)
    size = models.PositiveIntegerField()
    # Of the file as uploaded: shows that a copy downloaded later is the one attached.
    sha256 = models.CharField(max_length=64)
    scan = models.CharField(max_length=20, choices=Scan.choices)
    # The scanner that passed it ("clamdscan", "clamscan"); blank when none ran.
    scanner = models.CharField(max_length=40, blank=True, default="")
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("signed copy of a consent")
        verbose_name_plural = _("signed copies of consents")

    def __str__(self) -> str:
        return f"{self.get_file_type_display()} ({self.size} bytes)"

    @property
    def data(self) -> bytes:
        return base64.b64decode(self.content)

    @data.setter
    def data(self, value: bytes) -> None:
        self.content = base64.b64encode(value).decode("ascii")

    @property
    def extension(self) -> str:
        return EXTENSIONS[FileType(self.file_type)]
