"""An erasure of a participant's record, and the two people who decide it.

A record is erased only when two different people agree: one proposes (on her
request, or taking up the daily pass's suggestion that the program's retention period
has passed) with a reason, and a program manager of her program who is not the
proposer approves. Like `people.AccessChangeRequest`, the database itself refuses a
request decided by the one who proposed it.

The request outlives what it erased: it keeps her code (pseudonymous) and her record's
id, never her name; its reason is emptied when the erasure is done.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from doorway.encryption import EncryptedTextField
from doorway.people.models import Participant, User
from doorway.programs.models import Program


class ErasureKind(models.TextChoices):
    # Her last contact is older than the program's retention period.
    RETENTION = "retention", _("Retention period passed")
    # She asked for her record to be erased.
    HER_REQUEST = "her_request", _("She asked")


class ErasureStatus(models.TextChoices):
    # Found by the daily pass; nobody has proposed it yet.
    SUGGESTED = "suggested", _("Past the retention period")
    PENDING = "pending", _("Waiting for a second person")
    ERASED = "erased", _("Erased")
    DECLINED = "declined", _("Declined")


OPEN = (ErasureStatus.SUGGESTED, ErasureStatus.PENDING)


class ErasureRequestQuerySet(models.QuerySet["ErasureRequest"]):
    def open(self) -> ErasureRequestQuerySet:
        return self.filter(status__in=OPEN)

    def in_programs(self, programs: models.QuerySet[Program]) -> ErasureRequestQuerySet:
        return self.filter(program__in=programs)


class ErasureRequest(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Gone (null) once her record is deleted whole; `participant_ref` and `code` remain.
    participant = models.ForeignKey(
        Participant, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    participant_ref = models.CharField(max_length=36, editable=False)
    code = models.CharField(max_length=16, editable=False)
    # Whose program managers decide it: her latest enrolment's program.
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=ErasureKind.choices)
    status = models.CharField(
        max_length=12, choices=ErasureStatus.choices, default=ErasureStatus.SUGGESTED
    )
    # Why, as typed by the proposer: may say something of her, so encrypted, and
    # emptied when the erasure is done.
    reason = EncryptedTextField(blank=True)
    suggested_at = models.DateTimeField(default=timezone.now, editable=False)
    proposed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    proposed_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # Whether her de-identified evaluation rows were kept (her research consent in force).
    kept_for_evaluation = models.BooleanField(null=True, blank=True)

    objects = ErasureRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-suggested_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(decided_by=models.F("proposed_by")),
                name="erasure_decided_by_another",
            ),
            models.UniqueConstraint(
                fields=["participant_ref"],
                condition=models.Q(status__in=["suggested", "pending"]),
                name="one_open_erasure_per_participant",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.get_status_display()}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN
