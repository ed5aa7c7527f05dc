"""What is due, as the last refresh computed it: one row per thing to do.

Rows are written only by `doorway.caseload.refresh`, which replaces an enrolment's rows
in one transaction; nobody edits them. They hold no personal data: a kind, a date, a
short label and, for a referral, its id.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from doorway.caseload.consents import LAPSING_DAYS
from doorway.caseload.due import REFERRAL_NEWS_DAYS
from doorway.encryption import EncryptedTextField
from doorway.enrolments.due import DueKind
from doorway.enrolments.models import Enrolment

# "Due this week": due within this many days from today.
WEEK = 7


class DueItemQuerySet(models.QuerySet["DueItem"]):
    def overdue(self, today: datetime.date | None = None) -> DueItemQuerySet:
        return self.filter(due_on__lt=today or timezone.localdate())


class DueItem(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Computed rows go with their enrolment; they are no record of their own.
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="due_items")
    kind = models.CharField(max_length=20, choices=DueKind.choices)
    due_on = models.DateField()
    label = models.CharField(max_length=200)
    subject_id = models.UUIDField(null=True, blank=True)
    computed_at = models.DateTimeField(default=timezone.now)

    objects = DueItemQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "kind"]
        indexes = [models.Index(fields=["enrolment", "due_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.due_on:%Y-%m-%d}"

    def days_overdue(self, today: datetime.date) -> int:
        """0 up to and including the day it is due."""
        return max((today - self.due_on).days, 0)

    def state(self, today: datetime.date) -> str:
        """overdue, due (today or within the week), or later."""
        if today > self.due_on:
            return "overdue"
        if (self.due_on - today).days <= WEEK:
            return "due"
        return "later"

    def badge(self, today: datetime.date) -> str:
        """The words a case manager reads on her caseload: "Contact overdue 9 days"."""
        late = self.days_overdue(today)
        ahead = (self.due_on - today).days
        n = {"n": late or ahead}
        # Each sentence whole, for the translators: "due today", "due tomorrow" and
        # "due in n days" are three sentences, not one with a word put in.
        match self.kind:
            case DueKind.CONTACT:
                if late:
                    return (
                        ngettext("Contact overdue %(n)s day", "Contact overdue %(n)s days", late)
                        % n
                    )
                if ahead <= 0:
                    return gettext("Contact due today")
                if ahead == 1:
                    return gettext("Contact due tomorrow")
                return gettext("Contact due in %(n)s days") % n
            case DueKind.PHASE_REVIEW:
                if late:
                    return (
                        ngettext(
                            "Plan review overdue %(n)s day", "Plan review overdue %(n)s days", late
                        )
                        % n
                    )
                if ahead <= 0:
                    return gettext("Plan review due today")
                if ahead == 1:
                    return gettext("Plan review due tomorrow")
                return gettext("Plan review due in %(n)s days") % n
            case DueKind.PHASE_OVERSTAYED:
                if late:
                    return (
                        ngettext(
                            "Longer than expected in phase by %(n)s day",
                            "Longer than expected in phase by %(n)s days",
                            late,
                        )
                        % n
                    )
                if ahead <= 0:
                    return gettext("Phase expected to end today")
                if ahead == 1:
                    return gettext("Phase expected to end tomorrow")
                return gettext("Phase expected to end in %(n)s days") % n
            case DueKind.FOLLOW_UP:
                if late:
                    return (
                        ngettext(
                            "Follow-up overdue %(n)s day", "Follow-up overdue %(n)s days", late
                        )
                        % n
                    )
                if ahead <= 0:
                    return gettext("Follow-up due")
                if ahead == 1:
                    return gettext("Follow-up due tomorrow")
                return gettext("Follow-up due in %(n)s days") % n
            case DueKind.REFERRAL_NEWS:
                if late:
                    silent = late + REFERRAL_NEWS_DAYS
                    return ngettext(
                        "Referral: no news for %(n)s day",
                        "Referral: no news for %(n)s days",
                        silent,
                    ) % {"n": silent}
                if ahead <= 0:
                    return gettext("Referral: news due today")
                if ahead == 1:
                    return gettext("Referral: news due tomorrow")
                return gettext("Referral: news due in %(n)s days") % n
            case DueKind.CLOSING_NOTE:
                if late:
                    return (
                        ngettext(
                            "Closing note overdue %(n)s day",
                            "Closing note overdue %(n)s days",
                            late,
                        )
                        % n
                    )
                if ahead <= 0:
                    return gettext("Closing note due today")
                if ahead == 1:
                    return gettext("Closing note due tomorrow")
                return gettext("Closing note due in %(n)s days") % n
            case DueKind.SAFE_CONTACT:
                if late:
                    return (
                        ngettext(
                            "Safe-contact check overdue %(n)s day",
                            "Safe-contact check overdue %(n)s days",
                            late,
                        )
                        % n
                    )
                if ahead <= 0:
                    return gettext("Safe-contact check due today")
                if ahead == 1:
                    return gettext("Safe-contact check due tomorrow")
                return gettext("Safe-contact check due in %(n)s days") % n
            case DueKind.CONSENT_LAPSING:
                left = (self.due_on - today).days + LAPSING_DAYS
                if left <= 0:
                    return gettext("Consent to share lapsed")
                if left == 1:
                    return gettext("Consent to share lapses tomorrow")
                return ngettext(
                    "Consent to share lapses in %(n)s day",
                    "Consent to share lapses in %(n)s days",
                    left,
                ) % {"n": left}
            case DueKind.SHARING_UNCONSENTED:
                if late:
                    return ngettext(
                        "Sharing referral without consent for %(n)s day",
                        "Sharing referral without consent for %(n)s days",
                        late,
                    ) % {"n": late}
                return gettext("Sharing referral without consent")
        return str(self.get_kind_display())


class DuplicateNoticeQuerySet(models.QuerySet["DuplicateNotice"]):
    def open(self) -> DuplicateNoticeQuerySet:
        return self.filter(resolved_at__isnull=True)


class DuplicateNotice(models.Model):
    """For a program manager: a worker looked up a name (or a name and a birth date)
    that matches a record the worker cannot open, and she may be about to register the
    same woman twice. The worker is never told (that would tell her the woman is in the
    program); her program manager, who reaches both, checks and clears it.

    Ids only: who looked, which record matched, which record she registered (if she
    did). One open notice per manager, worker and matched record; a repeated lookup
    counts on it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="duplicate_notices"
    )
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    match = models.ForeignKey("people.Participant", on_delete=models.CASCADE, related_name="+")
    registered = models.ForeignKey(
        "people.Participant", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    first_noticed_at = models.DateTimeField(default=timezone.now)
    last_noticed_at = models.DateTimeField(default=timezone.now)
    lookups = models.PositiveIntegerField(default=1)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = DuplicateNoticeQuerySet.as_manager()

    class Meta:
        ordering = ["-last_noticed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "worker", "match"],
                condition=models.Q(resolved_at__isnull=True),
                name="one_open_duplicate_notice",
            )
        ]
        indexes = [models.Index(fields=["recipient", "resolved_at"])]

    def __str__(self) -> str:
        return f"Possible duplicate noticed {self.first_noticed_at:%Y-%m-%d}"


# Past this, the caseload says plainly that its dates may be out of date: a day, and
# the hour a day's pass may take at scale.
STALE_AFTER = datetime.timedelta(hours=25)


class DuePassQuerySet(models.QuerySet["DuePass"]):
    def freshness(self, now: datetime.datetime | None = None) -> Freshness:
        last = self.aggregate(last=models.Max("finished_at"))["last"]
        now = now or timezone.now()
        return Freshness(computed_at=last, stale=last is None or now - last > STALE_AFTER)


@dataclass(frozen=True)
class Freshness:
    """When the caseload's due dates were last all computed (None: never), and whether
    that is too long ago to trust them."""

    computed_at: datetime.datetime | None
    stale: bool


class DuePass(models.Model):
    """One finished pass over every watched enrolment (the daily refresh, or `doorway
    refresh-due`): when the caseload's dates were last all computed. Dates that move
    with the calendar (a contact now overdue) are only as fresh as the last pass, so
    the caseload page says when that was. Counts only."""

    finished_at = models.DateTimeField(default=timezone.now, db_index=True)
    items = models.PositiveIntegerField()

    objects = DuePassQuerySet.as_manager()

    class Meta:
        ordering = ["-finished_at"]

    def __str__(self) -> str:
        return f"due dates computed {self.finished_at:%Y-%m-%d %H:%M}"


# A snooze is a promise to look again soon, not a way to forget: at most this many days.
SNOOZE_MAX_DAYS = 30


class SnoozeQuerySet(models.QuerySet["Snooze"]):
    def in_force(self, today: datetime.date | None = None) -> SnoozeQuerySet:
        """Not lifted, and its last day not yet past."""
        return self.filter(lifted_at__isnull=True, until__gte=today or timezone.localdate())


class Snooze(models.Model):
    """A due item put aside until a day, with the reason, for her case team to read:
    "snoozed until 14 March by Alice: she is away at her sister's".

    Due items are recomputed (and replaced) by every refresh, so a snooze names what it
    puts aside the way a rule names it: the enrolment, the kind and, for a referral, the
    record it is about. The reason may say something about her, so it is encrypted like
    a case note. Lifting a snooze keeps the row, with who lifted it and when."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    enrolment = models.ForeignKey(
        Enrolment,
        on_delete=models.CASCADE,
        related_name="snoozes",
        verbose_name=_("enrolment"),
    )
    kind = models.CharField(_("kind of work"), max_length=20, choices=DueKind.choices)
    subject_id = models.UUIDField(null=True, blank=True)
    until = models.DateField(_("snoozed until"))
    reason = EncryptedTextField(_("reason"))
    snoozed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    snoozed_at = models.DateTimeField(default=timezone.now)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = SnoozeQuerySet.as_manager()

    class Meta:
        ordering = ["-snoozed_at"]
        verbose_name = _("snooze")
        verbose_name_plural = _("snoozes")
        indexes = [models.Index(fields=["enrolment", "lifted_at"])]

    def __str__(self) -> str:
        return f"{self.kind} snoozed until {self.until:%Y-%m-%d}"

    def puts_aside(self, item: DueItem) -> bool:
        return (
            item.enrolment_id == self.enrolment_id
            and item.kind == self.kind
            and item.subject_id == self.subject_id
        )
