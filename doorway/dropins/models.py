"""Drop-in sessions and psycho-education groups, and who came.

A session belongs to a program; attendance belongs to her enrolment, so that it counts
toward her record. Women who come without a record are counted, never named.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from doorway.enrolments.models import Enrolment
from doorway.people.models import User
from doorway.programs.models import Program

if TYPE_CHECKING:
    from django.db.models.fields.related_descriptors import RelatedManager

MAX_ANONYMOUS = 500


class SessionKind(models.TextChoices):
    # The weekly open drop-in: come as you are.
    DROP_IN = "drop_in", _("Weekly drop-in")
    # A facilitated psycho-education group on a topic.
    GROUP = "group", _("Psycho-education group")


class GroupSessionQuerySet(models.QuerySet["GroupSession"]):
    def newest_first(self) -> GroupSessionQuerySet:
        return self.order_by("-held_on", "-created_at")

    def in_programs(self, programs: models.QuerySet[Program]) -> GroupSessionQuerySet:
        return self.filter(program__in=programs)


class GroupSession(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="group_sessions")
    kind = models.CharField(max_length=20, choices=SessionKind.choices)
    held_on = models.DateField(_("Date"))
    # A subject such as "Budgeting" or "Safety planning": never about one woman.
    topic = models.CharField(max_length=200, blank=True)
    facilitators = models.ManyToManyField(User, related_name="facilitated_sessions", blank=True)
    # Women who came without a record (or without consenting to one): a count only.
    anonymous_walk_ins = models.PositiveSmallIntegerField(default=0)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = GroupSessionQuerySet.as_manager()

    if TYPE_CHECKING:
        attendances: RelatedManager[Attendance]

    class Meta:
        ordering = ["-held_on", "-created_at"]
        indexes = [models.Index(fields=["program", "held_on"])]

    def __str__(self) -> str:
        label = self.get_kind_display()
        return f"{label} on {self.held_on:%Y-%m-%d}"


class Attendance(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey(GroupSession, on_delete=models.CASCADE, related_name="attendances")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="attendances")
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    # She came though she was not on the session's expected list.
    walk_in = models.BooleanField(default=False)

    class Meta:
        ordering = ["recorded_at"]
        constraints = [
            models.UniqueConstraint(fields=["session", "enrolment"], name="attended_once")
        ]

    def __str__(self) -> str:
        return f"Attendance at {self.session}"
